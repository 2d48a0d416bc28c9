// The API's routes against the authorization table and the OpenAPI document: every route the
// server answers with a token has a rule saying who may call it (a route without one is refused
// to everyone) and is described; no rule or description names a route that is gone.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "base/temp_dir.h"
#include "control/authorization.h"
#include "control/control_plane.h"
#include "server/api/api.h"
#include "server/api/openapi_json.h"
#include "store/store.h"

namespace strata::server {
namespace {

struct Fixture {
  TempDir dir{"api-test"};
  std::unique_ptr<store::Store> store = store::open_sqlite_store(dir.file("strata.db"));
  std::unique_ptr<control::ControlPlane> control;
  std::unique_ptr<Api> api;
  Fixture() {
    store->migrate();
    control::ControlOptions options;
    options.data_dir = dir.path();
    control = std::make_unique<control::ControlPlane>(*store, options);
    api = std::make_unique<Api>(*control, nullptr);
  }
};

// Answered without a token (sign-in: the session cookie itself is what /auth/* checks).
const std::set<std::string> kPublic = {"/healthz",    "/metrics",       "/api/v1/openapi.json", "/auth/login",
                                       "/auth/callback", "/auth/refresh", "/auth/logout",
                                       "/auth/cli-token", "/webhooks/github"};

TEST(ApiRoutes, EveryRouteHasARuleAndADescriptionAndEveryRuleARoute) {
  Fixture f;
  nlohmann::json openapi = nlohmann::json::parse(openapi_json());
  std::set<std::pair<std::string, std::string>> routes;
  for (const auto& [method, pattern] : f.api->routes()) {
    routes.emplace(method, pattern);
    if (kPublic.count(pattern)) continue;
    EXPECT_TRUE(control::required_role(method, pattern).has_value()) << method << " " << pattern << " has no rule";
    std::string lower = method;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    EXPECT_TRUE(openapi["paths"].contains(pattern) && openapi["paths"][pattern].contains(lower))
        << method << " " << pattern << " is not in openapi.json";
  }
  EXPECT_GT(routes.size(), 30u) << "the premise: the API's routes were read";
  for (const control::RouteRule& rule : control::route_rules()) {
    if (rule.route.rfind("/tfstate/", 0) == 0) continue;  // answered apart from the router
    EXPECT_TRUE(routes.count({std::string(rule.method), std::string(rule.route)}))
        << "a rule for a route the server does not have: " << rule.method << " " << rule.route;
  }
  for (const auto& [path, methods] : openapi["paths"].items())
    for (const auto& [method, _] : methods.items()) {
      if (method == "parameters" || path == "/metrics") continue;  // served only with metrics on (not here)
      std::string upper = method;
      std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
      EXPECT_TRUE(routes.count({upper, path})) << "openapi.json describes " << upper << " " << path
                                               << ", which the server does not answer";
    }
}

TEST(Authorization, RolesAreOrderedAndRepositoriesLimitATokenAndWhatItGrants) {
  store::ApiToken viewer;
  viewer.name = "dash";
  viewer.role = "viewer";
  EXPECT_EQ(control::refusal(viewer, control::Role::kViewer), std::nullopt);
  EXPECT_EQ(control::refusal(viewer, control::Role::kOperator),
            "this needs the operator role; token \"dash\" is a viewer's");
  store::ApiToken ci;
  ci.name = "ci";
  ci.role = "operator";
  ci.repositories = {"infra"};
  EXPECT_EQ(control::refusal(ci, control::Role::kOperator, "infra"), std::nullopt);
  EXPECT_EQ(control::refusal(ci, control::Role::kOperator, "payments"), "token \"ci\" is limited to infra, not payments");
  EXPECT_EQ(control::grant_refusal(ci, control::Role::kViewer, {"infra"}), std::nullopt);
  EXPECT_EQ(control::grant_refusal(ci, control::Role::kAdmin, {"infra"}),
            "an operator's token cannot make a token with the admin role");
  EXPECT_NE(control::grant_refusal(ci, control::Role::kViewer, {}), std::nullopt) << "wider than itself";
  EXPECT_NE(control::grant_refusal(ci, control::Role::kViewer, {"payments"}), std::nullopt);
  store::ApiToken old_admin;  // written before roles
  old_admin.admin = true;
  EXPECT_EQ(control::role_of(old_admin), control::Role::kAdmin);
  EXPECT_EQ(control::role_of(store::ApiToken{}), control::Role::kOperator);
  EXPECT_EQ(control::required_role("GET", "/api/v1/no/such/route"), std::nullopt);
}

// A token of an account acts on its account's repositories only, never on the server's own
// routes; a token of no account (the server's own) acts on every account's.
TEST(Authorization, AnAccountsTokenStaysInItsAccount) {
  store::ApiToken acme;
  acme.name = "acme-admin";
  acme.role = "admin";
  acme.account = "acme";
  store::ApiToken server;
  server.name = "admin";
  server.role = "admin";
  EXPECT_EQ(control::refusal(acme, control::Role::kAdmin, "infra", "acme"), std::nullopt);
  EXPECT_EQ(control::refusal(acme, control::Role::kViewer, "ledger", "beta"),
            "token \"acme-admin\" belongs to account acme, which has no repository ledger");
  EXPECT_NE(control::refusal(acme, control::Role::kViewer, "ledger", ""), std::nullopt)
      << "the server's own repository, or one that does not exist";
  EXPECT_EQ(control::refusal(server, control::Role::kAdmin, "ledger", "beta"), std::nullopt);
  EXPECT_TRUE(control::outside_scope(acme, "ledger", "beta"));
  EXPECT_FALSE(control::outside_scope(acme, "", "")) << "nothing repository-specific";
  EXPECT_TRUE(control::sees_account(acme, "acme"));
  EXPECT_FALSE(control::sees_account(acme, "beta"));
  EXPECT_FALSE(control::sees_account(acme, ""));
  EXPECT_TRUE(control::sees_account(server, "beta"));
  acme.repositories = {"infra"};
  EXPECT_EQ(control::refusal(acme, control::Role::kViewer, "web", "acme"), "token \"acme-admin\" is limited to infra, not web");
  size_t server_only = 0;
  for (const control::RouteRule& r : control::route_rules()) {
    if (!r.server_only) continue;
    ++server_only;
    EXPECT_NE(control::route_refusal(acme, r), std::nullopt) << r.method << " " << r.route;
    EXPECT_EQ(control::route_refusal(server, r), std::nullopt) << r.method << " " << r.route;
  }
  EXPECT_GE(server_only, 3u);
  EXPECT_TRUE(control::rule_for("POST", "/api/v1/accounts")->server_only);
  EXPECT_TRUE(control::rule_for("POST", "/api/v1/worker/join-tokens")->server_only);
  EXPECT_EQ(control::bad_account_name("acme-corp"), std::nullopt);
  EXPECT_EQ(control::bad_account_name("Acme"), "the name holds 'A'");
  EXPECT_NE(control::bad_account_name("-acme"), std::nullopt);
  EXPECT_NE(control::bad_account_name(std::string(40, 'a')), std::nullopt);
  EXPECT_NE(control::bad_account_name(""), std::nullopt);
}

// A worker's tokens have no role: whatever the table does not open to them is refused, however
// the record came to be marked (an "admin" flag on a worker credential grants nothing).
TEST(Authorization, WorkerTokensReachOnlyTheRoutesOpenedToThem) {
  store::ApiToken join;
  join.name = "fleet";
  join.role = control::kWorkerJoinRole;
  store::ApiToken worker;
  worker.name = "w1";
  worker.role = control::kWorkerRole;
  worker.admin = true;
  EXPECT_EQ(control::kind_of(join), control::TokenKind::kWorkerJoin);
  EXPECT_EQ(control::role_of(worker), control::Role::kNone);
  EXPECT_EQ(control::role_label(worker), "worker");
  const control::RouteRule* reg = control::rule_for("POST", "/api/v1/worker/register");
  const control::RouteRule* lease = control::rule_for("POST", "/api/v1/worker/lease");
  const control::RouteRule* runs = control::rule_for("GET", "/api/v1/runs");
  ASSERT_TRUE(reg && lease && runs);
  EXPECT_EQ(control::route_refusal(join, *reg), std::nullopt);
  EXPECT_NE(control::route_refusal(join, *lease), std::nullopt);
  EXPECT_EQ(control::route_refusal(worker, *reg), std::nullopt);
  EXPECT_EQ(control::route_refusal(worker, *lease), std::nullopt);
  EXPECT_NE(control::route_refusal(worker, *runs), std::nullopt);
  EXPECT_NE(control::refusal(worker, control::Role::kViewer), std::nullopt) << "the state backend asks by role";
  EXPECT_NE(control::grant_refusal(worker, control::Role::kViewer, {}), std::nullopt);
  for (const control::RouteRule& r : control::route_rules())
    if (r.worker || r.worker_join) {
      EXPECT_EQ(std::string(r.route).rfind("/api/v1/worker/", 0), 0u) << r.route << ": a worker's token beyond the protocol";
    }
}

}  // namespace
}  // namespace strata::server

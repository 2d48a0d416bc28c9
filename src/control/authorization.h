// Who may do what (DESIGN §11.6, #25): the four roles and the one table that says what each
// request of the server's API needs. Every route of /api/v1, the worker protocol and the state
// backend is checked against it in one place (server/api/api.cc's who_asks); a route missing
// from the table is refused to everyone, and a test keeps the router and the table in step.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace strata::control {

// Each role may do everything the ones before it may.
//   viewer:     read runs, logs, workers, repositories, what states hold (not their data)
//   operator:   start, cancel and apply runs; read and write Terraform state (Terraform's own use)
//   maintainer: register repositories, set variable sets
//   admin:      tokens of any role, workers, raw state versions, restores, force-unlocks, audit
// kNone: a worker's token, which has no role in the API at all.
enum class Role { kNone = 0, kViewer = 1, kOperator = 2, kMaintainer = 3, kAdmin = 4 };

// What a token is for: the API (with a role), registering workers (a join token: admin-made,
// expiring), or speaking for one registered worker (the credential registering hands it).
enum class TokenKind { kApi, kWorkerJoin, kWorker };
TokenKind kind_of(const store::ApiToken& token);
inline constexpr const char* kWorkerJoinRole = "worker-join";
inline constexpr const char* kWorkerRole = "worker";

std::optional<Role> parse_role(std::string_view name);
const char* role_name(Role role);
// A token's role (an older record without one: admin when marked admin, else operator); kNone
// for a worker's token.
Role role_of(const store::ApiToken& token);
// The role as the API shows it: "operator", …, "worker-join", "worker".
std::string role_label(const store::ApiToken& token);

struct RouteRule {
  std::string_view method;  // as the router has it; the state backend's forced acts are named
                            // "UNLOCK!" (an UNLOCK without LockInfo) and "POST!" (?force=true)
  std::string_view route;   // the router's pattern ("/api/v1/runs/{id}"), or "/tfstate/{key}"
  Role role;
  // Which worker tokens may call it besides API tokens of `role`: a join token only registers;
  // a worker's credential only speaks the worker protocol (as its own worker).
  bool worker_join = false;
  bool worker = false;
};
// Every route the server answers with a token, and the least role that may call it.
const std::vector<RouteRule>& route_rules();
// nullopt for a route the table does not name.
std::optional<Role> required_role(std::string_view method, std::string_view route);
const RouteRule* rule_for(std::string_view method, std::string_view route);

// Why `token` may not call the route `rule` names on `repository`, for a 403; nullopt when it
// may. A worker's token is checked by kind; an API token by role and repositories (refusal).
std::optional<std::string> route_refusal(const store::ApiToken& token, const RouteRule& rule,
                                         std::string_view repository = "");

// Why `token` may not do what needs `needed` on `repository` ("" = nothing repository-specific),
// for a 403; nullopt when it may. Names the role needed and the one the token has, or the
// repositories it is limited to.
std::optional<std::string> refusal(const store::ApiToken& token, Role needed, std::string_view repository = "");

// Whether `token` may give a new token `role` limited to `repositories` (empty = every one):
// never more than it has itself. nullopt when it may; else why not.
std::optional<std::string> grant_refusal(const store::ApiToken& token, Role role,
                                         const std::vector<std::string>& repositories);

// Whether `token` is limited to some repositories and `repository` is not one of them.
bool outside_scope(const store::ApiToken& token, std::string_view repository);

}  // namespace strata::control

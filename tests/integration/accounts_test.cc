// Accounts (#25): organisations that own repositories on one server, through the real binaries on
// loopback. Two accounts, each with its own admin token, register a repository and plan it
// (tofu-sim, a simulator); neither sees or touches anything of the other's — repositories, runs,
// logs, states, variables, tokens, audit entries — and neither may do the server's own business
// (accounts, workers). The server's own admin sees every account. An account's requests share
// one rate limit: its burst is answered 429 while another account goes on.
#include "tests/integration/server_support.h"

namespace strata::testing {
namespace {

CliResult remote_as(const TestProject& where, const ServerProcess& server, const std::string& token,
                    std::vector<std::string> args) {
  args.insert(args.begin(), "remote");
  return where.run(args, {{"STRATA_SERVER", server.url()}, {"STRATA_TOKEN", token}, {"HOME", where.path("home")},
                          {"STRATA_CA_CERT", server.ca_file()}});
}

// An admin token of `account`, made by the server's own admin with `strata remote tokens create`.
std::string account_admin(const TestProject& project, const ServerProcess& server, const std::string& account) {
  CliResult made = remote(project, server,
                          {"tokens", "create", "--name", account + "-admin", "--role", "admin", "--account", account});
  EXPECT_EQ(made.exit_code, 0) << made.err;
  return made.out.substr(0, made.out.find('\n'));
}

std::vector<std::string> names(const nlohmann::json& list, const char* key = "name") {
  std::vector<std::string> out;
  for (const auto& item : list) out.push_back(item[key].get<std::string>());
  return out;
}

TEST(Accounts, NothingOfOneAccountIsVisibleToAnotherAndTheServersOwnSeesEveryOne) {
  GitProject project;
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}});
  ASSERT_TRUE(server.ready());
  for (const char* name : {"acme", "beta"}) {
    CliResult created = remote(project, server, {"accounts", "create", name});
    ASSERT_EQ(created.exit_code, 0) << created.err;
    EXPECT_NE(created.out.find(std::string("created account ") + name + " (local)"), std::string::npos) << created.out;
  }
  CliResult twice = remote(project, server, {"accounts", "create", "acme"});
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_NE(twice.err.find("there is an account acme already"), std::string::npos) << twice.err;
  CliResult badly = remote(project, server, {"accounts", "create", "Acme_Corp"});
  EXPECT_EQ(badly.exit_code, 1);
  EXPECT_NE(badly.err.find("account name \"Acme_Corp\" cannot be used: the name holds 'A'"), std::string::npos)
      << badly.err;
  CliResult unknown = remote(project, server, {"tokens", "create", "--name", "x", "--role", "viewer", "--account", "gamma"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("there is no account gamma"), std::string::npos) << unknown.err;

  const std::string acme = account_admin(project, server, "acme");
  const std::string beta = account_admin(project, server, "beta");
  ASSERT_EQ(acme.rfind("strata_", 0), 0u);
  // Each account registers (into its own account, by default) and plans a repository.
  std::map<std::string, std::string> runs;
  for (const auto& [token, repo] : {std::pair{acme, std::string("acme-infra")}, std::pair{beta, std::string("beta-infra")}}) {
    CliResult added = remote_as(project, server, token, {"repos", "add", repo, project.root(), "--json"});
    ASSERT_EQ(added.exit_code, 0) << added.err;
    EXPECT_EQ(nlohmann::json::parse(added.out)["account"], repo.substr(0, 4));
    CliResult plan = remote_as(project, server, token, {"runs", "start", repo, "plan", "dev", "--wait", "--json"});
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    runs[repo] = nlohmann::json::parse(plan.out)["id"];
    ASSERT_EQ(server.send("PUT", "/api/v1/repositories/" + repo + "/variables/REGION", R"({"value":"eu-1"})", token).status, 200);
  }
  ASSERT_EQ(post_state(server, "beta-infra/dev/network", state_json(1, "l-beta", "beta-secret")).status, 200);
  ASSERT_EQ(post_state(server, "acme-infra/dev/network", state_json(1, "l-acme", "acme-marker")).status, 200);

  // acme's admin: lists hold acme's records only.
  EXPECT_EQ(names(json_of(server.send("GET", "/api/v1/repositories", "", acme))["repositories"]),
            std::vector<std::string>{"acme-infra"});
  nlohmann::json acme_runs = json_of(server.send("GET", "/api/v1/runs", "", acme))["runs"];
  ASSERT_EQ(acme_runs.size(), 1u) << acme_runs.dump(2);
  EXPECT_EQ(acme_runs[0]["id"], runs["acme-infra"]);
  nlohmann::json states = json_of(server.send("GET", "/api/v1/states", "", acme))["states"];
  EXPECT_EQ(names(states, "key"), std::vector<std::string>{"acme-infra/dev/network"}) << states.dump(2);
  EXPECT_EQ(names(json_of(server.send("GET", "/api/v1/accounts", "", acme))["accounts"]),
            std::vector<std::string>{"acme"});
  nlohmann::json tokens = json_of(server.send("GET", "/api/v1/tokens", "", acme))["tokens"];
  EXPECT_EQ(names(tokens), std::vector<std::string>{"acme-admin"}) << "an account admin sees its account's tokens";

  // beta's records, by name or id, are refused with one answer whether or not they exist.
  const std::string beta_token_id = json_of(server.send("GET", "/api/v1/tokens", "", beta))["tokens"][0]["id"];
  for (const auto& [method, path, body] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"GET", "/api/v1/runs/" + runs["beta-infra"], ""},
           {"GET", "/api/v1/runs/" + runs["beta-infra"] + "/logs", ""},
           {"POST", "/api/v1/runs/" + runs["beta-infra"] + "/cancel", ""},
           {"POST", "/api/v1/runs", R"({"repository":"beta-infra","command":"plan","all":true})"},
           {"GET", "/api/v1/repositories/beta-infra/variables", ""},
           {"PUT", "/api/v1/repositories/beta-infra/variables/X", R"({"value":"y"})"},
           {"GET", "/api/v1/states/beta-infra%2Fdev%2Fnetwork", ""},
           {"GET", "/api/v1/states/beta-infra%2Fdev%2Fnetwork/versions/1", ""},
           {"DELETE", "/api/v1/states/beta-infra%2Fdev%2Fnetwork/lock", ""}}) {
    auto r = server.send(method, path, body, acme);
    EXPECT_EQ(r.status, 403) << method << " " << path << ": " << r.body;
    EXPECT_NE(error_message(r).find("token \"acme-admin\" belongs to account acme, which has no repository beta-infra"),
              std::string::npos)
        << method << " " << path << ": " << r.body;
    EXPECT_EQ(r.body.find("beta-secret"), std::string::npos);
  }
  auto missing = server.send("POST", "/api/v1/runs", R"({"repository":"no-such","command":"plan","all":true})", acme);
  EXPECT_EQ(missing.status, 403) << "a repository that does not exist looks like another account's: " << missing.body;
  app::HttpRequest tf;
  tf.url = server.url() + "/tfstate/beta-infra/dev/network";
  tf.headers["Authorization"] = "Basic " + secrets::base64_encode("terraform:" + acme);
  app::HttpResponse read = app::make_curl_client({server.ca_file()})->send(tf);
  EXPECT_EQ(read.status, 403) << read.body;
  EXPECT_EQ(read.body.find("beta-secret"), std::string::npos);
  EXPECT_EQ(server.send("DELETE", "/api/v1/tokens/" + beta_token_id, "", acme).status, 404);
  // Nor the server's own business, whatever the role; nor another account's tokens or repositories.
  for (const auto& [path, body] : std::vector<std::pair<std::string, std::string>>{
           {"/api/v1/accounts", R"({"name":"gamma"})"},
           {"/api/v1/worker/join-tokens", R"({"name":"w"})"},
           {"/api/v1/worker/register", R"({"id":"w","name":"w","version":"0.1.0","capabilities":[]})"}}) {
    auto r = server.send("POST", path, body, acme);
    EXPECT_EQ(r.status, 403) << path << ": " << r.body;
    EXPECT_NE(error_message(r).find("is the server's own"), std::string::npos) << path << ": " << r.body;
  }
  auto foreign = server.send("POST", "/api/v1/tokens", R"({"name":"spy","role":"viewer","account":"beta"})", acme);
  EXPECT_EQ(foreign.status, 403) << foreign.body;
  auto planted = server.send("POST", "/api/v1/repositories", R"({"name":"planted","url":"/x","account":"beta"})", acme);
  EXPECT_EQ(planted.status, 403) << planted.body;
  // What acme's admin makes belongs to acme and reaches no further.
  nlohmann::json ci = json_of(server.send("POST", "/api/v1/tokens", R"({"name":"acme-ci","role":"operator"})", acme));
  ASSERT_TRUE(ci.contains("token")) << ci.dump();
  EXPECT_EQ(ci["account"], "acme");
  EXPECT_EQ(server.send("GET", "/api/v1/runs/" + runs["beta-infra"], "", ci["token"]).status, 403);
  EXPECT_EQ(server.send("GET", "/api/v1/runs/" + runs["acme-infra"], "", ci["token"]).status, 200);

  // The audit log: acme's admin reads acme's entries only, every one of them acme's.
  CliResult acme_audit = remote_as(project, server, acme, {"audit", "--json", "--limit", "1000"});
  ASSERT_EQ(acme_audit.exit_code, 0) << acme_audit.err;
  nlohmann::json entries = nlohmann::json::parse(acme_audit.out)["entries"];
  std::set<std::string> actions;
  for (const auto& e : entries) {
    EXPECT_EQ(e["account"], "acme") << e.dump();
    actions.insert(e["action"].get<std::string>() + " " + e["actor"].get<std::string>());
  }
  EXPECT_TRUE(actions.count("token.create token:admin (first start)")) << "the server's admin made acme's token";
  EXPECT_TRUE(actions.count("repository.add token:acme-admin"));
  EXPECT_TRUE(actions.count("variable.set token:acme-admin"));
  EXPECT_TRUE(actions.count("access.denied token:acme-admin"));
  EXPECT_TRUE(actions.count("token.create token:acme-admin"));
  for (const auto& e : entries) {
    const std::string actor = e["actor"];
    EXPECT_TRUE(actor == "token:acme-admin" || actor == "token:acme-ci" || actor == "token:admin (first start)")
        << e.dump();
    if (e["outcome"] == "ok") {
      EXPECT_EQ(e.dump().find("beta"), std::string::npos) << e.dump();
    }
  }

  // The server's own admin sees every account, and may read one account's audit entries.
  EXPECT_EQ(names(json_of(server.send("GET", "/api/v1/repositories"))["repositories"]),
            (std::vector<std::string>{"acme-infra", "beta-infra"}));
  EXPECT_EQ(json_of(server.send("GET", "/api/v1/runs"))["runs"].size(), 2u);
  CliResult listed = remote(project, server, {"accounts", "list"});
  EXPECT_NE(listed.out.find("acme  local  rate limit server default"), std::string::npos) << listed.out;
  CliResult beta_audit = remote(project, server, {"audit", "--account", "beta", "--json", "--limit", "1000"});
  ASSERT_EQ(beta_audit.exit_code, 0) << beta_audit.err;
  const nlohmann::json beta_entries = nlohmann::json::parse(beta_audit.out)["entries"];
  EXPECT_FALSE(beta_entries.empty());
  for (const auto& e : beta_entries) EXPECT_EQ(e["account"], "beta") << e.dump();
  SubprocessResult stopped = server.terminate();
  EXPECT_EQ(stopped.exit_code, 0);
  for (const std::string& t : {acme, beta}) EXPECT_EQ(stopped.stderr_text.find(t), std::string::npos);
}

// One account's tokens share its rate limit: a burst spread over two tokens is answered 429
// with Retry-After; the other account's requests go on.
TEST(Accounts, AnAccountsTokensShareItsRateLimitAndOtherAccountsGoOn) {
  GitProject project;
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}}, {"--workers", "0"});
  ASSERT_TRUE(server.ready());
  ASSERT_EQ(remote(project, server, {"accounts", "create", "busy", "--rate-limit", "1/m:4"}).exit_code, 0);
  ASSERT_EQ(remote(project, server, {"accounts", "create", "calm"}).exit_code, 0);
  CliResult bad = remote(project, server, {"accounts", "create", "fast", "--rate-limit", "lots"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("\"lots\" is not a rate limit"), std::string::npos) << bad.err;
  const std::string busy = account_admin(project, server, "busy");
  const std::string calm = account_admin(project, server, "calm");
  const std::string busy_ci =
      json_of(server.send("POST", "/api/v1/tokens", R"({"name":"busy-ci","role":"viewer"})", busy))["token"];
  // busy spent one (the token above); three more from either of its tokens, then 429.
  EXPECT_EQ(server.send("GET", "/api/v1/runs", "", busy).status, 200);
  EXPECT_EQ(server.send("GET", "/api/v1/runs", "", busy_ci).status, 200);
  EXPECT_EQ(server.send("GET", "/api/v1/runs", "", busy).status, 200);
  auto limited = server.send("GET", "/api/v1/runs", "", busy_ci);
  ASSERT_EQ(limited.status, 429) << limited.body;
  EXPECT_NE(error_message(limited).find("account busy made more requests than its limit"), std::string::npos)
      << limited.body;
  EXPECT_FALSE(limited.header("retry-after").empty());
  app::HttpRequest tf;
  tf.url = server.url() + "/tfstate/nothing/dev/network";
  tf.headers["Authorization"] = "Basic " + secrets::base64_encode("terraform:" + busy);
  EXPECT_EQ(app::make_curl_client({server.ca_file()})->send(tf).status, 429) << "the state backend counts too";
  for (int i = 0; i < 10; ++i) EXPECT_EQ(server.send("GET", "/api/v1/runs", "", calm).status, 200) << i;
  EXPECT_EQ(server.send("GET", "/api/v1/runs").status, 200) << "the server's own tokens are not an account's";
  EXPECT_EQ(server.terminate().exit_code, 0);
}

}  // namespace
}  // namespace strata::testing

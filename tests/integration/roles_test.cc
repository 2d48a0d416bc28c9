// Who may do what on `strata server` (#25, first slice), through the real binaries on loopback:
// API tokens with a role made, listed and revoked with `strata remote tokens`; every endpoint ×
// every role from one table below (allowed or 403, nothing in between); tokens limited to some
// repositories; a token never made wider than the one that makes it; denials audited. tofu-sim
// (a simulator) makes the one plan run; both builds run this.
#include "base/percent_escape.h"
#include "tests/integration/server_support.h"

namespace strata::testing {
namespace {

const std::vector<std::string> kRoles = {"viewer", "operator", "maintainer", "admin"};

int rank(const std::string& role) {
  return static_cast<int>(std::find(kRoles.begin(), kRoles.end(), role) - kRoles.begin());
}

struct Case {
  std::string method;
  std::string path;  // {run} is the plan run's id
  std::string body;
  std::string least;  // the least role allowed
  bool basic = false;  // /tfstate: the token as Terraform sends it
  bool joins = false;    // a worker join token may call it too
  bool workers = false;  // a worker's credential may call it too
};

std::string lock_body() {
  return R"({"ID":"matrix-lock","Operation":"OperationTypeApply","Info":"","Who":"t@h","Version":"1.11.4","Created":"2026-12-07T06:00:00Z","Path":""})";
}

// Every endpoint, and the least role that may call it. Ids that do not exist are fine: an
// allowed caller then gets 404 or 400, never 403.
std::vector<Case> matrix() {
  const std::string state = R"({"version":4,"serial":1,"lineage":"l-matrix","outputs":{},"resources":[]})";
  return {
      {"GET", "/api/v1/repositories", "", "viewer"},
      {"POST", "/api/v1/repositories", R"({"name":"infra","url":"/nowhere"})", "maintainer"},
      {"GET", "/api/v1/repositories/infra/variables", "", "viewer"},
      {"PUT", "/api/v1/repositories/infra/variables/MATRIX", R"({"value":"x"})", "maintainer"},
      {"DELETE", "/api/v1/repositories/infra/variables/NOPE", "", "maintainer"},
      {"GET", "/api/v1/runs", "", "viewer"},
      {"POST", "/api/v1/runs", R"({"repository":"infra","command":"plan","stacks":["nope"]})", "operator"},
      {"GET", "/api/v1/runs/{run}", "", "viewer"},
      {"POST", "/api/v1/runs/no-such-run/cancel", "", "operator"},
      {"POST", "/api/v1/runs/no-such-run/apply", "", "operator"},
      {"GET", "/api/v1/runs/{run}/logs", "", "viewer"},
      {"GET", "/api/v1/workers", "", "viewer"},
      {"GET", "/api/v1/states", "", "viewer"},
      {"GET", "/api/v1/states/infra%2Fdev%2Fnetwork", "", "viewer"},
      {"GET", "/api/v1/states/infra%2Fdev%2Fnetwork/versions", "", "viewer"},
      {"GET", "/api/v1/states/infra%2Fdev%2Fnetwork/versions/1", "", "admin"},
      {"POST", "/api/v1/states/infra%2Fdev%2Fnope/versions/1/restore", "", "admin"},
      {"DELETE", "/api/v1/states/infra%2Fdev%2Fnope/lock", "", "admin"},
      {"GET", "/api/v1/audit", "", "admin"},
      {"GET", "/api/v1/tokens", "", "viewer"},
      {"POST", "/api/v1/tokens", R"({"name":"made","role":"viewer"})", "viewer"},
      {"DELETE", "/api/v1/tokens/no-such-token", "", "viewer"},
      {"POST", "/api/v1/worker/join-tokens", R"({"expires_in_minutes":0})", "admin"},
      {"POST", "/api/v1/worker/register", "{}", "admin", false, true, true},
      {"POST", "/api/v1/worker/lease", "{}", "admin", false, false, true},
      {"GET", "/api/v1/worker/activities/x/code?fencing_token=1", "", "admin", false, false, true},
      {"GET", "/api/v1/worker/activities/x/outputs?fencing_token=1&stack=a&component=b", "", "admin", false, false, true},
      {"GET", "/api/v1/worker/activities/x/lock?fencing_token=1&stack=a&component=b", "", "admin", false, false, true},
      {"POST", "/api/v1/worker/activities/x/start", "{}", "admin", false, false, true},
      {"POST", "/api/v1/worker/activities/x/heartbeat", "{}", "admin", false, false, true},
      {"POST", "/api/v1/worker/activities/x/logs?fencing_token=1&seq=0", "line\n", "admin", false, false, true},
      {"POST", "/api/v1/worker/activities/x/release", "{}", "admin", false, false, true},
      {"POST", "/api/v1/worker/activities/x/plan", "{}", "admin", false, false, true},
      {"POST", "/api/v1/worker/activities/x/finish", "{}", "admin", false, false, true},
      {"GET", "/tfstate/infra/dev/network", "", "operator", true},
      {"POST", "/tfstate/infra/dev/matrix", state, "operator", true},
      {"LOCK", "/tfstate/infra/dev/matrix", lock_body(), "operator", true},
      {"UNLOCK", "/tfstate/infra/dev/matrix", lock_body(), "operator", true},
      {"POST", "/tfstate/infra/dev/matrix?force=true", state, "admin", true},
      {"UNLOCK", "/tfstate/infra/dev/matrix", "", "admin", true},  // terraform force-unlock
      {"DELETE", "/tfstate/infra/dev/matrix", "", "admin", true},
  };
}

app::HttpResponse call(ServerProcess& server, const Case& c, const std::string& token, const std::string& run) {
  std::string path = c.path;
  if (auto at = path.find("{run}"); at != std::string::npos) path.replace(at, 5, run);
  app::HttpRequest r;
  r.method = c.method;
  r.url = server.url() + path;
  r.body = c.body;
  if (!c.body.empty()) r.headers["Content-Type"] = c.path.find("/logs?") != std::string::npos ? "text/plain" : "application/json";
  r.headers["Authorization"] =
      c.basic ? "Basic " + secrets::base64_encode("terraform:" + token) : "Bearer " + token;
  return app::make_curl_client({server.ca_file()})->send(r);
}

// Makes a token through the API with `maker`; its record with "token".
nlohmann::json make_token(ServerProcess& server, const std::string& maker, const nlohmann::json& body) {
  return json_of(server.send("POST", "/api/v1/tokens", body.dump(), maker));
}

TEST(Roles, EveryEndpointAllowsItsRolesAndRefusesTheOthersAndSaysWhy) {
  GitProject project;
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}});
  ASSERT_TRUE(server.ready());
  ASSERT_EQ(remote(project, server, {"repos", "add", "infra", project.root()}).exit_code, 0);
  CliResult plan = remote(project, server, {"runs", "start", "infra", "plan", "dev", "--wait", "--json"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  const std::string run = nlohmann::json::parse(plan.out)["id"];
  ASSERT_EQ(post_state(server, "infra/dev/network", state_json(1, "l-net", "m")).status, 200);

  std::map<std::string, std::string> tokens;
  for (const std::string& role : kRoles) {
    nlohmann::json made = make_token(server, server.token(), {{"name", "t-" + role}, {"role", role}});
    ASSERT_TRUE(made.contains("token")) << made.dump(2);
    EXPECT_EQ(made["role"], role);
    tokens[role] = made["token"];
  }
  // A worker's tokens: a join token, and the credential registering with it gave.
  nlohmann::json join = json_of(server.send("POST", "/api/v1/worker/join-tokens", R"({"name":"matrix"})"));
  ASSERT_TRUE(join.contains("token")) << join.dump(2);
  EXPECT_EQ(join["role"], "worker-join");
  auto joined = server.send("POST", "/api/v1/worker/register",
                            R"({"id":"w-matrix","name":"matrix","version":"0.1.0","capabilities":["terraform"]})",
                            join["token"].get<std::string>());
  ASSERT_EQ(joined.status, 201) << joined.body;
  const std::string credential = json_of(joined).value("credential", "");
  ASSERT_FALSE(credential.empty()) << joined.body;
  for (const Case& c : matrix()) {
    for (const auto& [kind, token, allowed] :
         {std::tuple{std::string("worker join token"), join["token"].get<std::string>(), c.joins},
          std::tuple{std::string("worker's credential"), credential, c.workers}}) {
      app::HttpResponse r = call(server, c, token, run);
      const std::string what = c.method + " " + c.path + " with a " + kind + ": " + std::to_string(r.status) + " " + r.body;
      if (!allowed) {
        EXPECT_EQ(r.status, 403) << what;
        EXPECT_NE(error_message(r).find("is a " + kind), std::string::npos) << what;
      } else {
        EXPECT_NE(r.status, 403) << what;
        EXPECT_NE(r.status, 401) << what;
        EXPECT_LT(r.status, 500) << what;
      }
    }
    for (const std::string& role : kRoles) {
      app::HttpResponse r = call(server, c, tokens[role], run);
      const std::string what = c.method + " " + c.path + " as " + role + ": " + std::to_string(r.status) + " " + r.body;
      if (rank(role) < rank(c.least)) {
        EXPECT_EQ(r.status, 403) << what;
        EXPECT_NE(error_message(r).find("needs the " + c.least + " role"), std::string::npos) << what;
      } else {
        EXPECT_NE(r.status, 403) << what;
        EXPECT_NE(r.status, 401) << what;
        EXPECT_LT(r.status, 500) << what;
      }
    }
  }
  // Denials are audited with the token as actor.
  nlohmann::json entries = json_of(server.send("GET", "/api/v1/audit?limit=1000"))["entries"];
  size_t denials = 0;
  for (const auto& e : entries)
    if (e["action"] == "access.denied" && e["actor"] == "token:t-viewer") ++denials;
  EXPECT_GE(denials, 20u) << entries.dump(2).substr(0, 3000);
  EXPECT_EQ(server.terminate().exit_code, 0);
}

TEST(Roles, TokensAreShownOnceLimitedToTheirRepositoriesNeverWiderThanTheirMakerAndRevoked) {
  GitProject project;
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}});
  ASSERT_TRUE(server.ready());
  ASSERT_EQ(remote(project, server, {"repos", "add", "infra", project.root()}).exit_code, 0);
  ASSERT_EQ(remote(project, server, {"repos", "add", "payments", project.root()}).exit_code, 0);
  CliResult plan = remote(project, server, {"runs", "start", "infra", "plan", "dev", "--wait", "--json"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  const std::string infra_run = nlohmann::json::parse(plan.out)["id"];

  // `strata remote tokens create`: the token on stdout, once; the rest on stderr.
  CliResult created = remote(project, server,
                             {"tokens", "create", "--name", "ci", "--role", "operator", "--repository", "payments",
                              "--expires", "90d"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string ci = created.out.substr(0, created.out.find('\n'));
  EXPECT_EQ(ci.rfind("strata_", 0), 0u) << created.out;
  EXPECT_NE(created.err.find("shown this once"), std::string::npos) << created.err;
  CliResult listed = remote(project, server, {"tokens", "list", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(listed.out.find(ci), std::string::npos) << "a token shown again";
  EXPECT_EQ(listed.out.find(secrets::hex_encode(secrets::sha256(ci))), std::string::npos) << "a hash shown";
  nlohmann::json list = nlohmann::json::parse(listed.out)["tokens"];
  ASSERT_EQ(list.size(), 2u) << list.dump(2);
  EXPECT_EQ(list[1]["name"], "ci");
  EXPECT_EQ(list[1]["role"], "operator");
  EXPECT_EQ(list[1]["repositories"], nlohmann::json::array({"payments"}));
  EXPECT_TRUE(list[1]["expires_at"].is_string());
  const std::string ci_id = list[1]["id"];

  // Limited to payments: infra's run, state and variables are refused; lists show none of it.
  EXPECT_EQ(server.send("GET", "/api/v1/runs/" + infra_run, "", ci).status, 403);
  auto start = server.send("POST", "/api/v1/runs", R"({"repository":"infra","command":"plan","all":true})", ci);
  EXPECT_EQ(start.status, 403) << start.body;
  EXPECT_NE(error_message(start).find("token \"ci\" is limited to payments, not infra"), std::string::npos) << start.body;
  EXPECT_EQ(json_of(server.send("GET", "/api/v1/runs", "", ci))["runs"].size(), 0u);
  EXPECT_EQ(json_of(server.send("GET", "/api/v1/repositories", "", ci))["repositories"].size(), 1u);
  EXPECT_EQ(server.send("GET", "/api/v1/repositories/infra/variables", "", ci).status, 403);
  ASSERT_EQ(post_state(server, "infra/dev/network", state_json(1, "l-net", "m")).status, 200);
  app::HttpRequest tf;
  tf.url = server.url() + "/tfstate/infra/dev/network";
  tf.headers["Authorization"] = "Basic " + secrets::base64_encode("terraform:" + ci);
  EXPECT_EQ(app::make_curl_client({})->send(tf).status, 403);
  EXPECT_EQ(json_of(server.send("GET", "/api/v1/states", "", ci))["states"].size(), 0u);
  EXPECT_EQ(server.send("POST", "/api/v1/runs", R"({"repository":"payments","command":"plan","all":true})", ci).status,
            201);

  // Never wider than its maker: not a higher role, not another repository, not every one.
  auto wider = make_token(server, ci, {{"name", "boss"}, {"role", "admin"}, {"repositories", {"payments"}}});
  EXPECT_NE(wider.dump().find("an operator's token cannot make a token with the admin role"), std::string::npos)
      << wider.dump();
  EXPECT_NE(make_token(server, ci, {{"name", "x"}, {"role", "viewer"}}).dump().find("must name repositories"),
            std::string::npos);
  nlohmann::json narrow = make_token(server, ci, {{"name", "dash"}, {"role", "viewer"}, {"repositories", {"payments"}}});
  ASSERT_TRUE(narrow.contains("token")) << narrow.dump();
  EXPECT_EQ(json_of(server.send("GET", "/api/v1/tokens", "", ci))["tokens"].size(), 2u) << "itself and what it made";
  auto bad = server.send("POST", "/api/v1/tokens", R"({"name":"x","role":"root"})", ci);
  EXPECT_EQ(bad.status, 400) << bad.body;
  bad = server.send("POST", "/api/v1/tokens", R"({"name":"x","role":"viewer","expires_in_days":0,"repositories":["payments"]})", ci);
  EXPECT_EQ(bad.status, 400) << bad.body;

  // Used: its last use is kept. Revoked: refused at once, by the API and the state backend.
  nlohmann::json mine = json_of(server.send("GET", "/api/v1/tokens", "", ci))["tokens"];
  EXPECT_TRUE(mine[0]["last_used_at"].is_string()) << mine.dump(2);
  CliResult revoked = remote(project, server, {"tokens", "revoke", ci_id});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  EXPECT_NE(revoked.out.find("revoked token ci"), std::string::npos) << revoked.out;
  EXPECT_EQ(server.send("GET", "/api/v1/runs", "", ci).status, 401);
  tf.url = server.url() + "/tfstate/payments/dev/network";
  EXPECT_EQ(app::make_curl_client({})->send(tf).status, 401);
  EXPECT_EQ(remote(project, server, {"tokens", "revoke", ci_id}).exit_code, 1) << "revoked already";
  EXPECT_EQ(remote(project, server, {"tokens", "create", "--name", "x", "--role", "viewer", "--expires", "soon"}).exit_code, 1);

  nlohmann::json entries = audit(server);
  std::vector<std::string> actions;
  for (const auto& e : entries) actions.push_back(e["action"].get<std::string>() + " " + e["actor"].get<std::string>());
  auto has = [&](const std::string& a) { return std::find(actions.begin(), actions.end(), a) != actions.end(); };
  EXPECT_TRUE(has("token.create token:admin (first start)")) << join(actions);
  EXPECT_TRUE(has("token.create token:ci")) << join(actions);
  EXPECT_TRUE(has("token.revoke token:admin (first start)")) << join(actions);
  EXPECT_TRUE(has("access.denied token:ci")) << join(actions);
  EXPECT_EQ(entries.dump().find(ci), std::string::npos) << "a token in the audit log";
  // `strata remote audit` with filters.
  CliResult denials = remote(project, server, {"audit", "--actor", "token:ci", "--action", "access.", "--since", "1h"});
  ASSERT_EQ(denials.exit_code, 0) << denials.err;
  EXPECT_NE(denials.out.find("token:ci  access.denied  GET /api/v1/runs/" + infra_run + "  denied"), std::string::npos)
      << denials.out;
  EXPECT_EQ(denials.out.find("token.create"), std::string::npos) << denials.out;
  CliResult made = remote(project, server, {"audit", "--action", "token.", "--json"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_EQ(nlohmann::json::parse(made.out)["entries"].size(), 3u) << made.out;
  EXPECT_EQ(remote(project, server, {"audit", "--since", "yesterday"}).exit_code, 1);
  SubprocessResult stopped = server.terminate();
  EXPECT_EQ(stopped.exit_code, 0);
  EXPECT_EQ(stopped.stderr_text.find(ci), std::string::npos) << "a token in the server's log";
  EXPECT_EQ(database_bytes(server).find(ci), std::string::npos) << "a token in the database";
}

// Workers join with a join token, never an API token: `strata remote workers join-token` makes
// one (admin, expiring); `strata worker` exchanges it for its own credential, which leases and
// reports only as that worker and for the activities it holds. A second registration replaces
// the credential; a revoked join token registers nobody, while workers it joined keep working.
TEST(Roles, WorkersJoinWithAJoinTokenAndSpeakOnlyForThemselves) {
  GitProject project;
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}}, {"--workers", "0"});
  ASSERT_TRUE(server.ready());
  ASSERT_EQ(remote(project, server, {"repos", "add", "infra", project.root()}).exit_code, 0);
  EXPECT_EQ(remote(project, server, {"workers", "join-token", "--expires", "never"}).exit_code, 1)
      << "a join token always expires";
  CliResult made = remote(project, server, {"workers", "join-token", "--name", "fleet", "--expires", "2h"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string join_token = made.out.substr(0, made.out.find('\n'));
  EXPECT_EQ(join_token.rfind("strata_", 0), 0u) << made.out;
  EXPECT_NE(made.err.find("STRATA_WORKER_TOKEN"), std::string::npos) << made.err;

  // What a join token may not do: read runs, make tokens, touch state.
  auto runs = server.send("GET", "/api/v1/runs", "", join_token);
  EXPECT_EQ(runs.status, 403) << runs.body;
  EXPECT_NE(error_message(runs).find("is a worker join token"), std::string::npos) << runs.body;
  EXPECT_EQ(server.send("POST", "/api/v1/tokens", R"({"name":"x","role":"viewer"})", join_token).status, 403);
  EXPECT_EQ(server.send("POST", "/api/v1/worker/join-tokens", "{}", join_token).status, 403);
  app::HttpRequest tf;
  tf.url = server.url() + "/tfstate/infra/dev/network";
  tf.headers["Authorization"] = "Basic " + secrets::base64_encode("terraform:" + join_token);
  EXPECT_EQ(app::make_curl_client({server.ca_file()})->send(tf).status, 403);

  // A real worker started with the join token runs a plan.
  {
    WorkerProcess worker(server, "w-real", {{"STRATA_ENGINE", tofu_sim_binary()}, {"STRATA_WORKER_TOKEN", join_token}});
    CliResult plan = remote(project, server, {"runs", "start", "infra", "plan", "dev", "--wait"});
    EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
    SubprocessResult stopped = worker.terminate();
    EXPECT_EQ(stopped.stderr_text.find(join_token), std::string::npos) << "the join token in the worker's log";
  }
  nlohmann::json tokens = json_of(server.send("GET", "/api/v1/tokens"))["tokens"];
  std::vector<nlohmann::json> credentials;
  for (const auto& t : tokens)
    if (t["role"] == "worker") credentials.push_back(t);
  ASSERT_EQ(credentials.size(), 1u) << tokens.dump(2);
  EXPECT_EQ(credentials[0]["name"], "w-real");
  EXPECT_TRUE(credentials[0]["worker_id"].is_string());
  EXPECT_TRUE(credentials[0]["last_used_at"].is_string()) << credentials[0].dump();

  // Two workers registered by hand: each credential speaks for its own worker only.
  auto enrol = [&](const std::string& id) {
    auto r = server.send("POST", "/api/v1/worker/register",
                         R"({"id":")" + id + R"(","name":")" + id + R"(","version":"0.1.0","capabilities":["terraform"]})",
                         join_token);
    EXPECT_EQ(r.status, 201) << r.body;
    return json_of(r).value("credential", "");
  };
  const std::string a = enrol("w-a"), b = enrol("w-b");
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  EXPECT_NE(a, b);
  auto as_other = server.send("POST", "/api/v1/worker/lease", R"({"worker_id":"w-b","wait_ms":0})", a);
  EXPECT_EQ(as_other.status, 403) << as_other.body;
  EXPECT_NE(error_message(as_other).find("speaks for worker w-a"), std::string::npos) << as_other.body;
  EXPECT_EQ(server.send("POST", "/api/v1/worker/register",
                        R"({"id":"w-b","name":"b","version":"0.1.0","capabilities":["terraform"]})", a)
                .status,
            403);
  EXPECT_EQ(server.send("GET", "/api/v1/runs", "", a).status, 403);
  EXPECT_EQ(server.send("GET", "/api/v1/workers", "", a).status, 403);

  ASSERT_EQ(remote(project, server, {"runs", "start", "infra", "plan", "dev"}).exit_code, 0);
  auto leased = server.send("POST", "/api/v1/worker/lease", R"({"worker_id":"w-b","wait_ms":10000})", b);
  ASSERT_EQ(leased.status, 200) << leased.body;
  nlohmann::json activity = json_of(leased)["activity"];
  const std::string path = "/api/v1/worker/activities/" + activity["id"].get<std::string>();
  const std::string fencing = R"({"fencing_token":)" + std::to_string(activity["fencing_token"].get<int64_t>()) + "}";
  // w-a knows the activity and its fencing token, and still cannot act on w-b's lease.
  auto stolen = server.send("POST", path + "/heartbeat", fencing, a);
  EXPECT_EQ(stolen.status, 409) << stolen.body;
  EXPECT_EQ(json_of(stolen)["error"]["code"], "lease_lost");
  EXPECT_EQ(server.send("GET", path + "/code?fencing_token=" + std::to_string(activity["fencing_token"].get<int64_t>()),
                        "", a)
                .status,
            409);
  EXPECT_EQ(server.send("POST", path + "/heartbeat", fencing, b).status, 200) << "w-b still holds it";
  EXPECT_EQ(server.send("POST", path + "/release", fencing, b).status, 200);

  // Registering again replaces a worker's credential; the old one stops at once.
  const std::string a2 = enrol("w-a");
  EXPECT_EQ(server.send("POST", "/api/v1/worker/lease", R"({"worker_id":"w-a","wait_ms":0})", a).status, 401);
  EXPECT_NE(server.send("POST", "/api/v1/worker/lease", R"({"worker_id":"w-a","wait_ms":0})", a2).status, 401);

  // A revoked join token registers nobody; the credentials it gave still work until revoked.
  std::string join_id;
  tokens = json_of(server.send("GET", "/api/v1/tokens"))["tokens"];
  for (const auto& t : tokens)
    if (t["role"] == "worker-join" && t["name"] == "fleet") join_id = t["id"];
  ASSERT_FALSE(join_id.empty()) << tokens.dump(2);
  CliResult revoked = remote(project, server, {"tokens", "revoke", join_id});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  EXPECT_NE(revoked.out.find("fleet"), std::string::npos) << revoked.out;
  EXPECT_EQ(server.send("POST", "/api/v1/worker/register",
                        R"({"id":"w-c","name":"c","version":"0.1.0","capabilities":["terraform"]})", join_token)
                .status,
            401);
  EXPECT_NE(server.send("POST", "/api/v1/worker/lease", R"({"worker_id":"w-b","wait_ms":0})", b).status, 401);

  nlohmann::json entries = audit(server);
  std::vector<std::string> actions;
  for (const auto& e : entries) actions.push_back(e["action"].get<std::string>() + " " + e["actor"].get<std::string>());
  auto has = [&](const std::string& x) { return std::find(actions.begin(), actions.end(), x) != actions.end(); };
  EXPECT_TRUE(has("worker.join_token.create token:admin (first start)")) << join(actions);
  EXPECT_TRUE(has("worker.join token:fleet")) << join(actions);
  EXPECT_TRUE(has("access.denied token:fleet")) << join(actions);
  EXPECT_TRUE(has("access.denied worker:w-a")) << join(actions);
  SubprocessResult stopped = server.terminate();
  EXPECT_EQ(stopped.exit_code, 0);
  for (const std::string& secret : {join_token, a, a2, b}) {
    EXPECT_EQ(stopped.stderr_text.find(secret), std::string::npos) << "a worker token in the server's log";
    EXPECT_EQ(entries.dump().find(secret), std::string::npos) << "a worker token in the audit log";
    EXPECT_EQ(database_bytes(server).find(secret), std::string::npos) << "a worker token in the database";
  }
}

// Rate limits (#25): past its burst a token gets 429 with Retry-After, while other tokens, the
// same token's worker-protocol calls and the state backend's own bucket go on; an address that
// sent too many refused credentials is answered 429 before its next credential is looked at —
// a good one included. Limits per minute here, so a slow machine cannot refill a bucket mid-test.
TEST(Roles, ABurstPastTheRateLimitGets429WithRetryAfterAndOthersGoOn) {
  GitProject project;
  project.write("server.hcl", "rate_limits = {\n  api = \"1/m:6\"\n  state = \"1/m:3\"\n}\n");
  project.write("bad.hcl", "rate_limits = {\n  apis = \"1/m\"\n  worker = \"fast\"\n}\n");
  CliResult bad = project.run({"server", "--config", project.path("bad.hcl"), "--data-dir", project.path("d")});
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
  EXPECT_NE(bad.err.find("bad.hcl:1:15"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("did you mean \"api\""), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("\"fast\" is not a rate limit"), std::string::npos) << bad.err;
  bad = project.run({"server", "--rate-limit", "api", "--data-dir", project.path("d")});
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
  EXPECT_NE(bad.err.find("--rate-limit CLASS=LIMIT"), std::string::npos) << bad.err;

  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}},
                       {"--workers", "0", "--config", project.path("server.hcl"), "--rate-limit", "auth_failures=1/m:3"});
  ASSERT_TRUE(server.ready());
  // The admin's token spends two of its six.
  const std::string alice = make_token(server, server.token(), {{"name", "alice"}, {"role", "operator"}})["token"];
  const std::string bob = make_token(server, server.token(), {{"name", "bob"}, {"role", "operator"}})["token"];
  for (int i = 0; i < 6; ++i) EXPECT_EQ(server.send("GET", "/api/v1/runs", "", alice).status, 200) << i;
  auto limited = server.send("GET", "/api/v1/runs", "", alice);
  ASSERT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(json_of(limited)["error"]["code"], "rate_limited");
  EXPECT_NE(error_message(limited).find("token \"alice\" made more api requests than its limit, 1/m:6"),
            std::string::npos)
      << limited.body;
  const std::string retry = limited.header("retry-after");
  ASSERT_FALSE(retry.empty());
  EXPECT_GE(std::stoi(retry), 1);
  EXPECT_LE(std::stoi(retry), 60);
  EXPECT_EQ(server.send("GET", "/api/v1/runs", "", bob).status, 200) << "another token goes on";

  // The admin's API calls spent: its worker-protocol calls have their own bucket.
  for (int i = 0; i < 4; ++i) EXPECT_EQ(server.send("GET", "/api/v1/workers").status, 200) << i;
  EXPECT_EQ(server.send("GET", "/api/v1/workers").status, 429);
  EXPECT_EQ(server.send("POST", "/api/v1/worker/register",
                        R"({"id":"w","name":"w","version":"0.1.0","capabilities":["terraform"]})")
                .status,
            201);
  EXPECT_EQ(server.send("POST", "/api/v1/worker/lease", R"({"worker_id":"w","wait_ms":0})").status, 204);

  // The state backend: its own bucket (alice's API calls are spent; her state calls are not).
  app::HttpRequest tf;
  tf.url = server.url() + "/tfstate/infra/dev/network";
  tf.headers["Authorization"] = "Basic " + secrets::base64_encode("terraform:" + alice);
  auto client = app::make_curl_client({});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(client->send(tf).status, 404) << i;
  auto state_limited = client->send(tf);
  EXPECT_EQ(state_limited.status, 429) << state_limited.body;
  EXPECT_FALSE(state_limited.header("retry-after").empty());

  // Guessing tokens: three refusals, then 429 for this address whatever it sends.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(server.send("GET", "/api/v1/runs", "", "strata_guess" + std::to_string(i)).status, 401);
  auto guessing = server.send("GET", "/api/v1/runs", "", "strata_guess3");
  EXPECT_EQ(guessing.status, 429) << guessing.body;
  EXPECT_NE(error_message(guessing).find("too many refused credentials from 127.0.0.1"), std::string::npos)
      << guessing.body;
  EXPECT_EQ(server.send("GET", "/api/v1/runs", "", bob).status, 429) << "a good token from the same address waits too";
  tf.headers["Authorization"] = "Basic " + secrets::base64_encode("terraform:strata_guess4");
  EXPECT_EQ(client->send(tf).status, 429) << "and so does the state backend";
  EXPECT_EQ(server.get("/healthz").status, 200) << "what needs no credential is not limited";
  EXPECT_EQ(server.terminate().exit_code, 0);
}

}  // namespace
}  // namespace strata::testing

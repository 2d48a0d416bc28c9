// GitHub webhooks and the stack-code registry (#23), through the real binaries on loopback.
// Deliveries are GitHub's own payload samples (../shared/conformance/github-webhooks/, from
// octokit/webhooks) with the repository, ref and commits rewritten to a real git repository
// the test builds, signed as GitHub signs them (HMAC-SHA256 of the body under the webhook's
// secret). GitHub itself is unreachable here: the test is the sender. Plans run on in-process
// workers with tofu-sim, a simulator.
#include <mutex>

#include "github/webhook.h"
#include "server/http_server.h"
#include "tests/integration/server_support.h"
#include "tests/support/conformance.h"

namespace strata::testing {
namespace {

constexpr const char* kSecret = "It's a Secret to Everybody";

// dev: network ← app (app reads network's output), db; tools: ci. Each its own module folder.
class RegistryProject : public GitProject {
 public:
  RegistryProject() {
    std::filesystem::remove_all(path("stacks"));
    std::filesystem::remove_all(path("modules"));
    for (const char* m : {"net", "app", "db", "ci"}) write(std::string("modules/") + m + "/main.tf", kModule);
    write("stacks/dev.js",
          "stack('dev');\n"
          "const network = component('network', 'modules/net', { inputs: { in: 'net' }, mock_outputs: { out: 'x' } });\n"
          "component('app', 'modules/app', { inputs: { in: `${network.out}-app` } });\n"
          "component('db', 'modules/db', { inputs: { in: 'db' } });\n");
    write("stacks/tools.js", "stack('tools');\ncomponent('ci', 'modules/ci', { inputs: { in: 'ci' } });\n");
    commit("two stacks");
    write("secret", std::string(kSecret) + "\n");
  }
  std::string head() {
    std::string out;
    EXPECT_EQ(run_tool({"git", "rev-parse", "HEAD"}, root(), &out), 0);
    return out.substr(0, 40);
  }
};

// A push of `before`..`after` to `ref` of GitHub repository `full_name`: GitHub's sample payload
// with those rewritten.
std::string push_payload(const std::string& full_name, const std::string& url, const std::string& before,
                         const std::string& after, bool forced = false, const std::string& ref = "refs/heads/main") {
  nlohmann::json p = nlohmann::json::parse(
      read_file(conformance_dir() + "/github-webhooks/octokit-webhooks/payload-examples/api.github.com/push/1.payload.json"));
  p["ref"] = ref;
  p["before"] = before;
  p["after"] = after;
  p["created"] = false;
  p["deleted"] = false;
  p["forced"] = forced;
  p["repository"]["full_name"] = full_name;
  p["repository"]["name"] = full_name.substr(full_name.find('/') + 1);
  p["repository"]["clone_url"] = url;
  p["repository"]["default_branch"] = "main";
  p["repository"]["master_branch"] = "main";
  return p.dump();
}

// POST /webhooks/github as GitHub sends it; `signature` nullopt: signed with kSecret.
app::HttpResponse deliver(ServerProcess& server, const std::string& event, const std::string& delivery,
                          const std::string& body, std::optional<std::string> signature = std::nullopt) {
  app::HttpRequest r;
  r.method = "POST";
  r.url = server.url() + "/webhooks/github";
  r.body = body;
  r.headers["Content-Type"] = "application/json";
  r.headers["User-Agent"] = "GitHub-Hookshot/044aadd";
  r.headers["X-GitHub-Event"] = event;
  r.headers["X-GitHub-Delivery"] = delivery;
  std::string sig = signature ? *signature : github::signature_header(kSecret, body);
  if (!sig.empty()) r.headers["X-Hub-Signature-256"] = sig;
  return app::make_curl_client({server.ca_file()})->send(r);
}

nlohmann::json deliveries(ServerProcess& server) {
  return json_of(server.send("GET", "/api/v1/webhook-deliveries"))["deliveries"];
}

// The delivery once processed (not queued or processing), waiting up to a minute.
nlohmann::json processed(ServerProcess& server, const std::string& id) {
  nlohmann::json found;
  bool done = eventually([&] {
    const nlohmann::json all = deliveries(server);
    for (const auto& d : all)
      if (d["id"] == id && d["status"] != "queued" && d["status"] != "processing") {
        found = d;
        return true;
      }
    return false;
  }, 60s);
  EXPECT_TRUE(done) << "delivery " << id << " was not processed: " << deliveries(server).dump(2);
  return found;
}

std::map<std::string, nlohmann::json> states_by_stack(ServerProcess& server) {
  std::map<std::string, nlohmann::json> out;
  app::HttpResponse r = server.send("GET", "/api/v1/stack-states");
  EXPECT_EQ(r.status, 200) << r.body;
  const nlohmann::json listed = json_of(r);  // kept: a range-for over a temporary's member dangles
  for (const auto& s : listed["stack_states"]) out[s["stack"]] = s;
  return out;
}

std::vector<std::string> event_kinds(ServerProcess& server, const std::string& kind) {
  std::vector<std::string> out;
  const nlohmann::json listed = json_of(server.send("GET", "/api/v1/events?kind=" + kind));
  for (const auto& e : listed["events"])
    out.push_back(e["kind"].get<std::string>() + " " + e["subject"].get<std::string>());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> activities_of(ServerProcess& server, const std::string& run_id) {
  std::vector<std::string> out;
  const nlohmann::json run = json_of(server.send("GET", "/api/v1/runs/" + run_id));
  for (const auto& a : run["activities"])
    out.push_back(a["stack"].get<std::string>() + "/" + a["component"].get<std::string>());
  std::sort(out.begin(), out.end());
  return out;
}

// The registry end to end: a first push registers every stack (no plan); a push that edits one
// module plans only its component and what depends on it; a push that deletes a stack makes its
// stack state loose with its Terraform state kept; re-associating it with stack code of other
// components is refused, with the same components it moves the state; a force-push that drops
// the commit a stack state was registered at raises an alert.
TEST(GitHubWebhooks, PushesKeepTheStackCodeRegistryAndPlanWhatChanged) {
  STRATA_REQUIRE_CONFORMANCE(conformance);
  RegistryProject project;
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}});
  ASSERT_TRUE(server.ready());
  CliResult added = remote(project, server,
                           {"repos", "add", "infra", project.root(), "--github", "Acme/Infra", "--webhook-secret-file",
                            project.path("secret")});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_NE(added.out.find("GitHub acme/infra"), std::string::npos) << added.out;
  nlohmann::json repos = json_of(server.send("GET", "/api/v1/repositories"))["repositories"];
  ASSERT_EQ(repos.size(), 1u);
  EXPECT_EQ(repos[0]["webhook_secret_set"], true);
  EXPECT_EQ(repos[0].dump().find(kSecret), std::string::npos) << "the secret is never answered back";

  // GitHub's ping when the webhook is made.
  nlohmann::json ping = nlohmann::json::parse(
      read_file(conformance + "/github-webhooks/octokit-webhooks/payload-examples/api.github.com/ping/payload.json"));
  ping["repository"]["full_name"] = "acme/infra";
  app::HttpResponse pinged = deliver(server, "ping", "ping-1", ping.dump());
  EXPECT_EQ(pinged.status, 202) << pinged.body;
  EXPECT_EQ(processed(server, "ping-1")["outcome"], "pong: hook 109948940 reaches infra");

  const std::string c1 = project.head();
  app::HttpResponse first = deliver(server, "push", "push-1", push_payload("acme/infra", project.root(), github::kNoCommit, c1));
  EXPECT_EQ(first.status, 202) << first.body;
  EXPECT_EQ(json_of(first)["status"], "queued");
  nlohmann::json d1 = processed(server, "push-1");
  EXPECT_EQ(d1["status"], "done") << d1.dump(2);
  EXPECT_NE(d1["outcome"].get<std::string>().find("registered 4, updated 0, deregistered 0"), std::string::npos) << d1;
  std::map<std::string, nlohmann::json> states = states_by_stack(server);
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states["dev"]["status"], "active");
  EXPECT_EQ(states["dev"]["components"], nlohmann::json({"app", "db", "network"}));
  EXPECT_EQ(states["tools"]["commit"], c1);
  EXPECT_EQ(event_kinds(server, "module_registered"),
            (std::vector<std::string>{"module_registered dev/app", "module_registered dev/db",
                                      "module_registered dev/network", "module_registered tools/ci"}));
  EXPECT_TRUE(json_of(server.send("GET", "/api/v1/runs"))["runs"].empty()) << "the first push only registers";

  // Edit the network module: network and app (which reads its output) are planned, nothing else.
  project.write("modules/net/main.tf", std::string(kModule) + "\n# a change\n");
  project.commit("network changes");
  const std::string c2 = project.head();
  EXPECT_EQ(deliver(server, "push", "push-2", push_payload("acme/infra", project.root(), c1, c2)).status, 202);
  nlohmann::json d2 = processed(server, "push-2");
  ASSERT_EQ(d2["status"], "done") << d2.dump(2);
  std::string outcome = d2["outcome"];
  ASSERT_NE(outcome.find("plan run "), std::string::npos) << outcome;
  const std::string run_id = outcome.substr(outcome.find("plan run ") + 9, 36);
  EXPECT_EQ(activities_of(server, run_id), (std::vector<std::string>{"dev/app", "dev/network"}));
  nlohmann::json run = run_when_ended(server, run_id);
  EXPECT_EQ(run["status"], "succeeded") << run.dump(2);
  EXPECT_EQ(run["commit"], c2);
  EXPECT_EQ(run["selection"]["dependents"], true);
  EXPECT_EQ(event_kinds(server, "module_updated"), (std::vector<std::string>{"module_updated dev/network"}));

  // A push to another branch leaves the registry alone.
  EXPECT_EQ(deliver(server, "push", "push-branch",
                    push_payload("acme/infra", project.root(), c1, c2, false, "refs/heads/feature")).status,
            202);
  EXPECT_EQ(processed(server, "push-branch")["outcome"], "a push to feature: the stack-code registry follows main");

  // tools/ci has Terraform state on the server; then its stack file is deleted.
  ASSERT_EQ(post_state(server, "infra/tools/ci", state_json(3, "lineage-ci", "ci-state")).status, 200);
  std::filesystem::remove(project.path("stacks/tools.js"));
  project.commit("tools go");
  const std::string c3 = project.head();
  EXPECT_EQ(deliver(server, "push", "push-3", push_payload("acme/infra", project.root(), c2, c3)).status, 202);
  nlohmann::json d3 = processed(server, "push-3");
  EXPECT_NE(d3["outcome"].get<std::string>().find("deregistered 1, loose stacks tools"), std::string::npos) << d3;
  CliResult loose = remote(project, server, {"stacks", "list", "--loose"});
  ASSERT_EQ(loose.exit_code, 0) << loose.err;
  EXPECT_NE(loose.out.find("infra  tools  loose  ci"), std::string::npos) << loose.out;
  EXPECT_EQ(loose.out.find("dev"), std::string::npos) << "--loose lists loose ones only: " << loose.out;
  const std::string loose_id = states_by_stack(server)["tools"]["id"];
  nlohmann::json kept = json_of(server.send("GET", "/api/v1/states/infra%2Ftools%2Fci"));
  EXPECT_EQ(kept["serial"], 3) << "a loose stack state keeps its Terraform state: " << kept.dump();

  // The code comes back as stack tools2 (the same component): registered as new.
  project.write("stacks/tools2.js", "stack('tools2');\ncomponent('ci', 'modules/ci', { inputs: { in: 'ci' } });\n");
  project.commit("tools return as tools2");
  const std::string c4 = project.head();
  EXPECT_EQ(deliver(server, "push", "push-4", push_payload("acme/infra", project.root(), c3, c4)).status, 202);
  EXPECT_EQ(processed(server, "push-4")["status"], "done");

  // Re-associating with stack code of other components is refused, and changes nothing.
  CliResult wrong = remote(project, server, {"stacks", "associate", loose_id, "dev"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("the components differ: loose stack state " + loose_id +
                           " (stack tools) holds state for ci; stack dev has app, db, network"),
            std::string::npos)
      << wrong.err;
  EXPECT_EQ(states_by_stack(server)["tools"]["status"], "loose");
  CliResult right = remote(project, server, {"stacks", "associate", loose_id, "tools2"});
  ASSERT_EQ(right.exit_code, 0) << right.err;
  EXPECT_NE(right.out.find("stack state " + loose_id + " now belongs to stack tools2 of infra (ci)"), std::string::npos)
      << right.out;
  states = states_by_stack(server);
  EXPECT_EQ(states.count("tools"), 0u);
  EXPECT_EQ(states["tools2"]["id"], loose_id) << "the loose state took the place of the fresh one";
  EXPECT_EQ(states["tools2"]["status"], "active");
  nlohmann::json moved = json_of(server.send("GET", "/api/v1/states/infra%2Ftools2%2Fci"));
  EXPECT_EQ(moved["serial"], 3) << moved.dump();
  EXPECT_EQ(moved["lineage"], "lineage-ci");
  EXPECT_EQ(server.send("GET", "/api/v1/states/infra%2Ftools%2Fci").status, 404) << "the old key no longer holds it";
  CliResult again = remote(project, server, {"stacks", "associate", loose_id, "tools2"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("is active: only a loose stack state is re-associated"), std::string::npos) << again.err;

  // A force-push that drops c4 (where tools2 was registered) for a commit with the same files.
  project.git({"reset", "-q", "--hard", c3});
  project.write("stacks/tools2.js", "stack('tools2');\ncomponent('ci', 'modules/ci', { inputs: { in: 'ci' } });\n");
  project.commit("tools return, rewritten");
  const std::string c5 = project.head();
  EXPECT_EQ(deliver(server, "push", "push-5", push_payload("acme/infra", project.root(), c4, c5, true)).status, 202);
  nlohmann::json d5 = processed(server, "push-5");
  EXPECT_NE(d5["outcome"].get<std::string>().find("1 stack state(s) alerted"), std::string::npos) << d5;
  EXPECT_EQ(states_by_stack(server)["tools2"]["alert"],
            "commit " + c4.substr(0, 12) + " is no longer in the history of main: a force-push to " + c5.substr(0, 12) +
                " dropped it");
  EXPECT_EQ(event_kinds(server, "force_push_alert"), (std::vector<std::string>{"force_push_alert tools2"}));
  CliResult listed = remote(project, server, {"stacks", "list"});
  EXPECT_NE(listed.out.find("ALERT: commit " + c4.substr(0, 12)), std::string::npos) << listed.out;
  CliResult events = remote(project, server, {"events", "--kind", "stack_state_"});
  EXPECT_NE(events.out.find("stack_state_loose  tools"), std::string::npos) << events.out;
  EXPECT_NE(events.out.find("stack_state_associated  tools2"), std::string::npos) << events.out;
}

// What a stranger can send: each is refused or ignored as specified, and nothing is recorded,
// registered or run.
TEST(GitHubWebhooks, ForgedReplayedOversizedAndUnknownDeliveriesChangeNothing) {
  STRATA_REQUIRE_CONFORMANCE(conformance);
  RegistryProject project;
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}});
  ASSERT_TRUE(server.ready());
  ASSERT_EQ(remote(project, server, {"repos", "add", "infra", project.root(), "--github", "acme/infra",
                                     "--webhook-secret-file", project.path("secret")}).exit_code,
            0);
  const std::string body = push_payload("acme/infra", project.root(), github::kNoCommit, project.head());

  app::HttpResponse forged = deliver(server, "push", "f-1", body, github::signature_header("not the secret", body));
  EXPECT_EQ(forged.status, 401);
  EXPECT_EQ(error_message(forged), "X-Hub-Signature-256 does not match the body under the secret of infra");
  app::HttpResponse other_body = deliver(server, "push", "f-2", body, github::signature_header(kSecret, body + " "));
  EXPECT_EQ(other_body.status, 401);
  app::HttpResponse unsigned_ = deliver(server, "push", "f-3", body, std::string());
  EXPECT_EQ(unsigned_.status, 401);
  EXPECT_EQ(error_message(unsigned_), "the request has no X-Hub-Signature-256 header");
  app::HttpResponse stranger = deliver(server, "push", "f-4", push_payload("evil/infra", project.root(), github::kNoCommit,
                                                                           project.head()));
  EXPECT_EQ(stranger.status, 404);
  EXPECT_EQ(error_message(stranger), "no repository is registered for GitHub repository evil/infra");
  app::HttpResponse no_event = deliver(server, "", "f-5", body);
  EXPECT_EQ(no_event.status, 400);
  EXPECT_EQ(error_message(no_event), "the request has no X-GitHub-Event header");
  app::HttpResponse not_json = deliver(server, "push", "f-6", "payload=%7B%7D");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(error_message(not_json), "the body is not a JSON object");
  // Larger than the server takes (10 MiB): refused before it is read whole.
  std::string huge = body;
  huge.insert(huge.size() - 1, ",\"padding\":\"" + std::string(11 * 1024 * 1024, 'x') + "\"");
  EXPECT_EQ(deliver(server, "push", "f-7", huge).status, 413);
  EXPECT_EQ(deliver(server, "push", "f-8", body, std::string("sha256=") + std::string(64, '0')).status, 401);
  EXPECT_EQ(deliver(server, "push", "f-9", body, "sha1=abc").status, 401);

  EXPECT_TRUE(deliveries(server).empty()) << "nothing refused is recorded: " << deliveries(server).dump(2);
  EXPECT_TRUE(json_of(server.send("GET", "/api/v1/stack-states"))["stack_states"].empty());
  std::this_thread::sleep_for(1500ms);  // the processor's next look would have found anything queued
  EXPECT_TRUE(json_of(server.send("GET", "/api/v1/stack-states"))["stack_states"].empty());

  // The real delivery, then the same delivery replayed once processed: acknowledged, ignored.
  EXPECT_EQ(deliver(server, "push", "d-1", body).status, 202);
  EXPECT_EQ(processed(server, "d-1")["status"], "done");
  size_t events = json_of(server.send("GET", "/api/v1/events"))["events"].size();
  EXPECT_GT(events, 0u);
  app::HttpResponse replayed = deliver(server, "push", "d-1", body);
  EXPECT_EQ(replayed.status, 200) << replayed.body;
  EXPECT_EQ(json_of(replayed)["message"], "delivery d-1 was received before (done): nothing more to do");
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(json_of(server.send("GET", "/api/v1/events"))["events"].size(), events) << "a replay changes nothing";
  EXPECT_EQ(deliveries(server).size(), 1u);

  // An event strata does not act on is acknowledged and recorded, not an error.
  nlohmann::json star = nlohmann::json::parse(body);
  star["action"] = "created";
  EXPECT_EQ(deliver(server, "star", "s-1", star.dump()).status, 202);
  EXPECT_EQ(processed(server, "s-1")["outcome"], "strata does not act on star events");
  EXPECT_EQ(processed(server, "s-1")["status"], "ignored");
  EXPECT_TRUE(json_of(server.send("GET", "/api/v1/runs"))["runs"].empty()) << "nothing ran";

  // Registering a GitHub repository needs its secret; and one strata repository per GitHub one.
  CliResult no_secret = remote(project, server, {"repos", "add", "infra2", project.root(), "--github", "acme/infra2"});
  EXPECT_EQ(no_secret.exit_code, 1);
  EXPECT_NE(no_secret.err.find("--github needs --webhook-secret-file"), std::string::npos) << no_secret.err;
  app::HttpResponse api_no_secret = server.send(
      "POST", "/api/v1/repositories",
      nlohmann::json{{"name", "infra2"}, {"url", project.root()}, {"github", "acme/infra2"}}.dump());
  EXPECT_EQ(api_no_secret.status, 422);
  EXPECT_EQ(error_message(api_no_secret), "GitHub repository acme/infra2 needs a webhook secret");
  app::HttpResponse twice = server.send(
      "POST", "/api/v1/repositories",
      nlohmann::json{{"name", "infra3"}, {"url", project.root()}, {"github", "ACME/infra"}, {"webhook_secret", "x"}}.dump());
  EXPECT_EQ(twice.status, 409);
  EXPECT_EQ(error_message(twice), "GitHub repository acme/infra is registered already, as infra");
  app::HttpResponse bad_name = server.send(
      "POST", "/api/v1/repositories",
      nlohmann::json{{"name", "infra4"}, {"url", project.root()}, {"github", "acme"}, {"webhook_secret", "x"}}.dump());
  EXPECT_EQ(bad_name.status, 422);
  EXPECT_EQ(error_message(bad_name), "GitHub repository \"acme\" cannot be used: it is not OWNER/NAME");
}

// With auto-destroy, a stack whose code a push removes is destroyed with the code it had, and
// its stack state ends "destroyed" instead of loose.
TEST(GitHubWebhooks, AutoDestroyDestroysAStackWhoseCodeIsRemoved) {
  STRATA_REQUIRE_CONFORMANCE(conformance);
  RegistryProject project;
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}});
  ASSERT_TRUE(server.ready());
  CliResult added = remote(project, server, {"repos", "add", "infra", project.root(), "--github", "acme/infra",
                                             "--webhook-secret-file", project.path("secret"), "--auto-destroy-loose",
                                             "--json"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_EQ(nlohmann::json::parse(added.out)["auto_destroy"], true);
  const std::string c1 = project.head();
  deliver(server, "push", "a-1", push_payload("acme/infra", project.root(), github::kNoCommit, c1));
  ASSERT_EQ(processed(server, "a-1")["status"], "done");
  std::filesystem::remove(project.path("stacks/tools.js"));
  project.commit("tools go");
  deliver(server, "push", "a-2", push_payload("acme/infra", project.root(), c1, project.head()));
  nlohmann::json d = processed(server, "a-2");
  EXPECT_NE(d["outcome"].get<std::string>().find("loose stacks tools, destroying tools"), std::string::npos) << d;
  nlohmann::json state;
  ASSERT_TRUE(eventually([&] {
    state = states_by_stack(server)["tools"];
    return state["status"] == "destroyed";
  }, 60s)) << state.dump(2);
  nlohmann::json run = run_when_ended(server, state["destroy_run"]);
  EXPECT_EQ(run["command"], "destroy");
  EXPECT_EQ(run["commit"], c1) << "destroyed with the code it had";
  EXPECT_EQ(activities_of(server, state["destroy_run"]), (std::vector<std::string>{"tools/ci"}));
  EXPECT_EQ(event_kinds(server, "stack_state_destroy"),
            (std::vector<std::string>{"stack_state_destroyed tools", "stack_state_destroying tools"}));
  EXPECT_EQ(states_by_stack(server)["dev"]["status"], "active");
}

// A push whose project does not load fails its delivery and deregisters nothing.
TEST(GitHubWebhooks, ABrokenCommitLeavesTheRegistryAsItWas) {
  STRATA_REQUIRE_CONFORMANCE(conformance);
  RegistryProject project;
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}});
  ASSERT_TRUE(server.ready());
  ASSERT_EQ(remote(project, server, {"repos", "add", "infra", project.root(), "--github", "acme/infra",
                                     "--webhook-secret-file", project.path("secret")}).exit_code,
            0);
  const std::string c1 = project.head();
  deliver(server, "push", "b-1", push_payload("acme/infra", project.root(), github::kNoCommit, c1));
  ASSERT_EQ(processed(server, "b-1")["status"], "done");
  project.write("stacks/dev.js", "stack('dev');\ncomponent('network', \n");
  project.commit("broken");
  deliver(server, "push", "b-2", push_payload("acme/infra", project.root(), c1, project.head()));
  nlohmann::json failed = processed(server, "b-2");
  EXPECT_EQ(failed["status"], "failed");
  EXPECT_NE(failed["outcome"].get<std::string>().find("the project does not load at commit"), std::string::npos) << failed;
  EXPECT_NE(failed["outcome"].get<std::string>().find("stacks/dev.js:"), std::string::npos)
      << "the error names the file as the repository does: " << failed;
  std::map<std::string, nlohmann::json> states = states_by_stack(server);
  EXPECT_EQ(states["dev"]["status"], "active");
  EXPECT_EQ(states["tools"]["status"], "active");
  EXPECT_EQ(json_of(server.send("GET", "/api/v1/repositories"))["repositories"][0]["registry_commit"], c1);
}

// GitHub's REST API as strata calls it, faked on loopback (GitHub is unreachable here): it
// records every request and answers as GitHub does — ids for new check runs and comments, a
// user's permission from a table.
class FakeGitHub {
 public:
  struct Call {
    std::string method, path;
    nlohmann::json body;
  };
  std::map<std::string, std::string> permissions = {{"octocat", "admin"}};

  FakeGitHub() {
    HttpServer::Options o;
    o.port = 0;
    o.threads = 1;
    server_ = std::make_unique<HttpServer>(o, [this](Request& request, Responder responder) {
      responder.send(answer(request));
    });
    server_->start();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  std::vector<Call> calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  // The calls whose method is `method` and whose path ends with `suffix`.
  std::vector<Call> calls(const std::string& method, const std::string& suffix) {
    std::vector<Call> out;
    for (const Call& c : calls())
      if (c.method == method && c.path.size() >= suffix.size() &&
          c.path.compare(c.path.size() - suffix.size(), suffix.size(), suffix) == 0)
        out.push_back(c);
    return out;
  }

 private:
  Response answer(const Request& r) {
    std::lock_guard lock(mutex_);
    nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
    calls_.push_back({r.method, r.path, body.is_discarded() ? nlohmann::json() : body});
    if (r.header("authorization") != "Bearer ghp_fake_token") return error_response(401, "unauthorized", "Bad credentials");
    if (r.method == "POST" && r.path.ends_with("/check-runs")) return json_response(201, {{"id", 9000000000 + ++ids_}});
    if (r.method == "POST" && r.path.ends_with("/comments")) return json_response(201, {{"id", 500 + ++ids_}});
    if (r.method == "PATCH") return json_response(200, nlohmann::json::object());
    if (r.method == "GET" && r.path.ends_with("/permission")) {
      std::string user = r.path.substr(0, r.path.size() - 11);
      user = user.substr(user.rfind('/') + 1);
      auto it = permissions.find(user);
      return json_response(200, {{"permission", it == permissions.end() ? "read" : it->second}});
    }
    return error_response(404, "not_found", "Not Found");
  }
  std::mutex mutex_;
  std::vector<Call> calls_;
  int64_t ids_ = 0;
  std::unique_ptr<HttpServer> server_;
};

// GitHub's pull_request sample, rewritten to pull request `number` of acme/infra from `head_ref`
// at `head_sha` (from `head_repo`: another repository for a fork).
std::string pull_request_payload(const std::string& action, int number, const std::string& head_sha,
                                 const std::string& head_ref, bool merged = false,
                                 const std::string& head_repo = "acme/infra") {
  nlohmann::json p = nlohmann::json::parse(read_file(
      conformance_dir() + "/github-webhooks/octokit-webhooks/payload-examples/api.github.com/pull_request/opened.payload.json"));
  p["action"] = action;
  p["number"] = number;
  p["pull_request"]["number"] = number;
  p["pull_request"]["head"]["sha"] = head_sha;
  p["pull_request"]["head"]["ref"] = head_ref;
  p["pull_request"]["head"]["repo"]["full_name"] = head_repo;
  p["pull_request"]["base"]["ref"] = "main";
  p["pull_request"]["merged"] = merged;
  p["pull_request"]["state"] = action == "closed" ? "closed" : "open";
  p["pull_request"]["merge_commit_sha"] = merged ? head_sha : "";
  p["repository"]["full_name"] = "acme/infra";
  return p.dump();
}

std::string comment_payload(int number, const std::string& body, const std::string& user,
                            const std::string& association) {
  nlohmann::json p = nlohmann::json::parse(read_file(
      conformance_dir() + "/github-webhooks/octokit-webhooks/payload-examples/api.github.com/issue_comment/created.payload.json"));
  p["issue"]["number"] = number;
  p["issue"]["pull_request"] = {{"url", "https://api.github.com/repos/acme/infra/pulls/" + std::to_string(number)}};
  p["comment"]["body"] = body;
  p["comment"]["user"]["login"] = user;
  p["comment"]["author_association"] = association;
  p["repository"]["full_name"] = "acme/infra";
  return p.dump();
}

// A pull request end to end, reported to a fake GitHub: one check run per head, one comment
// edited on every push, a plan of the changed components and their dependents, `strata plan`
// from a member, `strata apply` refused to a reader, and the merge applying exactly the reviewed
// plan; a fork's pull request is not planned until a maintainer asks.
TEST(GitHubPullRequests, OneCheckRunPerHeadOneEditedCommentAndTheMergeAppliesTheReviewedPlan) {
  STRATA_REQUIRE_CONFORMANCE(conformance);
  FakeGitHub github;
  RegistryProject project;
  project.write("server.hcl", "github = {\n  api_url = \"" + github.url() + "\"\n  token_file = \"gh-token\"\n}\n");
  project.write("gh-token", "ghp_fake_token\n");
  // Plans take 3 s each, so the check run is seen in progress (the reporter looks every second).
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}, {"TOFU_SIM_DELAY_PLAN_MS", "3000"}},
                       {"--config", project.path("server.hcl")});
  ASSERT_TRUE(server.ready());
  ASSERT_EQ(remote(project, server, {"repos", "add", "infra", project.root(), "--github", "acme/infra",
                                     "--webhook-secret-file", project.path("secret")}).exit_code,
            0);
  const std::string c1 = project.head();
  deliver(server, "push", "p-1", push_payload("acme/infra", project.root(), github::kNoCommit, c1));
  ASSERT_EQ(processed(server, "p-1")["status"], "done");

  project.git({"checkout", "-q", "-b", "feature"});
  project.write("modules/net/main.tf", std::string(kModule) + "\n# a change\n");
  project.commit("network changes");
  const std::string c2 = project.head();
  EXPECT_EQ(deliver(server, "pull_request", "pr-1", pull_request_payload("opened", 7, c2, "feature")).status, 202);
  nlohmann::json d1 = processed(server, "pr-1");
  ASSERT_EQ(d1["status"], "done") << d1.dump(2);
  std::string outcome = d1["outcome"];
  ASSERT_NE(outcome.find("plan run "), std::string::npos) << outcome;
  const std::string plan1 = outcome.substr(outcome.find("plan run ") + 9);
  EXPECT_EQ(activities_of(server, plan1), (std::vector<std::string>{"dev/app", "dev/network"}));
  // Reported once the plan ended: the head's check run completed, the comment edited.
  auto completed = [&](const std::string& check) {
    return eventually([&] {
      auto patches = github.calls("PATCH", "/check-runs/" + check);
      return !patches.empty() && patches.back().body["status"] == "completed";
    }, 60s);
  };
  ASSERT_TRUE(completed("9000000001")) << github.calls().size();
  std::vector<std::string> statuses;
  for (const auto& c : github.calls("PATCH", "/check-runs/9000000001")) statuses.push_back(c.body["status"]);
  EXPECT_EQ(statuses, (std::vector<std::string>{"in_progress", "completed"}));
  std::vector<FakeGitHub::Call> created = github.calls("POST", "/check-runs");
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0].path, "/repos/acme/infra/check-runs");
  EXPECT_EQ(created[0].body["head_sha"], c2);
  EXPECT_EQ(created[0].body["status"], "queued");
  nlohmann::json done = github.calls("PATCH", "/check-runs/9000000001").back().body;
  EXPECT_EQ(done["status"], "completed");
  EXPECT_EQ(done["conclusion"], "success");
  EXPECT_EQ(done["external_id"], plan1);
  const std::string summary = done["output"]["summary"];
  EXPECT_NE(summary.find("| `dev/network` | succeeded |"), std::string::npos) << summary;
  EXPECT_NE(summary.find("| `dev/app` | succeeded |"), std::string::npos) << summary;
  EXPECT_EQ(summary.find("dev/db"), std::string::npos) << "db is not affected: " << summary;
  EXPECT_NE(done["output"]["text"].get<std::string>().find("terraform_data.r"), std::string::npos) << done.dump(2);
  ASSERT_EQ(github.calls("POST", "/issues/7/comments").size(), 1u);

  // A second push takes the network change back and changes db instead (nothing depends on db:
  // its apply below needs no other component's state, which tofu-sim does not keep on the
  // server): a new check run for the new head; the same comment, edited.
  project.write("modules/net/main.tf", kModule);
  project.write("modules/db/main.tf", std::string(kModule) + "\n# another\n");
  project.commit("db changes instead");
  const std::string c3 = project.head();
  deliver(server, "pull_request", "pr-2", pull_request_payload("synchronize", 7, c3, "feature"));
  ASSERT_EQ(processed(server, "pr-2")["status"], "done");
  ASSERT_TRUE(completed("9000000003"));
  created = github.calls("POST", "/check-runs");
  ASSERT_EQ(created.size(), 2u) << "one check run per head";
  EXPECT_EQ(created[1].body["head_sha"], c3);
  EXPECT_EQ(github.calls("POST", "/issues/7/comments").size(), 1u) << "never a new comment per push";
  const std::string summary2 = github.calls("PATCH", "/check-runs/9000000003").back().body["output"]["summary"];
  EXPECT_NE(summary2.find("| `dev/db` | succeeded | 1 | 0 | 0 |"), std::string::npos) << summary2;
  EXPECT_EQ(summary2.find("dev/network"), std::string::npos) << "what the pull request no longer changes: " << summary2;
  const size_t edits = github.calls("PATCH", "/issues/comments/502").size();
  EXPECT_GE(edits, 3u) << "the comment is edited as the plans go";

  // `strata plan` from a member plans the same head again: its check run is updated, not added.
  deliver(server, "issue_comment", "c-1", comment_payload(7, "strata plan", "octocat", "MEMBER"));
  nlohmann::json replanned = processed(server, "c-1");
  ASSERT_NE(replanned["outcome"].get<std::string>().find("plan run "), std::string::npos) << replanned;
  std::string plan3 = replanned["outcome"].get<std::string>();
  plan3 = plan3.substr(plan3.find("plan run ") + 9);
  nlohmann::json run3 = run_when_ended(server, plan3);
  EXPECT_EQ(run3["status"], "succeeded");
  ASSERT_TRUE(eventually([&] {
    auto patches = github.calls("PATCH", "/check-runs/9000000003");
    return !patches.empty() && patches.back().body["external_id"] == plan3 && patches.back().body["status"] == "completed";
  }, 60s));
  EXPECT_EQ(github.calls("POST", "/check-runs").size(), 2u);

  // `strata apply` from someone who may only read is refused, and said so on the pull request.
  deliver(server, "issue_comment", "c-2", comment_payload(7, "strata apply", "mallory", "NONE"));
  EXPECT_EQ(processed(server, "c-2")["outcome"], "mallory may not apply (no write permission)");
  EXPECT_NE(github.calls("PATCH", "/issues/comments/502").back().body["body"].get<std::string>().find(
                "@mallory may not `strata apply` here"),
            std::string::npos);
  EXPECT_EQ(github.calls("GET", "/collaborators/mallory/permission").size(), 1u);

  // The check run's Apply button, pressed by the same reader: refused too; another app's button
  // is not strata's.
  nlohmann::json button = nlohmann::json::parse(read_file(
      conformance + "/github-webhooks/octokit-webhooks/payload-examples/api.github.com/check_run/requested_action.payload.json"));
  button["repository"]["full_name"] = "acme/infra";
  button["check_run"]["pull_requests"] = nlohmann::json::array({{{"number", 7}}});
  button["sender"]["login"] = "mallory";
  const std::string other_button = button.dump();
  button["requested_action"]["identifier"] = "apply";
  deliver(server, "check_run", "b-1", button.dump());
  EXPECT_EQ(processed(server, "b-1")["outcome"], "mallory may not apply (no write permission)");
  deliver(server, "check_run", "b-2", other_button);
  EXPECT_EQ(processed(server, "b-2")["outcome"], "check run action lgtm|26764 is not strata's");

  // The merge applies exactly the last reviewed plan.
  deliver(server, "pull_request", "pr-3", pull_request_payload("closed", 7, c3, "feature", true));
  nlohmann::json merged = processed(server, "pr-3");
  std::string applied = merged["outcome"];
  ASSERT_NE(applied.find("apply run "), std::string::npos) << merged;
  const std::string apply_id = applied.substr(applied.find("apply run ") + 10);
  nlohmann::json apply = run_when_ended(server, apply_id);
  EXPECT_EQ(apply["status"], "succeeded") << apply.dump(2);
  EXPECT_EQ(apply["plan_run_id"], plan3) << "the reviewed plan, not a fresh one";
  EXPECT_EQ(apply["commit"], c3);
  ASSERT_TRUE(eventually([&] {
    return github.calls("PATCH", "/issues/comments/502").back().body["body"].get<std::string>().find("strata apply") !=
           std::string::npos;
  }, 60s)) << github.calls("PATCH", "/issues/comments/502").back().body.dump();
  EXPECT_EQ(github.calls("POST", "/issues/7/comments").size(), 1u);

  // A fork's pull request waits for a maintainer.
  deliver(server, "pull_request", "pr-4", pull_request_payload("opened", 8, c3, "feature", false, "stranger/infra"));
  EXPECT_EQ(processed(server, "pr-4")["outcome"],
            "pull request #8 is from a fork: waiting for a maintainer's `strata plan`");
  ASSERT_EQ(github.calls("POST", "/issues/8/comments").size(), 1u);
  EXPECT_NE(github.calls("POST", "/issues/8/comments")[0].body["body"].get<std::string>().find("comes from a fork"),
            std::string::npos);
  EXPECT_EQ(github.calls("POST", "/check-runs").size(), 2u) << "no plan, no check run";

  // A maintainer's `strata plan` plans it: its head is a commit of the fork, reachable only
  // through refs/pull/9/head (as GitHub keeps it on the base repository).
  project.git({"checkout", "-q", "--detach", c1});
  project.write("modules/ci/main.tf", std::string(kModule) + "\n# from a fork\n");
  project.commit("a stranger's change");
  const std::string fork_head = project.head();
  project.git({"update-ref", "refs/pull/9/head", fork_head});
  project.git({"checkout", "-q", "main"});
  deliver(server, "pull_request", "pr-5", pull_request_payload("opened", 9, fork_head, "main", false, "stranger/infra"));
  ASSERT_EQ(processed(server, "pr-5")["status"], "done");
  deliver(server, "issue_comment", "c-3", comment_payload(9, "strata plan", "octocat", "OWNER"));
  nlohmann::json fork_plan = processed(server, "c-3");
  ASSERT_NE(fork_plan["outcome"].get<std::string>().find("plan run "), std::string::npos) << fork_plan;
  std::string fork_run = fork_plan["outcome"].get<std::string>();
  fork_run = fork_run.substr(fork_run.find("plan run ") + 9);
  EXPECT_EQ(activities_of(server, fork_run), (std::vector<std::string>{"tools/ci"}));
  EXPECT_EQ(run_when_ended(server, fork_run)["commit"], fork_head);
  ASSERT_EQ(github.calls("POST", "/check-runs").size(), 3u);
  EXPECT_EQ(github.calls("POST", "/check-runs")[2].body["head_sha"], fork_head);
  for (const FakeGitHub::Call& c : github.calls())
    EXPECT_EQ(c.body.dump().find("ghp_fake_token"), std::string::npos) << "the token is never in a body";
}

}  // namespace
}  // namespace strata::testing

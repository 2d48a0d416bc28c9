// GitHub webhooks and the stack-code registry (#23), through the real binaries on loopback.
// Deliveries are GitHub's own payload samples (../shared/conformance/github-webhooks/, from
// octokit/webhooks) with the repository, ref and commits rewritten to a real git repository
// the test builds, signed as GitHub signs them (HMAC-SHA256 of the body under the webhook's
// secret). GitHub itself is unreachable here: the test is the sender. Plans run on in-process
// workers with tofu-sim, a simulator.
#include "github/webhook.h"
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

}  // namespace
}  // namespace strata::testing

// Terraform state kept by `strata server` (#22), through the real binaries on loopback: the
// http backend's checks (serial, lineage, lock ids, bad bodies — refused with a clear 4xx and
// nothing stored), every version listed, pulled and restored with `strata remote state`, locks
// named by who holds them, and force-unlocks that only an admin may do and that the audit log
// records. The real Terraform 1.11.4 test (Release build only) takes the lock, waits on it,
// is SIGKILLed holding it, and is force-unlocked as Terraform's own command does it.
#include "base/percent_escape.h"
#include "store/store.h"
#include "tests/integration/server_support.h"

namespace strata::testing {
namespace {

std::string basic(const std::string& token) { return "Basic " + secrets::base64_encode("terraform:" + token); }

// One request to /tfstate/KEY as Terraform sends it (basic auth with `token`).
app::HttpResponse tfstate(ServerProcess& server, const std::string& method, const std::string& key,
                          const std::string& body, const std::string& token, const std::string& query = "") {
  app::HttpRequest r;
  r.method = method;
  r.url = server.url() + "/tfstate/" + key + query;
  r.body = body;
  if (!body.empty()) r.headers["Content-Type"] = "application/json";
  r.headers["Authorization"] = basic(token);
  return app::make_curl_client({server.ca_file()})->send(r);
}

std::string lock_info(const std::string& id, const std::string& who) {
  return nlohmann::json{{"ID", id},
                        {"Operation", "OperationTypeApply"},
                        {"Info", ""},
                        {"Who", who},
                        {"Version", "1.11.4"},
                        {"Created", "2026-12-07T06:00:00.000000Z"},
                        {"Path", ""}}
      .dump();
}


// A write never takes a state back in time or replaces it with another one: an older serial or
// another lineage is refused with 409 and nothing is stored; an admin can force it, audited.
TEST(StateBackend, RefusesAnOlderSerialOrAnotherLineage) {
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}}, {"--workers", "0"});
  ASSERT_TRUE(server.ready());
  const std::string key = "infra/dev/vpc";
  ASSERT_EQ(post_state(server, key, state_json(3, "lin-a", "three")).status, 200);
  EXPECT_EQ(post_state(server, key, state_json(3, "lin-a", "three again")).status, 200) << "the same serial again";

  auto older = post_state(server, key, state_json(2, "lin-a", "two"));
  EXPECT_EQ(older.status, 409) << older.body;
  EXPECT_NE(error_message(older).find("serial 2 is older than the server's 3"), std::string::npos) << older.body;
  auto other = post_state(server, key, state_json(4, "lin-b", "other"));
  EXPECT_EQ(other.status, 409) << other.body;
  EXPECT_NE(error_message(other).find("it is another state"), std::string::npos) << other.body;

  auto kept = tfstate(server, "GET", key, "", server.token());
  EXPECT_EQ(kept.status, 200);
  EXPECT_NE(kept.body.find("three again"), std::string::npos) << "nothing refused was stored: " << kept.body;
  EXPECT_TRUE(audit(server).empty()) << audit(server).dump(2);

  EXPECT_EQ(post_state(server, key, state_json(1, "lin-b", "forced"), "?force=true").status, 200)
      << "an admin can overwrite";
  EXPECT_NE(tfstate(server, "GET", key, "", server.token()).body.find("forced"), std::string::npos);
  nlohmann::json entries = audit(server);
  ASSERT_EQ(entries.size(), 1u) << entries.dump(2);
  EXPECT_EQ(entries[0]["action"], "state.force_write");
  EXPECT_EQ(entries[0]["target"], key);
  EXPECT_EQ(entries[0]["actor"], "token:admin (first start)");
  EXPECT_EQ(entries[0]["detail"]["serial"], 1);
  EXPECT_EQ(server.terminate().exit_code, 0);
}

// What Terraform never sends, or sends wrong, is a clear 4xx and stores nothing.
TEST(StateBackend, BadRequestsAreRefusedAndNothingIsStored) {
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}}, {"--workers", "0"});
  ASSERT_TRUE(server.ready());
  const std::string key = "infra/dev/db";
  const std::string admin = server.token();
  ASSERT_EQ(post_state(server, key, state_json(1, "lin", "one")).status, 200);

  auto r = tfstate(server, "POST", key, "this is not json", admin);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(error_message(r).find("not a JSON object"), std::string::npos) << r.body;
  EXPECT_EQ(tfstate(server, "POST", key, "[1,2]", admin).status, 400);
  EXPECT_EQ(tfstate(server, "POST", key, std::string(11 * 1024 * 1024, ' '), admin).status, 413);
  r = tfstate(server, "LOCK", key, R"({"Operation":"OperationTypeApply","Who":"me"})", admin);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(error_message(r).find("LockInfo JSON with an ID"), std::string::npos) << r.body;
  EXPECT_EQ(tfstate(server, "LOCK", key, R"({"ID":""})", admin).status, 400);
  EXPECT_EQ(tfstate(server, "UNLOCK", key, "{not json", admin).status, 400);
  r = tfstate(server, "PUT", key, state_json(2, "lin", "put"), admin);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(tfstate(server, "PATCH", key, "{}", admin).status, 405);
  EXPECT_EQ(tfstate(server, "GET", key, "", "strata_wrong").status, 401);
  EXPECT_EQ(tfstate(server, "POST", key, state_json(9, "lin", "anonymous"), "").status, 401);

  // The API's own: a version that is not a number, a key with no state, a limit out of range.
  EXPECT_EQ(server.send("GET", "/api/v1/states/infra%2Fdev%2Fdb/versions/one").status, 400);
  EXPECT_EQ(server.send("GET", "/api/v1/states/infra%2Fdev%2Fdb/versions/0").status, 400);
  EXPECT_EQ(server.send("GET", "/api/v1/states/infra%2Fdev%2Fdb/versions/7").status, 404);
  EXPECT_EQ(server.send("GET", "/api/v1/states/nothing%2Fhere").status, 404);
  EXPECT_EQ(server.send("DELETE", "/api/v1/states/infra%2Fdev%2Fdb/lock").status, 404) << "not locked";
  EXPECT_EQ(server.send("GET", "/api/v1/audit?limit=0").status, 400);
  EXPECT_EQ(server.send("GET", "/api/v1/states", "", std::string()).status, 401);

  // A state of an odd shape, pushed by hand, is kept and described as far as it goes.
  ASSERT_EQ(post_state(server, "odd/shape/x",
                       R"({"version":4,"serial":1,"lineage":"l","outputs":{"o":{"value":1,"sensitive":"yes"}},)"
                       R"("resources":[{"module":5,"type":"t","name":"n"}]})")
                .status,
            200);
  auto odd = server.send("GET", "/api/v1/states/odd%2Fshape%2Fx");
  EXPECT_EQ(odd.status, 200) << odd.body;
  EXPECT_EQ(json_of(odd)["serial"], 1) << odd.body;

  nlohmann::json versions = json_of(server.send("GET", "/api/v1/states/infra%2Fdev%2Fdb/versions"));
  ASSERT_EQ(versions["versions"].size(), 1u) << versions.dump(2);
  EXPECT_EQ(versions["versions"][0]["serial"], 1);
  EXPECT_FALSE(json_of(server.send("GET", "/api/v1/states/infra%2Fdev%2Fdb"))["lock"].is_object());
  EXPECT_TRUE(audit(server).empty()) << audit(server).dump(2);
  EXPECT_EQ(server.terminate().exit_code, 0);
}

// `strata remote state`: push, list, show, versions, pull (any version), restore — refused while
// a lock is held, which `show` names and `unlock` breaks, audited.
TEST(StateBackend, VersionsArePulledAndRestoredAndLocksNamedThroughTheCli) {
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}}, {"--workers", "0"});
  ASSERT_TRUE(server.ready());
  TestProject here;
  const std::string key = "infra/dev/vpc";
  here.write("v1.tfstate", state_json(1, "lin", "first"));
  here.write("v2.tfstate",
             R"({"version":4,"terraform_version":"1.11.4","serial":2,"lineage":"lin","outputs":{"m":{"value":"second","type":"string"},)"
             R"("pw":{"value":"hunter2","type":"string","sensitive":true}},"resources":[{"mode":"managed","type":"terraform_data",)"
             R"("name":"r","provider":"provider[\"terraform.io/builtin/terraform\"]","instances":[{"attributes":{}}]}]})");
  CliResult pushed = remote(here, server, {"state", "push", key, "v1.tfstate"});
  ASSERT_EQ(pushed.exit_code, 0) << pushed.out << pushed.err;
  EXPECT_NE(pushed.out.find("pushed v1.tfstate to infra/dev/vpc (serial 1)"), std::string::npos) << pushed.out;
  ASSERT_EQ(remote(here, server, {"state", "push", key, "v2.tfstate"}).exit_code, 0);
  CliResult stale = remote(here, server, {"state", "push", key, "v1.tfstate"});
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_NE(stale.err.find("serial 1 is older than the server's 2"), std::string::npos) << stale.err;
  here.write("bad.tfstate", "{\"hello\": 1}");
  CliResult bad = remote(here, server, {"state", "push", key, "bad.tfstate"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("bad.tfstate is not a Terraform state"), std::string::npos) << bad.err;
  post_state(server, "other/dev/x", state_json(1, "o", "x"));

  CliResult list = remote(here, server, {"state", "list", "infra/"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("infra/dev/vpc  version 2  serial 2"), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find("other/dev/x"), std::string::npos) << list.out;

  CliResult show = remote(here, server, {"state", "show", key});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("version 2, serial 2, lineage lin"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("not locked"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("    terraform_data.r\n"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("    pw (sensitive)"), std::string::npos) << show.out;
  EXPECT_EQ(show.out.find("hunter2"), std::string::npos) << "show prints no value: " << show.out;

  CliResult pulled = remote(here, server, {"state", "pull", key, "--version", "1"});
  ASSERT_EQ(pulled.exit_code, 0) << pulled.err;
  EXPECT_EQ(pulled.out, state_json(1, "lin", "first"));
  EXPECT_NE(remote(here, server, {"state", "pull", key}).out.find("second"), std::string::npos);

  // A run holds the lock: show names it, a restore is refused naming it, a retried LOCK with the
  // same ID is still the holder's, another ID gets 423 with the holder's LockInfo.
  ASSERT_EQ(tfstate(server, "LOCK", key, lock_info("lock-a", "alice@laptop"), server.token()).status, 200);
  EXPECT_EQ(tfstate(server, "LOCK", key, lock_info("lock-a", "alice@laptop"), server.token()).status, 200)
      << "a retried LOCK with the same ID";
  auto taken = tfstate(server, "LOCK", key, lock_info("lock-b", "bob@ci"), server.token());
  EXPECT_EQ(taken.status, 423);
  EXPECT_EQ(json_of(taken)["ID"], "lock-a") << taken.body;
  show = remote(here, server, {"state", "show", key});
  EXPECT_NE(show.out.find("locked by alice@laptop (OperationTypeApply since 2026-12-07T06:00:00.000000Z, lock lock-a)"),
            std::string::npos)
      << show.out;
  CliResult refused = remote(here, server, {"state", "restore", key, "1"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("locked by alice@laptop"), std::string::npos) << refused.err;
  CliResult pushed_locked = remote(here, server, {"state", "push", key, "v2.tfstate"});
  EXPECT_EQ(pushed_locked.exit_code, 1);
  EXPECT_NE(pushed_locked.err.find("the state is locked by alice@laptop"), std::string::npos) << pushed_locked.err;

  CliResult wrong_id = remote(here, server, {"state", "unlock", key, "--lock-id", "lock-b"});
  EXPECT_EQ(wrong_id.exit_code, 1);
  EXPECT_NE(wrong_id.err.find("locked by lock-a, not lock-b"), std::string::npos) << wrong_id.err;
  CliResult unlocked = remote(here, server, {"state", "unlock", key, "--lock-id", "lock-a"});
  ASSERT_EQ(unlocked.exit_code, 0) << unlocked.err;
  EXPECT_NE(unlocked.out.find("it was locked by alice@laptop"), std::string::npos) << unlocked.out;

  // The restore writes version 1 again as version 3, with the next serial.
  CliResult restored = remote(here, server, {"state", "restore", key, "1"});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_NE(restored.out.find("restored version 1 of infra/dev/vpc as version 3 (serial 3)"), std::string::npos)
      << restored.out;
  nlohmann::json latest = nlohmann::json::parse(remote(here, server, {"state", "pull", key}).out);
  EXPECT_EQ(latest["serial"], 3);
  EXPECT_EQ(latest["outputs"]["m"]["value"], "first");
  CliResult versions = remote(here, server, {"state", "versions", key});
  EXPECT_NE(versions.out.find("version 3  serial 3"), std::string::npos) << versions.out;
  EXPECT_NE(versions.out.find("version 1  serial 1"), std::string::npos) << versions.out;
  // Terraform's next write (serial 4) is an ordinary newer state.
  EXPECT_EQ(post_state(server, key, state_json(4, "lin", "after")).status, 200);

  nlohmann::json entries = audit(server);
  ASSERT_EQ(entries.size(), 2u) << entries.dump(2);
  EXPECT_EQ(entries[0]["action"], "state.restore");
  EXPECT_EQ(entries[0]["detail"]["restored"], 1);
  EXPECT_EQ(entries[1]["action"], "state.force_unlock");
  EXPECT_EQ(entries[1]["detail"]["lock"]["who"], "alice@laptop");
  EXPECT_EQ(entries[1]["outcome"], "ok");
  EXPECT_EQ(server.terminate().exit_code, 0);
}

// Retention is a setting: with --keep-state-versions 2 the server keeps each state's newest two
// versions (applied at start and every ten minutes), says so in the audit log, and the latest
// is always whole. A setting out of range is refused before anything starts.
TEST(StateBackend, RetentionKeepsEachStatesNewestVersions) {
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}}, {"--workers", "0", "--keep-state-versions", "2"});
  ASSERT_TRUE(server.ready());
  const std::string key = "infra/dev/kept";
  for (int serial = 1; serial <= 4; ++serial)
    ASSERT_EQ(post_state(server, key, state_json(serial, "lin", "v" + std::to_string(serial))).status, 200);
  EXPECT_EQ(server.terminate().exit_code, 0);
  ASSERT_TRUE(server.restart());
  nlohmann::json versions;
  EXPECT_TRUE(eventually([&] {
    versions = json_of(server.send("GET", "/api/v1/states/infra%2Fdev%2Fkept/versions"));
    return versions["versions"].size() == 2;
  }, 20s)) << versions.dump(2);
  EXPECT_EQ(versions["versions"][0]["serial"], 4);
  EXPECT_EQ(versions["versions"][1]["serial"], 3);
  EXPECT_NE(tfstate(server, "GET", key, "", server.token()).body.find("v4"), std::string::npos);
  nlohmann::json entries = audit(server);
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries[0]["action"], "retention");
  EXPECT_EQ(entries[0]["actor"], "server");
  EXPECT_EQ(entries[0]["detail"]["state_versions_removed"], 2);
  EXPECT_EQ(server.terminate().exit_code, 0);

  TestProject here;
  CliResult bad = here.run({"server", "--keep-state-versions", "-1", "--data-dir", here.path("data")});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("--keep-state-versions must be from 0 (keep everything)"), std::string::npos) << bad.err;
  here.write("server.hcl", "keep_logs_days = \"ninety\"\n");
  bad = here.run({"server", "--config", "server.hcl", "--data-dir", here.path("data")});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("server.hcl:1:"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("keep_logs_days must be a whole number"), std::string::npos) << bad.err;
}

#ifndef STRATA_SANITIZE_BUILD
// A Terraform root module whose state is the server's, at /tfstate/team/net; the token comes in
// TF_HTTP_PASSWORD. A new marker replaces the resource, and `pause` seconds of its local-exec
// keep that apply inside its lock.
constexpr const char* kLockedModule = R"tf(
terraform {
  backend "http" {
    address        = "URL/tfstate/team/net"
    lock_address   = "URL/tfstate/team/net"
    unlock_address = "URL/tfstate/team/net"
    username       = "terraform"
  }
}
variable "marker" { type = string }
variable "pause" {
  type    = number
  default = 0
}
resource "terraform_data" "r" {
  input            = var.marker
  triggers_replace = var.marker
  provisioner "local-exec" {
    command = "sleep ${var.pause}"
  }
}
output "marker" { value = terraform_data.r.output }
)tf";

SubprocessOptions terraform(const std::string& engine, const std::string& dir, std::vector<std::string> args,
                            const std::string& token) {
  SubprocessOptions o;
  o.argv = {engine};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.cwd = dir;
  o.env = engine_env(engine, {{"TF_HTTP_PASSWORD", token}, {"TF_IN_AUTOMATION", "1"}});
  o.env.erase("STRATA_ENGINE");
  o.capture_stdout = true;
  o.capture_stderr = true;
  o.timeout = std::chrono::minutes(3);
  return o;
}

SubprocessResult run_terraform(const std::string& engine, const std::string& dir, std::vector<std::string> args,
                               const std::string& token) {
  Subprocess p(terraform(engine, dir, std::move(args), token));
  return p.run();
}

// The real Terraform against the server's backend: init, apply, a second apply waiting on the
// first one's lock and failing, `strata remote state show` naming the holder, the holder
// SIGKILLed, `terraform force-unlock` refused with a plain token and done with an admin's (both
// audited), then apply and destroy again on the state the killed run left.
TEST(StateBackend, RealTerraformLocksAreNamedAndForceUnlockIsAnAdminsAndAudited) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  ServerProcess server(engine_env(engine), {"--workers", "0"});
  ASSERT_TRUE(server.ready());
  TestProject root;
  std::string module = kLockedModule;
  for (size_t at = module.find("URL"); at != std::string::npos; at = module.find("URL", at))
    module.replace(at, 3, server.url());
  root.write("main.tf", module);
  const std::string admin = server.token();

  SubprocessResult init = run_terraform(engine, root.root(), {"init", "-input=false", "-no-color"}, admin);
  ASSERT_EQ(init.exit_code, 0) << init.stdout_text << init.stderr_text;
  SubprocessResult first =
      run_terraform(engine, root.root(), {"apply", "-auto-approve", "-no-color", "-var", "marker=one"}, admin);
  ASSERT_EQ(first.exit_code, 0) << first.stdout_text << first.stderr_text;
  EXPECT_FALSE(root.exists("terraform.tfstate")) << "the state is the server's";

  // A long apply holds the lock; a second one fails on it.
  Subprocess holder(terraform(engine, root.root(),
                              {"apply", "-auto-approve", "-no-color", "-var", "marker=two", "-var", "pause=120"}, admin));
  std::future<SubprocessResult> held = std::async(std::launch::async, [&holder] { return holder.run(); });
  nlohmann::json state;
  ASSERT_TRUE(eventually([&] {
    state = json_of(server.send("GET", "/api/v1/states/team%2Fnet"));
    return state["lock"].is_object() || held.wait_for(0s) == std::future_status::ready;
  }, 60s)) << state.dump(2);
  ASSERT_TRUE(state["lock"].is_object()) << "the apply ended before it was seen holding its lock: "
                                         << held.get().stderr_text;
  std::string lock_id = state["lock"]["id"];
  EXPECT_EQ(state["lock"]["operation"], "OperationTypeApply") << state.dump(2);

  SubprocessResult second = run_terraform(
      engine, root.root(), {"apply", "-auto-approve", "-no-color", "-lock-timeout=0s", "-var", "marker=three"}, admin);
  EXPECT_NE(second.exit_code, 0);
  EXPECT_NE(second.stderr_text.find("Error acquiring the state lock"), std::string::npos) << second.stderr_text;
  // Terraform 1.11.4 prints its own request's LockInfo, not the holder's: strata names the holder.
  CliResult show = remote(root, server, {"state", "show", "team/net"});
  EXPECT_NE(show.out.find("(OperationTypeApply since "), std::string::npos) << show.out;
  EXPECT_NE(show.out.find(", lock " + lock_id + ")"), std::string::npos) << show.out;

  // Killed while holding it: the lock stays.
  holder.kill();
  held.get();
  EXPECT_TRUE(json_of(server.send("GET", "/api/v1/states/team%2Fnet"))["lock"].is_object());

  std::string plain = add_plain_token(server);
  SubprocessResult denied = run_terraform(engine, root.root(), {"force-unlock", "-force", "-no-color", lock_id}, plain);
  EXPECT_NE(denied.exit_code, 0) << denied.stdout_text;
  EXPECT_TRUE(json_of(server.send("GET", "/api/v1/states/team%2Fnet"))["lock"].is_object()) << "still locked";
  SubprocessResult unlocked = run_terraform(engine, root.root(), {"force-unlock", "-force", "-no-color", lock_id}, admin);
  ASSERT_EQ(unlocked.exit_code, 0) << unlocked.stdout_text << unlocked.stderr_text;
  EXPECT_NE(unlocked.stdout_text.find("successfully unlocked"), std::string::npos) << unlocked.stdout_text;

  nlohmann::json entries = audit(server);
  ASSERT_GE(entries.size(), 2u) << entries.dump(2);
  EXPECT_EQ(entries[0]["action"], "state.force_unlock");
  EXPECT_EQ(entries[0]["outcome"], "ok");
  EXPECT_EQ(entries[0]["actor"], "token:admin (first start)");
  EXPECT_EQ(entries[0]["detail"]["lock"]["id"], lock_id);
  EXPECT_EQ(entries[1]["action"], "state.force_unlock");
  EXPECT_EQ(entries[1]["outcome"], "denied");
  EXPECT_EQ(entries[1]["actor"], "token:ci");

  // The state the killed run left is whole: apply again, one resource, then destroy through it.
  SubprocessResult again =
      run_terraform(engine, root.root(), {"apply", "-auto-approve", "-no-color", "-var", "marker=four"}, admin);
  ASSERT_EQ(again.exit_code, 0) << again.stdout_text << again.stderr_text;
  nlohmann::json pulled = nlohmann::json::parse(remote(root, server, {"state", "pull", "team/net"}).out);
  EXPECT_EQ(pulled["outputs"]["marker"]["value"], "four");
  ASSERT_EQ(pulled["resources"].size(), 1u) << pulled.dump(2);
  EXPECT_EQ(pulled["resources"][0]["instances"].size(), 1u) << pulled.dump(2);
  SubprocessResult destroyed =
      run_terraform(engine, root.root(), {"destroy", "-auto-approve", "-no-color", "-var", "marker=four"}, admin);
  ASSERT_EQ(destroyed.exit_code, 0) << destroyed.stdout_text << destroyed.stderr_text;
  pulled = nlohmann::json::parse(remote(root, server, {"state", "pull", "team/net"}).out);
  EXPECT_TRUE(pulled["resources"].empty()) << pulled.dump(2);
  EXPECT_FALSE(json_of(server.send("GET", "/api/v1/states/team%2Fnet"))["lock"].is_object());
  EXPECT_EQ(server.terminate().exit_code, 0);
}

// Every state file a local run left under `root`, by the component's output "out": the
// resource addresses each holds, one per instance.
std::map<std::string, std::vector<std::string>> local_states(const std::string& root) {
  std::map<std::string, std::vector<std::string>> found;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.path().filename() != "terraform.tfstate") continue;
    nlohmann::json state = nlohmann::json::parse(read_file(e.path().string()), nullptr, false);
    if (!state.is_object() || !state.contains("outputs") || !state["outputs"].contains("out")) continue;
    std::vector<std::string>& addresses = found[state["outputs"]["out"]["value"].get<std::string>()];
    for (const auto& r : state["resources"])
      for (size_t n = 0; n < r["instances"].size(); ++n) addresses.push_back(r["type"].get<std::string>() + "." + r["name"].get<std::string>());
  }
  return found;
}

// A worker's machine dying while its Terraform applies (holding the state's lock): the activity
// is leased again once its lease runs out, the new lease's Terraform takes over the lock the dead
// one left (the lease rules; audited), and the states end as a local run of the same modules
// leaves them — every resource once, every version kept in order.
TEST(StateBackend, RealTerraformWorkerDyingDuringApplyIsReplacedAndTheStateIsWhole) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  GitProject project;
  project.write("modules/m/main.tf", std::string(kModule) + R"tf(
variable "pause" {
  type    = number
  default = 0
}
resource "terraform_data" "slow" {
  input = var.in
  provisioner "local-exec" {
    command = "sleep ${var.pause}"
  }
}
)tf");
  project.write("stacks/dev.js",
                "stack('dev');\n"
                "const network = component('network', 'modules/m', {\n"
                "  inputs: { in: 'net', pause: 8 },\n"
                "  mock_outputs: { out: 'not-yet' },\n"
                "});\n"
                "component('app', 'modules/m', { inputs: { in: `${network.out}-app` } });\n");
  project.commit("slow network");
  ServerProcess server(engine_env(engine), {"--workers", "0", "--lease", "3"});
  ASSERT_TRUE(server.ready());
  ASSERT_EQ(remote(project, server, {"repos", "add", "infra", project.root()}).exit_code, 0);
  auto doomed = std::make_unique<WorkerProcess>(server, "doomed", engine_env(engine));
  ASSERT_TRUE(registered(server, 1));
  CliResult started = remote(project, server, {"runs", "start", "infra", "apply", "dev", "--json"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  std::string run_id = nlohmann::json::parse(started.out)["id"];

  nlohmann::json state;
  ASSERT_TRUE(eventually([&] {
    state = json_of(server.send("GET", "/api/v1/states/infra%2Fdev%2Fnetwork"));
    return state.contains("lock") && state["lock"].is_object();
  }, 60s)) << state.dump(2);
  EXPECT_EQ(state["lock"]["owner"].get<std::string>().rfind("activity:", 0), 0u) << state.dump(2);
  // The worker's machine dies: its Terraform (with the provisioner under it) and the worker are
  // SIGKILLed at once, so nothing lets go of the lock. (A worker killed alone is gentler: its
  // engine supervisor stops Terraform, which unlocks.)
  std::vector<std::string> machine = processes_mentioning(doomed->dir());
  ASSERT_GE(machine.size(), 2u) << "the worker and its Terraform: " << join(machine);
  kill_leftovers(machine);
  doomed->sigkill();
  std::vector<std::string> left = wait_for_no_process(doomed->dir(), 10s);
  kill_leftovers(left);
  EXPECT_TRUE(left.empty()) << join(left);
  EXPECT_TRUE(json_of(server.send("GET", "/api/v1/states/infra%2Fdev%2Fnetwork"))["lock"].is_object())
      << "the killed Terraform left its lock";

  WorkerProcess rescuer(server, "rescuer", engine_env(engine));
  nlohmann::json run;
  ASSERT_TRUE(eventually([&] {
    run = json_of(server.send("GET", "/api/v1/runs/" + run_id));
    return run["status"] == "succeeded" || run["status"] == "failed";
  }, 150s)) << run.dump(2);
  ASSERT_EQ(run["status"], "succeeded") << run.dump(2);
  EXPECT_EQ(run["activities"][0]["attempt"], 2) << run.dump(2);
  EXPECT_EQ(run["activities"][1]["outputs"]["out"], "v-v-net-app") << run.dump(2);
  nlohmann::json entries = audit(server);
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries[0]["action"], "state.lock_taken_over") << entries.dump(2);
  EXPECT_EQ(entries[0]["target"], "infra/dev/network");

  // What the server keeps is what a local run of the same modules leaves.
  std::map<std::string, std::vector<std::string>> server_states;
  for (const char* component : {"network", "app"}) {
    std::string key = std::string("infra/dev/") + component;
    nlohmann::json pulled = nlohmann::json::parse(remote(project, server, {"state", "pull", key}).out);
    std::vector<std::string>& addresses = server_states[pulled["outputs"]["out"]["value"].get<std::string>()];
    for (const auto& r : pulled["resources"])
      for (size_t n = 0; n < r["instances"].size(); ++n) addresses.push_back(r["type"].get<std::string>() + "." + r["name"].get<std::string>());
    // Every version kept, serials only going up.
    nlohmann::json versions = json_of(server.send("GET", "/api/v1/states/" + percent_escape(key) + "/versions"));
    int64_t later = INT64_MAX;
    for (const auto& v : versions["versions"]) {
      EXPECT_LE(v["serial"].get<int64_t>(), later) << versions.dump(2);
      later = v["serial"].get<int64_t>();
    }
  }
  EXPECT_EQ(rescuer.terminate().exit_code, 0);
  EXPECT_EQ(server.terminate().exit_code, 0);
  CliResult local = project.run({"apply", "dev", "--auto-approve"}, engine_env(engine));
  ASSERT_EQ(local.exit_code, 0) << local.out << local.err;
  EXPECT_EQ(local_states(project.root()), server_states);
  EXPECT_EQ(server_states["v-net"], (std::vector<std::string>{"terraform_data.r", "terraform_data.slow"}));
}

// strata.yaml `state_backend: {type: server, …}`: two people's checkouts of one project share its
// state through the server with the CLI alone, no worker — one applies, the other (logged in
// once with `strata remote login`) plans no changes and reads the outputs. The token reaches
// Terraform in its environment only: no file of either checkout holds it. Without a token, a
// command that runs the engine says what to do, naming strata.yaml's line; listing needs none.
TEST(StateBackend, RealTerraformCliCheckoutsShareStateThroughTheServerWithoutAWorker) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  ServerProcess server(engine_env(engine), {"--workers", "0"});
  ASSERT_TRUE(server.ready());
  auto checkout = [&](TestProject& p) {
    p.write("strata.yaml", "stacks_dir: stacks\nstate_backend:\n  type: server\n  url: " + server.url() +
                               "/\n  repository: infra\n");
    p.write("modules/m/main.tf", kModule);
    p.write("stacks/dev.js",
            "stack('dev');\n"
            "const network = component('network', 'modules/m', { inputs: { in: 'net' } });\n"
            "component('app', 'modules/m', { inputs: { in: `${network.out}-app` } });\n");
  };
  TestProject alice, bob, carol;
  for (TestProject* p : {&alice, &bob, &carol}) checkout(*p);
  auto own = [&](const TestProject& p, std::map<std::string, std::string> extra = {}) {
    extra.emplace("HOME", p.path("home"));
    extra.emplace("XDG_CONFIG_HOME", p.path("config"));
    return engine_env(engine, extra);
  };

  CliResult applied = alice.run({"apply", "dev", "--auto-approve"}, own(alice, {{"STRATA_TOKEN", server.token()}}));
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  for (const char* component : {"network", "app"}) {
    EXPECT_EQ(server.send("GET", std::string("/api/v1/states/infra%2Fdev%2F") + component).status, 200) << component;
    EXPECT_FALSE(alice.exists(std::string(".strata/dev/") + component + "/terraform.tfstate")) << "a local state";
  }

  CliResult login = bob.run({"remote", "login", server.url(), "--token", server.token()}, own(bob));
  ASSERT_EQ(login.exit_code, 0) << login.err;
  CliResult plan = bob.run({"plan", "dev", "--detailed-exitcode"}, own(bob));
  EXPECT_EQ(plan.exit_code, 0) << "alice's apply is bob's state: " << plan.out << plan.err;
  CliResult output = bob.run({"output", "dev", "app", "out"}, own(bob));
  EXPECT_EQ(output.exit_code, 0) << output.err;
  EXPECT_EQ(output.out, "v-v-net-app\n");
  for (const TestProject* p : {&alice, &bob}) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(p->path(".strata"))) {
      if (!e.is_regular_file()) continue;
      EXPECT_EQ(read_file(e.path().string()).find(server.token()), std::string::npos) << "the token in " << e.path();
    }
  }
  EXPECT_EQ(plan.out.find(server.token()), std::string::npos);

  CliResult refused = carol.run({"plan", "dev"}, own(carol));
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("strata.yaml:3:3: this project keeps its Terraform state in the strata server at " +
                             server.url() + " (state_backend), and no token for it was given"),
            std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("strata remote login " + server.url() + " --token TOKEN"), std::string::npos)
      << refused.err;
  EXPECT_EQ(carol.run({"list"}, own(carol)).exit_code, 0) << "listing needs no token";
  EXPECT_EQ(server.terminate().exit_code, 0);
}

// A state another run holds: Terraform 1.11.4 prints its own request's LockInfo, not the
// holder's, so strata asks the server and names the holder — in the CLI's message (state_backend)
// and in a server run's activity error.
TEST(StateBackend, RealTerraformRunsMeetingAHeldLockNameItsHolder) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  ServerProcess server(engine_env(engine), {"--workers", "1"});
  ASSERT_TRUE(server.ready());
  GitProject alice;
  alice.write("strata.yaml", "stacks_dir: stacks\nstate_backend:\n  type: server\n  url: " + server.url() +
                                 "\n  repository: infra\n");
  alice.write("modules/m/main.tf", std::string(kModule) + R"tf(
variable "hold_until" {
  type    = string
  default = ""
}
resource "terraform_data" "slow" {
  input = var.in
  provisioner "local-exec" {
    # Holds the lock until the test says so (at most two minutes).
    command = "for i in $(seq 1200); do [ -z '${var.hold_until}' ] || [ -e '${var.hold_until}' ] && exit 0; sleep 0.1; done"
  }
}
)tf");
  const std::string release = alice.root() + "/.release";
  alice.write("stacks/dev.js", "stack('dev');\ncomponent('network', 'modules/m', { inputs: { in: 'net', hold_until: '" +
                                   release + "' } });\n");
  alice.commit("slow");
  ASSERT_EQ(remote(alice, server, {"repos", "add", "infra", alice.root()}).exit_code, 0);
  TestProject bob;
  for (const char* f : {"strata.yaml", "modules/m/main.tf", "stacks/dev.js"}) bob.write(f, alice.read(f));
  auto env = engine_env(engine, {{"STRATA_TOKEN", server.token()}});

  auto holding = std::async(std::launch::async, [&] { return alice.run({"apply", "dev", "--auto-approve"}, env); });
  nlohmann::json state;
  ASSERT_TRUE(eventually([&] {
    state = json_of(server.send("GET", "/api/v1/states/infra%2Fdev%2Fnetwork"));
    return state.contains("lock") && state["lock"].is_object();
  }, 60s)) << state.dump(2);
  const std::string lock_id = state["lock"]["id"];
  const std::string who = state["lock"]["who"];

  CliResult refused = bob.run({"apply", "dev", "--auto-approve"}, env);
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  const std::string named = "the state is locked by " + who + " (OperationTypeApply since ";
  EXPECT_NE((refused.out + refused.err).find(named), std::string::npos) << refused.out << refused.err;
  EXPECT_NE((refused.out + refused.err).find("lock " + lock_id + ")"), std::string::npos) << refused.out << refused.err;

  CliResult run = remote(alice, server, {"runs", "start", "infra", "apply", "dev", "--wait", "--json"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  nlohmann::json failed = nlohmann::json::parse(run.out, nullptr, false);
  ASSERT_TRUE(failed.is_object()) << run.out;
  const std::string error = failed["activities"][0].value("error", "");
  EXPECT_NE(error.find(named), std::string::npos) << error;

  alice.write(".release", "");
  CliResult held = holding.get();
  EXPECT_EQ(held.exit_code, 0) << held.out << held.err;
  EXPECT_EQ(server.terminate().exit_code, 0);
}
#endif

}  // namespace
}  // namespace strata::testing

// `strata server` and `strata remote` through the real binaries on loopback (#21, slice a): a
// JS project in a real git repository registered, planned and applied by the server's
// in-process workers with the real Terraform (state kept by the server's http backend,
// outputs flowing between components run in separate fresh checkouts), and the bad requests
// every API must answer with a clear 4xx while storing nothing. The real-engine test runs in
// the Release build only; the requests and the tofu-sim plan (a simulator) run in both.
#include "store/keyring.h"
#include "store/store.h"
#include "tests/integration/server_support.h"
#include "tests/support/postgres_cluster.h"

namespace strata::testing {
namespace {

TEST(Server, AnswersBadRequestsWithClearErrorsAndStoresNothing) {
  GitProject project;
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}});
  ASSERT_TRUE(server.ready());

  // The admin token: written once, 0600, and never printed.
  struct stat st{};
  ASSERT_EQ(::stat((server.data_dir() + "/admin-token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(server.token().rfind("strata_", 0), 0u);

  // Only /healthz and /metrics answer without credentials.
  EXPECT_EQ(server.get("/healthz").status, 200);
  EXPECT_EQ(server.get("/metrics").status, 200);
  EXPECT_EQ(server.send("GET", "/api/v1/runs", "", std::string()).status, 401);
  EXPECT_EQ(server.send("GET", "/api/v1/runs", "", std::string("strata_wrong")).status, 401);
  EXPECT_EQ(server.send("GET", "/tfstate/a/b/c", "", std::string()).status, 401);

  auto bad = server.send("POST", "/api/v1/repositories", "{\"name\": ");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(error_message(bad).find("not JSON"), std::string::npos) << bad.body;
  bad = server.send("POST", "/api/v1/repositories", R"({"name":"r","url":"/x","branch":"main"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(error_message(bad).find("unknown field \"branch\""), std::string::npos) << bad.body;
  bad = server.send("POST", "/api/v1/repositories", R"({"name":"r","url":"/nowhere/at/all"})");
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(error_message(bad).find("cannot fetch /nowhere/at/all"), std::string::npos) << bad.body;
  bad = server.send("POST", "/api/v1/repositories", R"({"name":"../x","url":")" + project.root() + "\"}");
  EXPECT_EQ(bad.status, 422) << bad.body;
  bad = server.send("POST", "/api/v1/repositories", std::string(11 * 1024 * 1024, 'x'));
  EXPECT_EQ(bad.status, 413);
  EXPECT_EQ(json_of(server.send("GET", "/api/v1/repositories"))["repositories"].size(), 0u);

  auto added = server.send("POST", "/api/v1/repositories", R"({"name":"infra","url":")" + project.root() + "\"}");
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(json_of(added)["default_branch"], "main");
  EXPECT_EQ(server.send("POST", "/api/v1/repositories", R"({"name":"infra","url":")" + project.root() + "\"}").status, 409);

  bad = server.send("POST", "/api/v1/runs", R"({"repository":"nope","command":"plan","all":true})");
  EXPECT_EQ(bad.status, 404);
  bad = server.send("POST", "/api/v1/runs", R"({"repository":"infra","command":"plan","all":true,"commit":"0123456789abcdef"})");
  EXPECT_EQ(bad.status, 404);
  EXPECT_NE(error_message(bad).find("0123456789abcdef"), std::string::npos) << bad.body;
  bad = server.send("POST", "/api/v1/runs", R"({"repository":"infra","command":"deploy","all":true})");
  EXPECT_EQ(bad.status, 422);
  bad = server.send("POST", "/api/v1/runs", R"({"repository":"infra","command":"plan","stacks":["prod"]})");
  EXPECT_EQ(bad.status, 404) << bad.body;
  EXPECT_NE(error_message(bad).find("prod"), std::string::npos) << bad.body;
  EXPECT_EQ(json_of(server.send("GET", "/api/v1/runs"))["runs"].size(), 0u);
  EXPECT_EQ(server.send("GET", "/api/v1/runs/not-a-run").status, 404);
  EXPECT_EQ(server.send("DELETE", "/api/v1/runs").status, 405);

  // A project that does not load at the commit: the run fails with the loader's position.
  project.write("stacks/dev.js", "stack('dev');\ncomponent('network', 'modules/m', { inputs: { in: 'net' } );\n");
  project.commit("broken");
  auto broken = server.send("POST", "/api/v1/runs", R"({"repository":"infra","command":"plan","all":true})");
  ASSERT_EQ(broken.status, 201) << broken.body;
  EXPECT_EQ(json_of(broken)["status"], "failed");
  EXPECT_NE(json_of(broken).value("status_reason", "").find("stacks/dev.js:2:"), std::string::npos) << broken.body;
  EXPECT_EQ(json_of(broken).value("status_reason", "").find(server.tmp()), std::string::npos) << broken.body;

  SubprocessResult stopped = server.terminate();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.stderr_text;
  EXPECT_EQ(stopped.stderr_text.find(server.token()), std::string::npos) << "the token was printed";
  EXPECT_EQ(stopped.stdout_text.find(server.token()), std::string::npos) << "the token was printed";
}

// `--config FILE`: the server's settings in HCL; flags on the command line win over the file, and
// a mistake in it is reported with file:line:col before anything starts.
TEST(Server, ConfigFileSetsWhatFlagsDoAndFlagsWin) {
  GitProject project;
  project.write("server.hcl",
                "# the listen address is replaced by --listen below\n"
                "listen  = \"127.0.0.1:1\"\n"
                "metrics = false\n"
                "workers = 0\n"
                "lease   = 7\n");
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}}, {"--config", project.path("server.hcl")});
  ASSERT_TRUE(server.ready()) << "--listen won over the file's listen";
  EXPECT_EQ(server.get("/metrics").status, 404) << "metrics = false";
  nlohmann::json workers = json_of(server.send("GET", "/api/v1/workers"));
  EXPECT_EQ(workers["workers"].size(), 2u) << "--workers 2 won over workers = 0: " << workers.dump();
  EXPECT_EQ(server.terminate().exit_code, 0);

  project.write("bad.hcl", "listen = \"127.0.0.1:0\"\nlistn = \"x\"\nworkers = \"two\"\nlease = 1\n");
  CliResult bad = project.run({"server", "--config", project.path("bad.hcl"), "--data-dir", project.path("d")});
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
  EXPECT_NE(bad.err.find("bad.hcl:2:1"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("did you mean \"listen\""), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("workers must be a whole number"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("lease must be from 3"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(project.path("d"))) << "nothing started";
}

// Plans with tofu-sim (a simulator): a run becomes one activity per component, in order, and
// its logs come back; `remote runs start --wait --detailed-exitcode` gives CI its exit codes.
TEST(Server, PlansThroughInProcessWorkersWithTheSimulator) {
  GitProject project;
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}});
  ASSERT_TRUE(server.ready());
  CliResult added = remote(project, server, {"repos", "add", "infra", project.root()});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  CliResult plan = remote(project, server, {"runs", "start", "infra", "plan", "dev", "--wait", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("dev/network"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("succeeded"), std::string::npos) << plan.out;
  CliResult runs = remote(project, server, {"runs", "list", "--json"});
  ASSERT_EQ(runs.exit_code, 0) << runs.err;
  nlohmann::json list = nlohmann::json::parse(runs.out);
  ASSERT_EQ(list["runs"].size(), 1u);
  std::string id = list["runs"][0]["id"];
  nlohmann::json run = json_of(server.send("GET", "/api/v1/runs/" + id));
  ASSERT_EQ(run["activities"].size(), 2u) << run.dump(2);
  EXPECT_EQ(run["activities"][0]["component"], "network");
  EXPECT_EQ(run["activities"][1]["depends_on"][0], run["activities"][0]["id"]);
  CliResult logs = remote(project, server, {"runs", "logs", id});
  ASSERT_EQ(logs.exit_code, 0) << logs.err;
  size_t network = logs.out.find("== dev/network");
  size_t app = logs.out.find("== dev/app");
  EXPECT_NE(network, std::string::npos) << logs.out;
  EXPECT_LT(network, app) << logs.out;
  // Every activity's checkout was removed.
  EXPECT_TRUE(std::filesystem::is_empty(server.tmp())) << join([&] {
    std::vector<std::string> left;
    for (const auto& e : std::filesystem::directory_iterator(server.tmp())) left.push_back(e.path().string());
    return left;
  }());
  EXPECT_EQ(server.terminate().exit_code, 0);
}


// `strata worker` over HTTP (#21 slice b), with tofu-sim (a simulator): two workers on a server
// that runs nothing itself share a run's activities, the logs come back in order, and every
// checkout is removed.
TEST(Workers, PlanThroughTwoWorkersOverHttpWithTheSimulator) {
  GitProject project;
  // dev/network also reads a `shared` stack's state: the worker loads that stack too.
  project.write("stacks/shared.js",
                "stack('shared');\n"
                "component('base', 'modules/m', { inputs: { in: 'b' }, mock_outputs: { out: 'base-not-yet' } });\n");
  project.write("stacks/dev.js",
                "stack('dev');\n"
                "const network = component('network', 'modules/m', {\n"
                "  inputs: { in: '{{ (state \"shared\" \"base\").out }}' },\n"
                "  mock_outputs: { out: 'not-yet' },\n"
                "});\n"
                "component('app', 'modules/m', { inputs: { in: `${network.out}-app` } });\n");
  project.commit("a shared stack");
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}}, {"--workers", "0"});
  ASSERT_TRUE(server.ready());
  WorkerProcess w1(server, "w1", {{"STRATA_ENGINE", tofu_sim_binary()}});
  WorkerProcess w2(server, "w2", {{"STRATA_ENGINE", tofu_sim_binary()}});
  ASSERT_TRUE(registered(server, 2));
  ASSERT_EQ(remote(project, server, {"repos", "add", "infra", project.root()}).exit_code, 0);
  CliResult plan = remote(project, server, {"runs", "start", "infra", "plan", "dev", "--wait", "--json"});
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  nlohmann::json run = nlohmann::json::parse(plan.out);
  ASSERT_EQ(run["status"], "succeeded") << run.dump(2);
  ASSERT_EQ(run["activities"].size(), 2u);
  std::set<std::string> ids;
  nlohmann::json workers = json_of(server.send("GET", "/api/v1/workers"));
  for (const auto& w : workers["workers"]) ids.insert(w["id"].get<std::string>());
  EXPECT_TRUE(ids.count(run["activities"][0]["worker"].get<std::string>())) << join({ids.begin(), ids.end()});
  EXPECT_TRUE(ids.count(run["activities"][1]["worker"].get<std::string>())) << join({ids.begin(), ids.end()});
  EXPECT_NE(run["activities"][0]["worker"], run["activities"][1]["worker"])
      << "the worker that waited longest takes the next activity";
  CliResult logs = remote(project, server, {"runs", "logs", run["id"]});
  size_t network = logs.out.find("== dev/network"), app = logs.out.find("== dev/app");
  ASSERT_NE(network, std::string::npos) << logs.out;
  EXPECT_LT(network, app);
  EXPECT_NE(logs.out.find("plan", network), std::string::npos) << logs.out;

  SubprocessResult r1 = w1.terminate(), r2 = w2.terminate();
  EXPECT_EQ(r1.exit_code, 0) << r1.stderr_text;
  EXPECT_EQ(r2.exit_code, 0) << r2.stderr_text;
  EXPECT_TRUE(std::filesystem::is_empty(w1.tmp())) << join(left_in(w1.tmp()));
  EXPECT_TRUE(std::filesystem::is_empty(w2.tmp())) << join(left_in(w2.tmp()));
  EXPECT_EQ(r1.stderr_text.find(server.token()), std::string::npos) << "the token was printed";
  EXPECT_EQ(server.terminate().exit_code, 0);
}

// Live logs: a run's log followed as server-sent events while a worker runs it — the first
// chunk arrives while the run is still running — and `remote runs logs --follow` printing it
// all in order and exiting with the run's result.
TEST(Workers, LogsFollowLiveAsServerSentEvents) {
  GitProject project;
  std::map<std::string, std::string> slow = {{"STRATA_ENGINE", tofu_sim_binary()}, {"TOFU_SIM_DELAY_PLAN_MS", "1500"}};
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}}, {"--workers", "0"});
  ASSERT_TRUE(server.ready());
  WorkerProcess worker(server, "w1", slow);
  ASSERT_TRUE(registered(server, 1));
  ASSERT_EQ(remote(project, server, {"repos", "add", "infra", project.root()}).exit_code, 0);
  CliResult started = remote(project, server, {"runs", "start", "infra", "plan", "dev", "--json"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  std::string id = nlohmann::json::parse(started.out)["id"];

  auto follower = std::async(std::launch::async, [&] {
    return remote(project, server, {"runs", "logs", id, "--follow"});
  });
  app::HttpRequest request;
  request.url = server.url() + "/api/v1/runs/" + id + "/logs?follow=true";
  request.headers["Authorization"] = "Bearer " + server.token();
  std::string events, status_at_first_log;
  app::HttpResponse response = app::make_curl_client()->stream(request, [&](std::string_view data) {
    events.append(data);
    if (status_at_first_log.empty() && events.find("event: log") != std::string::npos)
      status_at_first_log = json_of(server.send("GET", "/api/v1/runs/" + id))["status"];
    return true;  // the server ends the stream when the run has ended
  });
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("content-type"), "text/event-stream");
  EXPECT_EQ(status_at_first_log, "running") << "the log came while the run went on";
  size_t network = events.find("\"component\":\"network\"");
  size_t app = events.find("event: log\ndata: {\"activity\"", events.find("\"component\":\"app\""));
  EXPECT_NE(network, std::string::npos) << events;
  EXPECT_NE(events.find("event: end\ndata: {\"status\":\"succeeded\""), std::string::npos) << events;
  EXPECT_LT(network, app) << events;

  CliResult followed = follower.get();
  EXPECT_EQ(followed.exit_code, 0) << followed.err;
  size_t a = followed.out.find("== dev/network =="), b = followed.out.find("== dev/app ==");
  ASSERT_NE(a, std::string::npos) << followed.out;
  EXPECT_LT(a, b) << followed.out;
  EXPECT_NE(followed.err.find("succeeded"), std::string::npos) << followed.err;
  // A run that does not exist: a clear 404, not a stream.
  CliResult missing = remote(project, server, {"runs", "logs", "no-such-run", "--follow"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no run no-such-run"), std::string::npos) << missing.err;
  EXPECT_EQ(worker.terminate().exit_code, 0);
  EXPECT_EQ(server.terminate().exit_code, 0);
}

// Two workers of one name on one machine would share their folder: the second says so and stops.
TEST(Workers, SecondWorkerWithTheSameNameAndFolderIsRefused) {
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}}, {"--workers", "0"});
  ASSERT_TRUE(server.ready());
  TempDir shared("strata-worker-dir");
  WorkerProcess first(server, "same", {{"STRATA_ENGINE", tofu_sim_binary()}}, {"--work-dir", shared.path()});
  ASSERT_TRUE(registered(server, 1));
  WorkerProcess second(server, "same", {{"STRATA_ENGINE", tofu_sim_binary()}}, {"--work-dir", shared.path()});
  SubprocessResult refused = second.wait();
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.stderr_text.find("another worker is using " + shared.path() + "/same"), std::string::npos)
      << refused.stderr_text;
  EXPECT_NE(refused.stderr_text.find("--name"), std::string::npos) << refused.stderr_text;
  EXPECT_EQ(first.terminate().exit_code, 0);
  EXPECT_EQ(server.terminate().exit_code, 0);
}

// The worker protocol refuses what it must: a worker of another release (both versions named),
// calls without the join token, and every call made with a fencing token that no longer holds
// the lease.
TEST(Workers, ProtocolRefusesOtherVersionsWrongTokensAndLostLeases) {
  GitProject project;
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}}, {"--workers", "0"});
  ASSERT_TRUE(server.ready());
  auto old = server.send("POST", "/api/v1/worker/register",
                         R"({"id":"w-old","name":"old","version":"0.0.9","capabilities":["terraform"]})");
  EXPECT_EQ(old.status, 409) << old.body;
  EXPECT_NE(error_message(old).find("0.0.9"), std::string::npos) << old.body;
  EXPECT_NE(error_message(old).find("0.1.0"), std::string::npos) << old.body;
  EXPECT_EQ(server.send("POST", "/api/v1/worker/register",
                        R"({"id":"w","name":"w","version":"0.1.0","capabilities":["terraform"]})", std::string())
                .status,
            401);
  EXPECT_EQ(server.send("POST", "/api/v1/worker/register", R"({"id":"w","name":"w","version":"0.1.0"})").status, 400);
  auto unregistered = server.send("POST", "/api/v1/worker/lease", R"({"worker_id":"nobody","wait_ms":0})");
  EXPECT_EQ(unregistered.status, 404) << unregistered.body;
  ASSERT_EQ(server.send("POST", "/api/v1/worker/register",
                        R"({"id":"w","name":"w","version":"0.1.0","capabilities":["terraform"]})")
                .status,
            201);
  // Nothing to do: the long-poll ends with 204 when its wait is over.
  auto idle = server.send("POST", "/api/v1/worker/lease", R"({"worker_id":"w","wait_ms":200})");
  EXPECT_EQ(idle.status, 204) << idle.body;

  ASSERT_EQ(remote(project, server, {"repos", "add", "infra", project.root()}).exit_code, 0);
  ASSERT_EQ(remote(project, server, {"runs", "start", "infra", "plan", "dev"}).exit_code, 0);
  auto leased = server.send("POST", "/api/v1/worker/lease", R"({"worker_id":"w","wait_ms":5000})");
  ASSERT_EQ(leased.status, 200) << leased.body;
  nlohmann::json lease = json_of(leased);
  std::string id = lease["activity"]["id"];
  int64_t token = lease["activity"]["fencing_token"];
  std::string path = "/api/v1/worker/activities/" + id;
  auto code = server.send("GET", path + "/code?fencing_token=" + std::to_string(token));
  EXPECT_EQ(code.status, 200);
  EXPECT_EQ(code.header("content-type"), "application/gzip");
  EXPECT_EQ(server.send("GET", path + "/code?fencing_token=" + std::to_string(token + 1)).status, 409);
  // A dependency's outputs come from the state the server holds: none yet for this repository.
  std::string stack = lease["activity"]["stack"], component = lease["activity"]["component"];
  auto outputs = server.send("GET", path + "/outputs?fencing_token=" + std::to_string(token) + "&stack=" + stack +
                                        "&component=" + component);
  EXPECT_EQ(outputs.status, 200) << outputs.body;
  EXPECT_EQ(json_of(outputs), nlohmann::json::parse(R"({"outputs":{}})")) << outputs.body;
  EXPECT_EQ(server.send("GET", path + "/outputs?fencing_token=" + std::to_string(token + 1) + "&stack=" + stack +
                                   "&component=" + component)
                .status,
            409);
  auto unnamed = server.send("GET", path + "/outputs?fencing_token=" + std::to_string(token));
  EXPECT_EQ(unnamed.status, 400) << unnamed.body;
  EXPECT_NE(unnamed.body.find("stack="), std::string::npos) << unnamed.body;
  EXPECT_EQ(server.send("POST", path + "/finish", R"({"fencing_token":)" + std::to_string(token) + R"(,"status":"done"})")
                .status,
            400);
  // Handed back: the old token is refused everywhere from then on.
  ASSERT_EQ(server.send("POST", path + "/release", R"({"fencing_token":)" + std::to_string(token) + "}").status, 200);
  auto lost = server.send("POST", path + "/heartbeat", R"({"fencing_token":)" + std::to_string(token) + "}");
  EXPECT_EQ(lost.status, 409);
  EXPECT_EQ(json_of(lost)["error"]["code"], "lease_lost");
  EXPECT_EQ(server.send("POST", path + "/logs?fencing_token=" + std::to_string(token) + "&seq=0", "late").status, 409);
  EXPECT_EQ(server.send("POST", path + "/finish", R"({"fencing_token":)" + std::to_string(token) + R"(,"status":"succeeded"})")
                .status,
            409);
  auto again = server.send("POST", "/api/v1/worker/lease", R"({"worker_id":"w","wait_ms":5000})");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(json_of(again)["activity"]["id"], id);
  EXPECT_GT(json_of(again)["activity"]["fencing_token"].get<int64_t>(), token);
  EXPECT_EQ(json_of(again)["activity"]["attempt"], 1) << "a hand-back does not spend an attempt";
  EXPECT_EQ(server.terminate().exit_code, 0);
}

// A worker killed with SIGKILL in the middle of an activity: the activity is leased again once
// its lease runs out, another worker finishes the run, and the dead worker's token is refused.
TEST(Workers, WorkerKilledMidActivityIsReplacedAfterItsLeaseRunsOut) {
  GitProject project;
  std::map<std::string, std::string> slow = {{"STRATA_ENGINE", tofu_sim_binary()}, {"TOFU_SIM_DELAY_PLAN_MS", "4000"}};
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}}, {"--workers", "0", "--lease", "3"});
  ASSERT_TRUE(server.ready());
  ASSERT_EQ(remote(project, server, {"repos", "add", "infra", project.root()}).exit_code, 0);
  WorkerProcess doomed(server, "doomed", slow);
  ASSERT_TRUE(registered(server, 1));
  CliResult started = remote(project, server, {"runs", "start", "infra", "plan", "dev", "--json"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  std::string run_id = nlohmann::json::parse(started.out)["id"];
  nlohmann::json first;
  ASSERT_TRUE(eventually([&] {
    first = json_of(server.send("GET", "/api/v1/runs/" + run_id))["activities"][0];
    return first["status"] == "running";
  }, 30s)) << first.dump(2);
  doomed.sigkill();
  std::string dead_worker = first["worker"];
  // The fencing token the dead worker held (the API never shows one): read from the store.
  int64_t dead_token = 0;
  {
    std::unique_ptr<store::Store> db = store::open_store(server.data_dir() + "/strata.db");
    dead_token = db->activity(first["id"])->fencing_token;
  }
  ASSERT_GT(dead_token, 0);

  WorkerProcess rescuer(server, "rescuer", {{"STRATA_ENGINE", tofu_sim_binary()}});
  nlohmann::json run;
  ASSERT_TRUE(eventually([&] {
    run = json_of(server.send("GET", "/api/v1/runs/" + run_id));
    return run["status"] != "running" && run["status"] != "queued";
  }, 60s)) << run.dump(2);
  EXPECT_EQ(run["status"], "succeeded") << run.dump(2);
  EXPECT_EQ(run["activities"][0]["attempt"], 2) << run.dump(2);
  EXPECT_NE(run["activities"][0]["worker"], dead_worker);
  // The dead worker's lease no longer holds anything.
  std::string path = "/api/v1/worker/activities/" + first["id"].get<std::string>();
  auto late = server.send("POST", path + "/heartbeat", R"({"fencing_token":)" + std::to_string(dead_token) + "}");
  EXPECT_EQ(late.status, 409) << late.body;
  EXPECT_EQ(server.send("POST", path + "/finish",
                        R"({"fencing_token":)" + std::to_string(dead_token) + R"(,"status":"failed"})")
                .status,
            409);
  EXPECT_EQ(json_of(server.send("GET", "/api/v1/runs/" + run_id))["status"], "succeeded");
  EXPECT_EQ(rescuer.terminate().exit_code, 0);
  EXPECT_EQ(server.terminate().exit_code, 0);
}

// The server killed with SIGKILL while a worker runs an activity, and started again: the worker
// rides out the gap (its heartbeats fail, the engine goes on), reports to the new process, and
// the run ends as if nothing happened — the activity ran once, on its first lease.
TEST(Workers, ServerKilledAndRestartedMidActivityLosesNothing) {
  GitProject project;
  std::map<std::string, std::string> slow = {{"STRATA_ENGINE", tofu_sim_binary()}, {"TOFU_SIM_DELAY_PLAN_MS", "3000"}};
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}}, {"--workers", "0", "--lease", "20"});
  ASSERT_TRUE(server.ready());
  ASSERT_EQ(remote(project, server, {"repos", "add", "infra", project.root()}).exit_code, 0);
  WorkerProcess worker(server, "w1", slow);
  ASSERT_TRUE(registered(server, 1));
  std::string run_id = start_plan_until_running(project, server, server);
  ASSERT_NE(run_id, "");
  server.sigkill();
  std::this_thread::sleep_for(1s);
  ASSERT_TRUE(server.restart());
  nlohmann::json run = run_when_ended(server, run_id);
  EXPECT_EQ(run["status"], "succeeded") << run.dump(2);
  for (const auto& a : run["activities"]) EXPECT_EQ(a["attempt"], 1) << run.dump(2);
  // The log is whole: what the worker could not send while the server was down came later, in
  // order (the engine's init before its plan).
  CliResult logs = remote(project, server, {"runs", "logs", run_id});
  size_t network = logs.out.find("== dev/network (succeeded)");
  ASSERT_NE(network, std::string::npos) << logs.out;
  size_t init = logs.out.find(" init ", network), plan = logs.out.find(" plan ", network);
  EXPECT_NE(init, std::string::npos) << logs.out;
  EXPECT_NE(plan, std::string::npos) << logs.out;
  EXPECT_LT(init, plan) << logs.out;
  EXPECT_EQ(worker.terminate().exit_code, 0);
  EXPECT_EQ(server.terminate().exit_code, 0);
}

// `strata server keyring rotate`: a new key version in the data dir's key ring; after a
// restart new records are sealed with it and those sealed before still open. Without a key
// ring there, it says what to pass.
TEST(Server, KeyringRotateAddsAVersionAndOldRecordsStillOpen) {
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}}, {"--workers", "0"});
  ASSERT_TRUE(server.ready());
  ASSERT_EQ(post_state(server, "infra/dev/network", state_json(1, "l-rot", "before")).status, 200);
  ASSERT_EQ(server.terminate().exit_code, 0);
  TestProject here;
  CliResult rotated = here.run({"server", "keyring", "rotate", "--data-dir", server.data_dir()});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  EXPECT_NE(rotated.out.find("version 2 added"), std::string::npos) << rotated.out;
  ASSERT_TRUE(server.restart());
  ASSERT_EQ(post_state(server, "infra/dev/network", state_json(2, "l-rot", "after")).status, 200);
  nlohmann::json versions = json_of(server.send("GET", "/api/v1/states/infra%2Fdev%2Fnetwork/versions"));
  ASSERT_EQ(versions["versions"].size(), 2u) << versions.dump(2);
  auto first = server.send("GET", "/api/v1/states/infra%2Fdev%2Fnetwork/versions/1");
  EXPECT_EQ(first.status, 200) << first.body;
  EXPECT_NE(first.body.find("before"), std::string::npos) << "sealed with version 1, opened after the rotation";
  EXPECT_EQ(server.terminate().exit_code, 0);
  CliResult missing = here.run({"server", "keyring", "rotate", "--data-dir", here.path("nowhere")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no key ring at " + here.path("nowhere") + "/keyring"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("--keyring"), std::string::npos) << missing.err;
}

#ifndef STRATA_SANITIZE_BUILD
// The real Terraform: the server's state keeps what each fresh checkout applied, so app reads
// network's real output and a second plan finds nothing to change.
TEST(Server, RealTerraformAppliesThroughTheServerAndKeepsItsState) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  GitProject project;
  ServerProcess server(engine_env(engine));
  ASSERT_TRUE(server.ready());
  ASSERT_EQ(remote(project, server, {"repos", "add", "infra", project.root()}).exit_code, 0);
  CliResult apply = remote(project, server, {"runs", "start", "infra", "apply", "dev", "--wait", "--json"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  nlohmann::json run = nlohmann::json::parse(apply.out);
  ASSERT_EQ(run["status"], "succeeded") << run.dump(2);
  EXPECT_EQ(run["activities"][1]["outputs"]["out"], "v-v-net-app") << run.dump(2);
  // The state is the server's: one version per apply, nothing in a workdir.
  auto state = server.send("GET", "/tfstate/infra/dev/app", "", std::string());
  EXPECT_EQ(state.status, 401);
  CliResult logs = remote(project, server, {"runs", "logs", run["id"]});
  EXPECT_NE(logs.out.find("Apply complete!"), std::string::npos) << logs.out;
  EXPECT_EQ(logs.out.find(server.token()), std::string::npos);

  CliResult again = remote(project, server, {"runs", "start", "infra", "plan", "dev", "--wait", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_TRUE(std::filesystem::is_empty(server.tmp()));
  EXPECT_EQ(server.terminate().exit_code, 0);

  // Nothing readable at rest (#22): the output value is in the state, the run's outputs and the
  // API's answers, and the log says "Apply complete!", yet the database files hold neither.
  const std::string at_rest = database_bytes(server);
  EXPECT_NE(at_rest.find("infra/dev/app"), std::string::npos) << "the files hold the store (the premise)";
  EXPECT_EQ(at_rest.find("v-v-net-app"), std::string::npos) << "an output value in clear in the database";
  EXPECT_EQ(at_rest.find("Apply complete!"), std::string::npos) << "a log line in clear in the database";
  EXPECT_EQ(std::filesystem::status(server.data_dir() + "/keyring").permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

// Two `strata worker`s with the real Terraform and a server that runs nothing itself: network
// applies on one, app on the other reads network's real output from the server's state (no
// shared disk), the logs come back complete and in order, and a second plan has no changes.
void apply_through_two_workers(const std::string& engine, std::vector<std::string> flags) {
  GitProject project;
  flags.insert(flags.end(), {"--workers", "0"});
  ServerProcess server(engine_env(engine), flags);
  ASSERT_TRUE(server.ready());
  WorkerProcess w1(server, "w1", engine_env(engine));
  WorkerProcess w2(server, "w2", engine_env(engine));
  ASSERT_TRUE(registered(server, 2));
  ASSERT_EQ(remote(project, server, {"repos", "add", "infra", project.root()}).exit_code, 0);
  CliResult apply = remote(project, server, {"runs", "start", "infra", "apply", "dev", "--wait", "--json"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  nlohmann::json run = nlohmann::json::parse(apply.out);
  ASSERT_EQ(run["status"], "succeeded") << run.dump(2);
  EXPECT_NE(run["activities"][0]["worker"], run["activities"][1]["worker"]) << run.dump(2);
  EXPECT_EQ(run["activities"][1]["outputs"]["out"], "v-v-net-app") << run.dump(2);
  CliResult logs = remote(project, server, {"runs", "logs", run["id"]});
  size_t network = logs.out.find("== dev/network"), app = logs.out.find("== dev/app");
  ASSERT_NE(network, std::string::npos) << logs.out;
  ASSERT_NE(app, std::string::npos) << logs.out;
  EXPECT_LT(network, app);
  EXPECT_NE(logs.out.substr(network, app - network).find("Apply complete!"), std::string::npos) << logs.out;
  EXPECT_NE(logs.out.substr(app).find("Apply complete!"), std::string::npos) << logs.out;
  EXPECT_EQ(logs.out.find(server.token()), std::string::npos);

  CliResult again = remote(project, server, {"runs", "start", "infra", "plan", "dev", "--wait", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(w1.terminate().exit_code, 0);
  EXPECT_EQ(w2.terminate().exit_code, 0);
  EXPECT_TRUE(std::filesystem::is_empty(w1.tmp())) << join(left_in(w1.tmp()));
  EXPECT_TRUE(std::filesystem::is_empty(w2.tmp())) << join(left_in(w2.tmp()));
  EXPECT_EQ(server.terminate().exit_code, 0);
}

TEST(Workers, RealTerraformAppliesThroughTwoWorkersAndOutputsFlowBetweenThem) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  apply_through_two_workers(engine, {});
}

// The same with the store in PostgreSQL.
TEST(Workers, RealTerraformAppliesThroughTwoWorkersOnPostgres) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  if (std::string why = PostgresCluster::unavailable(); !why.empty()) {
    if (in_ci()) FAIL() << why;
    GTEST_SKIP() << why;
  }
  PostgresCluster cluster;
  apply_through_two_workers(engine, {"--database", cluster.url()});
}

// Two replicas on one PostgreSQL database (#21 slice c): a worker on each, one run started on
// the first is served by both (the second fetches the repository into its own cache when a
// worker asks it for the code); the first replica killed mid-run, the run finishes through the
// second; PostgreSQL restarted mid-run, the replica reconnects and the run succeeds.
TEST(Replicas, TwoServersOnPostgresShareRunsAndSurviveAReplicaAndTheDatabaseRestarting) {
  if (std::string why = PostgresCluster::unavailable(); !why.empty()) {
    if (in_ci()) FAIL() << why;
    GTEST_SKIP() << why;
  }
  PostgresCluster cluster;
  GitProject project;
  // Replicas share the key ring that seals what the database keeps (#22), here from the environment.
  std::map<std::string, std::string> env = {{"STRATA_ENGINE", tofu_sim_binary()},
                                            {"STRATA_SERVER_ADMIN_TOKEN", "strata_replica_test_token_0123456789"},
                                            {"STRATA_SERVER_KEYRING", store::Keyring::generate().text()}};
  std::vector<std::string> flags = {"--database", cluster.url(), "--workers", "0", "--lease", "4"};
  ServerProcess a(env, flags);
  ASSERT_TRUE(a.ready());
  ServerProcess b(env, flags);
  ASSERT_TRUE(b.ready());
  {
    // A replica that made a key ring of its own would seal what the others cannot open: it
    // refuses to start, saying why.
    std::map<std::string, std::string> own = env;
    own.erase("STRATA_SERVER_KEYRING");
    ServerProcess c(own, flags);
    EXPECT_FALSE(c.ready());
    SubprocessResult refused = c.wait();
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_NE(refused.stderr_text.find("is not the one this database's records are sealed with"), std::string::npos)
        << refused.stderr_text;
    EXPECT_NE(refused.stderr_text.find("same key ring"), std::string::npos) << refused.stderr_text;
  }
  std::map<std::string, std::string> slow = {{"STRATA_ENGINE", tofu_sim_binary()}, {"TOFU_SIM_DELAY_PLAN_MS", "1500"}};
  WorkerProcess on_b(b, "on-b", slow);
  ASSERT_TRUE(registered(b, 1));
  ASSERT_EQ(remote(project, a, {"repos", "add", "infra", project.root()}).exit_code, 0);
  EXPECT_EQ(json_of(b.send("GET", "/api/v1/repositories"))["repositories"].size(), 1u) << "B sees A's repository";

  // A run started on A, with a worker on each replica.
  {
    WorkerProcess on_a(a, "on-a", slow);
    ASSERT_TRUE(registered(a, 2));
    CliResult plan = remote(project, a, {"runs", "start", "infra", "plan", "dev", "--wait", "--json"});
    ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
    nlohmann::json run = nlohmann::json::parse(plan.out);
    EXPECT_EQ(run["status"], "succeeded") << run.dump(2);
    EXPECT_NE(run["activities"][0]["worker"], run["activities"][1]["worker"]) << run.dump(2);
    EXPECT_EQ(on_a.terminate().exit_code, 0);
  }

  // A killed mid-run: B finishes it (its worker takes what A's worker held once the lease ends).
  WorkerProcess on_a(a, "on-a-2", slow);
  std::string run_id = start_plan_until_running(project, a, b);
  ASSERT_NE(run_id, "");
  a.sigkill();
  on_a.sigkill();
  nlohmann::json run = run_when_ended(b, run_id);
  EXPECT_EQ(run["status"], "succeeded") << run.dump(2);

  // PostgreSQL restarted mid-run: B reconnects and the run ends well.
  run_id = start_plan_until_running(project, b, b);
  ASSERT_NE(run_id, "");
  cluster.stop();
  std::this_thread::sleep_for(500ms);
  cluster.start();
  run = run_when_ended(b, run_id);
  EXPECT_EQ(run["status"], "succeeded") << run.dump(2);
  CliResult logs = remote(project, b, {"runs", "logs", run_id});
  EXPECT_NE(logs.out.find("== dev/app (succeeded)"), std::string::npos) << logs.out;
  EXPECT_EQ(on_b.terminate().exit_code, 0);
  EXPECT_EQ(b.terminate().exit_code, 0);
}

// HTTPS (--tls-cert/--tls-key) with a throwaway self-signed certificate: the CLI trusts it
// through STRATA_CA_CERT, and the in-process workers' Terraform reaches /tfstate over the same
// HTTPS listener, trusting that certificate and no other.
TEST(Server, ServesHttpsAndTerraformKeepsItsStateThroughIt) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  TempDir certs("strata-server-tls");
  std::string cert = certs.file("cert.pem"), key = certs.file("key.pem");
  std::string out;
  ASSERT_EQ(run_tool({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                      "-nodes", "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                      "-keyout", key, "-out", cert},
                     certs.path(), &out),
            0)
      << out;
  GitProject project;
  // One in-process worker and one `strata worker` over HTTPS, trusting the certificate through
  // --ca-cert (its engine too).
  ServerProcess server(engine_env(engine), {"--tls-cert", cert, "--tls-key", key, "--workers", "1"});
  ASSERT_TRUE(server.ready());
  ASSERT_EQ(server.url().rfind("https://", 0), 0u);
  WorkerProcess worker(server, "tls-worker", engine_env(engine));
  ASSERT_TRUE(registered(server, 2));
  ASSERT_EQ(remote(project, server, {"repos", "add", "infra", project.root()}).exit_code, 0);
  CliResult apply = remote(project, server, {"runs", "start", "infra", "apply", "dev", "--wait", "--json"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  nlohmann::json run = nlohmann::json::parse(apply.out);
  EXPECT_EQ(run["activities"][1]["outputs"]["out"], "v-v-net-app") << run.dump(2);
  CliResult again = remote(project, server, {"runs", "start", "infra", "plan", "dev", "--wait", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;

  // A client that does not trust the certificate is refused, and says why.
  CliResult untrusted = project.run({"remote", "runs", "list"}, {{"STRATA_SERVER", server.url()},
                                                                 {"STRATA_TOKEN", server.token()},
                                                                 {"HOME", project.path("home")}});
  EXPECT_EQ(untrusted.exit_code, 1);
  EXPECT_NE(untrusted.err.find("certificate"), std::string::npos) << untrusted.err;
  EXPECT_EQ(worker.terminate().exit_code, 0);
  EXPECT_EQ(server.terminate().exit_code, 0);
}
#endif

}  // namespace
}  // namespace strata::testing

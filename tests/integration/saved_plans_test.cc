// Saved plans kept by `strata server` (#22), through the real binaries on loopback: a plan run
// keeps each component's plan file (sealed) on the server; `strata remote runs apply RUN` makes
// an apply run that applies exactly those files on any worker, never a fresh plan; a plan whose
// state moved since is refused as stale — by the server when the apply is asked for, and by the
// engine when the state moves after that. The simulator test (tofu-sim) runs in both builds, the
// real Terraform 1.11.4 one in the Release build only.
#include "base/percent_escape.h"
#include "store/keyring.h"
#include "store/store.h"
#include "tests/integration/server_support.h"

namespace strata::testing {
namespace {

nlohmann::json started_run(const CliResult& r) {
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
  return j.is_object() ? j : nlohmann::json::object();
}

size_t run_count(ServerProcess& server) { return json_of(server.send("GET", "/api/v1/runs"))["runs"].size(); }

// What may be applied, and what is refused with a clear 4xx that stores nothing (tofu-sim, a
// simulator, makes the plans).
TEST(SavedPlans, OnlyAPlanRunThatSucceededIsAppliedAndEveryOtherAskStoresNothing) {
  GitProject project;
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}});
  ASSERT_TRUE(server.ready());
  ASSERT_EQ(remote(project, server, {"repos", "add", "infra", project.root()}).exit_code, 0);

  auto refused = server.send("POST", "/api/v1/runs/no-such-run/apply");
  EXPECT_EQ(refused.status, 404) << refused.body;
  refused = server.send("POST", "/api/v1/runs/no-such-run/apply", "", std::string());
  EXPECT_EQ(refused.status, 401) << refused.body;

  // A destroy run, however it ended.
  nlohmann::json destroy = nlohmann::json::parse(
      remote(project, server, {"runs", "start", "infra", "destroy", "dev", "--wait", "--json"}).out, nullptr, false);
  ASSERT_TRUE(destroy.contains("id")) << destroy.dump(2);
  refused = server.send("POST", "/api/v1/runs/" + destroy["id"].get<std::string>() + "/apply");
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_NE(error_message(refused).find("is a destroy run, not a plan"), std::string::npos) << refused.body;

  nlohmann::json plan = started_run(
      remote(project, server, {"runs", "start", "infra", "plan", "--component", "dev/network", "--wait", "--json"}));
  ASSERT_EQ(plan.value("status", ""), "succeeded") << plan.dump(2);
  const std::string plan_id = plan["id"];
  CliResult logs = remote(project, server, {"runs", "logs", plan_id});
  EXPECT_NE(logs.out.find("the plan is saved on the server; apply exactly it with `strata remote runs apply " + plan_id),
            std::string::npos)
      << logs.out;
  refused = server.send("POST", "/api/v1/runs/" + plan_id + "/apply", R"({"force":true})");
  EXPECT_EQ(refused.status, 400) << refused.body;
  const size_t before = run_count(server);

  // The plans are sealed at rest, bound to their activity.
  {
    std::unique_ptr<store::Store> raw = store::open_store(server.data_dir() + "/strata.db");
    for (const auto& a : plan["activities"]) {
      std::optional<store::SavedPlan> saved = raw->saved_plan(a["id"]);
      ASSERT_TRUE(saved) << a.dump();
      EXPECT_GT(store::Keyring::version_of(saved->plan_file), 0) << "a plan file in clear";
      EXPECT_GT(store::Keyring::version_of(saved->stamp), 0) << "a plan stamp in clear";
      EXPECT_EQ(saved->state_key, "infra/dev/" + a["component"].get<std::string>());
      EXPECT_EQ(saved->state_serial, -1) << "nothing was applied before the plan";
    }
  }
  EXPECT_EQ(run_count(server), before);

  CliResult applied = remote(project, server, {"runs", "apply", plan_id, "--wait", "--json"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  nlohmann::json apply = nlohmann::json::parse(applied.out);
  EXPECT_EQ(apply["command"], "apply");
  EXPECT_EQ(apply["status"], "succeeded") << apply.dump(2);
  EXPECT_EQ(apply["plan_run_id"], plan_id);
  ASSERT_EQ(apply["activities"].size(), 1u) << apply.dump(2);
  EXPECT_EQ(apply["activities"][0]["plan_activity_id"], plan["activities"][0]["id"]) << apply.dump(2);
  CliResult apply_logs = remote(project, server, {"runs", "logs", apply["id"]});
  EXPECT_NE(apply_logs.out.find("strata: applied the plan saved at"), std::string::npos) << apply_logs.out;
  EXPECT_NE(apply_logs.out.find(".strata-plans/dev-network.planfile"), std::string::npos)
      << "the engine applied the plan file: " << apply_logs.out;
  EXPECT_EQ(server.terminate().exit_code, 0);
}

#ifndef STRATA_SANITIZE_BUILD
constexpr const char* kMarker = "plan-marker-5d1c9a";

// The state of `key` pulled, its serial raised by one and pushed back as the same lineage: what
// another apply leaves, as far as a saved plan can tell.
void move_state(const TestProject& project, ServerProcess& server, const std::string& key) {
  CliResult pulled = remote(project, server, {"state", "pull", key});
  ASSERT_EQ(pulled.exit_code, 0) << pulled.err;
  nlohmann::json state = nlohmann::json::parse(pulled.out);
  state["serial"] = state["serial"].get<int64_t>() + 1;
  std::string file = project.path("moved.tfstate");
  write_file_atomic(file, state.dump(2), 0600);
  CliResult pushed = remote(project, server, {"state", "push", key, file});
  ASSERT_EQ(pushed.exit_code, 0) << pushed.out << pushed.err;
}

// The real Terraform: a plan made by one worker is applied by another from the server's copy
// (the engine applies the plan file: "Apply complete!" with what the plan said, no new plan); a
// state that moved before the apply is asked for makes the server refuse it as stale, and one
// that moves after makes Terraform refuse the saved plan. The marker, in the plan, its log and
// then the state, is nowhere in the database in clear.
TEST(SavedPlans, RealTerraformPlanAppliedOnAnotherWorkerAndStalePlansRefused) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  GitProject project;
  project.write("stacks/dev.js", std::string("stack('dev');\n"
                                             "const network = component('network', 'modules/m', {\n"
                                             "  inputs: { in: '") +
                                     kMarker + "' },\n"
                                               "  mock_outputs: { out: 'not-yet' },\n"
                                               "});\n"
                                               "component('app', 'modules/m', { inputs: { in: `${network.out}-app` } });\n");
  project.commit("marked network");
  ServerProcess server(engine_env(engine), {"--workers", "0"});
  ASSERT_TRUE(server.ready());
  ASSERT_EQ(remote(project, server, {"repos", "add", "infra", project.root()}).exit_code, 0);

  // Planned on one worker, which then goes away with its checkout.
  std::string plan_id;
  {
    WorkerProcess planner(server, "planner", engine_env(engine));
    ASSERT_TRUE(registered(server, 1));
    nlohmann::json plan =
        started_run(remote(project, server, {"runs", "start", "infra", "plan", "dev", "--wait", "--json"}));
    ASSERT_EQ(plan.value("status", ""), "succeeded") << plan.dump(2);
    plan_id = plan["id"];
    EXPECT_EQ(planner.terminate().exit_code, 0);
    EXPECT_TRUE(std::filesystem::is_empty(planner.tmp())) << join(left_in(planner.tmp()));
  }
  // Applied by another: network's plan as it was made. app's plan was made with network's mock
  // output; its input is network's real output now, which nobody reviewed: not applied.
  WorkerProcess applier(server, "applier", engine_env(engine));
  CliResult applied = remote(project, server, {"runs", "apply", plan_id, "--wait", "--json"});
  EXPECT_EQ(applied.exit_code, 1) << applied.out << applied.err;
  nlohmann::json apply = nlohmann::json::parse(applied.out);
  ASSERT_EQ(apply["activities"].size(), 2u) << apply.dump(2);
  EXPECT_EQ(apply["activities"][0]["status"], "succeeded") << apply.dump(2);
  EXPECT_EQ(apply["activities"][0]["outputs"]["out"], std::string("v-") + kMarker) << apply.dump(2);
  EXPECT_EQ(apply["activities"][1]["status"], "failed") << apply.dump(2);
  const std::string changed = apply["activities"][1].value("error", "");
  EXPECT_NE(changed.find("not applied: its generated files changed since the plan"), std::string::npos) << changed;
  EXPECT_NE(changed.find("plan again (a new plan run) and apply that run"), std::string::npos) << changed;
  EXPECT_EQ(changed.find("--plan-only-saved"), std::string::npos) << "the CLI's flag means nothing here: " << changed;
  CliResult logs = remote(project, server, {"runs", "logs", apply["id"]});
  EXPECT_NE(logs.out.find("strata: applied the plan saved at"), std::string::npos) << logs.out;
  EXPECT_NE(logs.out.find("Apply complete! Resources: 1 added"), std::string::npos) << logs.out;
  EXPECT_EQ(logs.out.find("Plan: 1 to add"), std::string::npos) << "a fresh plan was made: " << logs.out;
  EXPECT_EQ(server.send("GET", "/api/v1/states/infra%2Fdev%2Fapp").status, 404) << "app's state was never written";
  EXPECT_EQ(server.send("GET", "/api/v1/states/infra%2Fdev%2Fnetwork").status, 200);

  // Stale before the apply is asked for: refused, nothing stored.
  nlohmann::json second =
      started_run(remote(project, server, {"runs", "start", "infra", "plan", "dev", "--wait", "--json"}));
  ASSERT_EQ(second.value("status", ""), "succeeded") << second.dump(2);
  const int64_t serial = nlohmann::json::parse(remote(project, server, {"state", "pull", "infra/dev/network"}).out)["serial"];
  move_state(project, server, "infra/dev/network");
  const size_t runs = run_count(server);
  CliResult stale = remote(project, server, {"runs", "apply", second["id"]});
  EXPECT_EQ(stale.exit_code, 1) << stale.out << stale.err;
  EXPECT_NE(stale.err.find("are stale: the state changed since the plan of dev/network (serial " +
                           std::to_string(serial) + " at the plan, " + std::to_string(serial + 1) + " now)"),
            std::string::npos)
      << stale.err;
  EXPECT_NE(stale.err.find("plan again"), std::string::npos) << stale.err;
  EXPECT_EQ(run_count(server), runs) << "a refused apply stores no run";

  // Stale after it was asked for: the apply run waits for a worker, the state moves meanwhile,
  // and Terraform refuses the saved plan; nothing is planned afresh, nothing written.
  EXPECT_EQ(applier.terminate().exit_code, 0);
  nlohmann::json third = started_run(remote(project, server, {"runs", "start", "infra", "plan", "dev", "--json"}));
  ASSERT_TRUE(third.contains("id"));
  {
    WorkerProcess planner(server, "planner-2", engine_env(engine));
    nlohmann::json run = run_when_ended(server, third["id"]);
    ASSERT_EQ(run["status"], "succeeded") << run.dump(2);
    EXPECT_EQ(planner.terminate().exit_code, 0);
  }
  nlohmann::json queued = started_run(remote(project, server, {"runs", "apply", third["id"], "--json"}));
  ASSERT_TRUE(queued.contains("id")) << queued.dump(2);
  move_state(project, server, "infra/dev/network");
  const size_t versions =
      json_of(server.send("GET", "/api/v1/states/infra%2Fdev%2Fnetwork/versions"))["versions"].size();
  WorkerProcess late(server, "late", engine_env(engine));
  nlohmann::json refused = run_when_ended(server, queued["id"]);
  EXPECT_EQ(refused["status"], "failed") << refused.dump(2);
  const std::string why = refused["activities"][0].value("error", "");
  EXPECT_NE(why.find("not applied: its state changed since the plan"), std::string::npos) << why;
  EXPECT_EQ(json_of(server.send("GET", "/api/v1/states/infra%2Fdev%2Fnetwork/versions"))["versions"].size(), versions)
      << "the refused apply wrote no state";
  EXPECT_EQ(late.terminate().exit_code, 0);
  EXPECT_EQ(server.terminate().exit_code, 0);

  // Nothing readable at rest: the marker is in the plan files, the logs (the apply's outputs)
  // and the states, and nowhere in the database files.
  const std::string at_rest = database_bytes(server);
  EXPECT_NE(at_rest.find("infra/dev/network"), std::string::npos) << "the files hold the store (the premise)";
  EXPECT_EQ(at_rest.find(kMarker), std::string::npos) << "the marker in clear in the database";
}
#endif

}  // namespace
}  // namespace strata::testing

// Execution and ComponentRunner through their public API, with tofu-sim (the engine simulator
// built from tests/tofu_sim, a test double, not OpenTofu or Terraform) as the engine: what a
// user notices of one run — the order components run in, what a failure does to the others,
// outputs reaching the inputs of dependents, when init runs, the run record, and a plan with
// nothing to do. The project is a temporary folder built from short stack files.
#include "execute/execution.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/atomic_file.h"
#include "base/temp_dir.h"
#include "config/project_loader.h"
#include "tests/support/cli_runner.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

// A module that passes its input through: out = "v-<in>".
constexpr const char* kPassThroughModule = R"tf(
variable "in" {
  type    = string
  default = ""
}

resource "terraform_data" "r" {
  input = var.in
}

output "out" {
  value = "v-${var.in}"
}
)tf";

// base <- app <- web, and `other` beside them. The mock outputs let a plan run before anything
// was applied, as a user's first plan does.
constexpr const char* kChain = R"js(
stack('s', {});
backend('local', { path: 'terraform.tfstate' });
const base = component('base', 'modules/m', { inputs: { in: 'b' }, mock_outputs: { out: 'mock' } });
const app = component('app', 'modules/m', { inputs: { in: base.out }, mock_outputs: { out: 'mock' } });
component('web', 'modules/m', { inputs: { in: app.out } });
component('other', 'modules/m', { inputs: { in: 'o' } });
)js";

// Keeps every finished node's outcome, as a renderer would see it.
class OutcomeSink : public EventSink {
 public:
  void on_event(const RunEvent& event) override {
    if (event.type == RunEvent::Type::kNodeFinished && event.node && event.outcome)
      outcomes[event.node->str()] = *event.outcome;
  }
  std::map<std::string, NodeOutcome> outcomes;
};

// One engine call tofu-sim logged (TOFU_SIM_LOG).
struct SimCall {
  std::string command;  // "init", "plan", ...
  std::string cwd;
};

class ExecutionTest : public ::testing::Test {
 protected:
  ExecutionTest() : dir_("strata-execute-test") { write("modules/m/main.tf", kPassThroughModule); }

  void write(const std::string& rel, const std::string& content) {
    fs::create_directories(fs::path(path(rel)).parent_path());
    write_file_atomic(path(rel), content, 0644, Durability::kRenameOnly);
  }
  std::string path(const std::string& rel) const { return dir_.path() + "/" + rel; }

  // Loads the project as it is now and runs `operation` over `selection` with tofu-sim.
  RunRecord run(Operation operation, SelectionSpec selection,
                std::map<std::string, std::string> env = {}) {
    config::LoadOptions load;
    load.start_dir = dir_.path();
    load.js_cache = false;
    project_ = config::load_project(load);
    env.emplace("TOFU_SIM_LOG", path("sim.log"));
    EngineChoice simulator{testing::tofu_sim_binary(), "tofu-sim", /*simulated=*/true, "test"};
    Engine engine(simulator, path("plugin-cache"));
    ExecuteRequest request;
    request.operation = operation;
    request.selection = std::move(selection);
    request.jobs = 4;
    Execution execution(project_, env, engine, nullptr, request);
    planned_ = execution.planned_order();
    sink_ = OutcomeSink();
    RunRecord record = execution.run(sink_);
    record_path_ = execution.record_path();
    return record;
  }
  RunRecord run_all(Operation operation, std::map<std::string, std::string> env = {}) {
    SelectionSpec all;
    all.all = true;
    return run(operation, all, std::move(env));
  }

  // The engine calls of one command in the workdir of "stack/component", in order.
  std::vector<SimCall> calls(const std::string& node, const std::string& command) const {
    std::vector<SimCall> out;
    std::ifstream in(path("sim.log"));
    std::string line;
    while (std::getline(in, line)) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.contains("argv")) continue;
      SimCall c;
      for (const auto& a : j["argv"]) {
        std::string arg = a.get<std::string>();
        if (!arg.empty() && arg[0] != '-' && arg.find('/') == std::string::npos) {
          c.command = arg;
          break;
        }
      }
      c.cwd = j.value("cwd", "");
      if (c.command == command && c.cwd.ends_with("/" + node)) out.push_back(c);
    }
    return out;
  }

  static std::vector<std::string> names(const std::vector<ComponentRef>& refs) {
    std::vector<std::string> out;
    for (const auto& r : refs) out.push_back(r.str());
    return out;
  }

  TempDir dir_;
  Project project_;
  std::vector<ComponentRef> planned_;
  OutcomeSink sink_;
  std::string record_path_;
};

TEST_F(ExecutionTest, DependenciesRunFirstAndDestroyRunsInReverse) {
  write("stacks/s.js", kChain);
  RunRecord applied = run_all(Operation::kApply);
  ASSERT_TRUE(applied.succeeded()) << to_json(applied).dump(2);
  int base = applied.find("s", "base")->start_order, app = applied.find("s", "app")->start_order,
      web = applied.find("s", "web")->start_order;
  EXPECT_LT(base, app);
  EXPECT_LT(app, web);
  // Each dependent started only after its dependency had finished.
  EXPECT_LE(*applied.find("s", "base")->finished_at, *applied.find("s", "app")->started_at);
  EXPECT_LE(*applied.find("s", "app")->finished_at, *applied.find("s", "web")->started_at);

  RunRecord destroyed = run_all(Operation::kDestroy);
  ASSERT_TRUE(destroyed.succeeded()) << to_json(destroyed).dump(2);
  EXPECT_TRUE(destroyed.reverse);
  EXPECT_GT(destroyed.find("s", "base")->start_order, destroyed.find("s", "app")->start_order);
  EXPECT_GT(destroyed.find("s", "app")->start_order, destroyed.find("s", "web")->start_order);
  std::vector<std::string> order = names(planned_);
  auto at = [&](const std::string& n) {
    return std::find(order.begin(), order.end(), n) - order.begin();
  };
  EXPECT_LT(at("s/web"), at("s/app"));
  EXPECT_LT(at("s/app"), at("s/base"));
}

TEST_F(ExecutionTest, AFailedComponentSkipsItsDependentsAndTheOthersGoOn) {
  write("stacks/s.js", kChain);
  // The simulator fails apply only in the workdir of s/base.
  RunRecord r = run_all(Operation::kApply,
                        {{"TOFU_SIM_FAIL", "apply"}, {"TOFU_SIM_FAIL_IF_DIR_CONTAINS", "/s/base"}});
  EXPECT_FALSE(r.succeeded());
  EXPECT_EQ(r.find("s", "base")->result, NodeResult::kFailed);
  EXPECT_NE(r.find("s", "base")->message.find("Simulated failure"), std::string::npos)
      << r.find("s", "base")->message;
  EXPECT_EQ(r.find("s", "app")->result, NodeResult::kSkipped);
  EXPECT_EQ(r.find("s", "web")->result, NodeResult::kSkipped);
  EXPECT_NE(r.find("s", "app")->message.find("s/base"), std::string::npos)
      << r.find("s", "app")->message;
  EXPECT_EQ(r.find("s", "other")->result, NodeResult::kSucceeded);
  // Skipped components never reached the engine.
  EXPECT_TRUE(calls("s/app", "apply").empty());
  EXPECT_TRUE(calls("s/web", "init").empty());
}

TEST_F(ExecutionTest, OutputsOfAnAppliedDependencyReachTheDependentsInputs) {
  write("stacks/s.js", kChain);
  RunRecord r = run_all(Operation::kApply);
  ASSERT_TRUE(r.succeeded()) << to_json(r).dump(2);
  // Within one run: base's output, produced by its apply, is app's input.
  EXPECT_NE(read_file(path(".strata/s/app/s-app.tfvars.json")).find("\"v-b\""), std::string::npos);
  EXPECT_EQ(sink_.outcomes["s/web"].outputs.find("out")->as_string(), "v-v-v-b");

  // In a later run that selects only web: its dependency's outputs come from app's state.
  write("stacks/s.js", std::string(kChain) + "// touched\n");
  SelectionSpec web;
  web.components = {ComponentRef{"s", "web", {}}};
  RunRecord later = run(Operation::kPlan, web);
  ASSERT_TRUE(later.succeeded()) << to_json(later).dump(2);
  EXPECT_EQ(names(planned_), std::vector<std::string>{"s/web"});
  EXPECT_NE(read_file(path(".strata/s/web/s-web.tfvars.json")).find("\"v-v-b\""),
            std::string::npos);
  EXPECT_TRUE(calls("s/app", "plan").empty()) << "app was not selected";
}

TEST_F(ExecutionTest, InitRunsOnceAndAgainAfterTheBackendChanges) {
  write("stacks/s.js", kChain);
  ASSERT_TRUE(run_all(Operation::kPlan).succeeded());
  ASSERT_TRUE(run_all(Operation::kPlan).succeeded());
  EXPECT_EQ(calls("s/base", "init").size(), 1u);
  EXPECT_EQ(calls("s/base", "plan").size(), 2u);

  std::string moved = kChain;
  moved.replace(moved.find("'terraform.tfstate'"), 19, "'moved.tfstate'");
  write("stacks/s.js", moved);
  ASSERT_TRUE(run_all(Operation::kPlan).succeeded());
  EXPECT_EQ(calls("s/base", "init").size(), 2u) << "a new backend needs init again";
}

TEST_F(ExecutionTest, TheRunRecordSaysWhatRanAndHowItEnded) {
  write("stacks/s.js", kChain);
  RunRecord r = run_all(Operation::kPlan);
  ASSERT_FALSE(record_path_.empty());
  EXPECT_EQ(record_path_, path(".strata/.runs/" + r.run_id + ".json"));
  std::ifstream in(record_path_);
  nlohmann::json record = nlohmann::json::parse(in, nullptr, false);
  ASSERT_FALSE(record.is_discarded()) << record_path_;
  EXPECT_EQ(record["run_id"], r.run_id);
  EXPECT_EQ(record["command"], "plan");
  EXPECT_EQ(record["nodes"].size(), 4u);
  EXPECT_EQ(record["summary"]["succeeded"], 4);
  for (const auto& node : record["nodes"]) {
    EXPECT_EQ(node["result"], "succeeded") << node.dump();
    EXPECT_TRUE(fs::exists(node["log_path"].get<std::string>())) << node.dump();
  }
}

TEST_F(ExecutionTest, APlanOfNothingChangesNothing) {
  write("stacks/s.js", kChain);
  ASSERT_TRUE(run_all(Operation::kApply).succeeded());
  RunRecord r = run_all(Operation::kPlan);
  ASSERT_TRUE(r.succeeded()) << to_json(r).dump(2);
  for (const NodeRecord& n : r.nodes) {
    EXPECT_TRUE(n.changes.reported) << n.node.str();
    EXPECT_FALSE(n.changes.any()) << n.node.str() << " plans changes after an apply";
  }

  // And a selection of nothing runs nothing, yet records the run.
  RunRecord none = run(Operation::kPlan, SelectionSpec{});
  EXPECT_TRUE(none.nodes.empty());
  EXPECT_TRUE(none.succeeded());
  EXPECT_TRUE(fs::exists(record_path_));
}

// init_needed / write_init_stamp on a run dir written by hand.
TEST(InitStampTest, InitIsNeededUntilStampedAndAgainWhenTheBackendChanges) {
  TempDir dir("strata-init-stamp");
  auto write = [&](const std::string& rel, const std::string& text) {
    write_file_atomic(dir.file(rel), text, 0644, Durability::kRenameOnly);
  };
  write("main.tf", kPassThroughModule);
  write("backend.tf.json", R"({"terraform":{"backend":{"local":{"path":"a.tfstate"}}}})");
  InitStamp stamp;
  EXPECT_TRUE(init_needed(dir.path(), &stamp)) << "never initialised";
  fs::create_directory(dir.file(".terraform"));
  write_init_stamp(dir.path(), stamp, /*data_dir_elsewhere=*/false);
  EXPECT_FALSE(init_needed(dir.path(), &stamp));

  // A changed value does not need init (no source, backend or provider change)...
  std::string changed = kPassThroughModule;
  changed.replace(changed.find("\"v-${var.in}\""), 13, "\"w-${var.in}\"");
  write("main.tf", changed);
  EXPECT_FALSE(init_needed(dir.path(), &stamp));
  // ...a new backend does,
  write("backend.tf.json", R"({"terraform":{"backend":{"local":{"path":"b.tfstate"}}}})");
  EXPECT_TRUE(init_needed(dir.path(), &stamp));
  write_init_stamp(dir.path(), stamp, false);
  EXPECT_FALSE(init_needed(dir.path(), &stamp));
  // and so does a cleaned workdir.
  fs::remove_all(dir.file(".terraform"));
  EXPECT_TRUE(init_needed(dir.path(), &stamp));
}

TEST(ComponentRunnerTest, StateOfAComponentThatDoesNotExistSaysWhichAndHow) {
  TempDir dir("strata-component-runner");
  Project project;
  project.root = dir.path();
  EngineChoice simulator{testing::tofu_sim_binary(), "tofu-sim", true, "test"};
  Engine engine(simulator, dir.file("plugin-cache"));
  ComponentRunner runner(project, engine, nullptr, ComponentRunOptions{});
  try {
    runner.outputs(ComponentRef{"s", "nope", {}}, Origin("stacks/s.js", 3, 7));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.render(),
              "stacks/s.js:3:7: state(\"s\", \"nope\"): no such component\n"
              "  hint: check the stack and component names; `strata list` shows them");
  }
}

}  // namespace
}  // namespace strata

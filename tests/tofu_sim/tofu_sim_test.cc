// Tests of tofu-sim's own promises: the CLI contract strata relies on (state, plan files, exit
// codes, -json lines that strata's parsers read) and the knobs of README.md.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "engine/output_json.h"
#include "engine/plan_json.h"
#include "engine/ui_event.h"
#include "model/value.h"
#include "tests/tofu_sim/sim_test_support.h"

namespace tofu_sim::testing {
namespace {

const char* kModule = R"(
variable "name" {
  type    = string
  default = "web"
}
variable "ports" {
  type    = list(number)
  default = [80]
}
resource "terraform_data" "a" {
  input = var.name
}
resource "terraform_data" "b" {
  input = "${terraform_data.a.output}-b"
}
output "name" {
  value = terraform_data.b.output
}
output "ports" {
  value = var.ports
}
output "token" {
  value     = "s3cr3t"
  sensitive = true
}
)";

class TofuSim : public ::testing::Test {
 protected:
  void SetUp() override { write_file(dir_.path() / "main.tf", kModule); }
  RunResult sim(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), sim_path());
    return run(args, dir_.path(), env);
  }
  std::vector<strata::UiEvent> events(const RunResult& r) {
    std::vector<strata::UiEvent> out;
    for (const auto& l : r.lines()) out.push_back(strata::parse_ui_event(l));
    return out;
  }
  TempDir dir_{"unit"};
};

TEST_F(TofuSim, SaysItIsASimulator) {
  RunResult r = sim({"version", "-json"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.err.find("tofu-sim: simulated engine (test double)"), std::string::npos);
  strata::Value v = strata::parse_json_text(r.out);
  EXPECT_TRUE(v.find("terraform_version")->is_string());
}

TEST_F(TofuSim, AppliesAndReportsOutputsThroughStrataParsers) {
  ASSERT_EQ(sim({"init", "-input=false"}).exit_code, 0);
  RunResult plan = sim({"plan", "-input=false", "-json", "-out=tf.plan", "-var", "name=api"});
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  bool saw_summary = false;
  for (const auto& e : events(plan)) {
    EXPECT_NE(e.type, strata::UiEventType::kText) << e.message;
    if (e.type == strata::UiEventType::kChangeSummary) {
      saw_summary = true;
      EXPECT_EQ(e.changes, (strata::UiChangeSummary{2, 0, 0, 0, 0, "plan"}));
    }
  }
  EXPECT_TRUE(saw_summary);

  RunResult show = sim({"show", "-json", "tf.plan"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  strata::PlanDocument doc = strata::parse_plan_json(show.out);
  EXPECT_EQ(doc.counts, (strata::PlanCounts{2, 0, 0, 0}));

  RunResult apply = sim({"apply", "-input=false", "-auto-approve", "-json", "tf.plan"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_FALSE(fs::exists(dir_.path() / ".terraform.tfstate.lock.info"));

  RunResult out = sim({"output", "-json"});
  ASSERT_EQ(out.exit_code, 0);
  auto outputs = strata::parse_output_json(out.out);
  EXPECT_EQ(outputs.at("name").value.as_string(), "api-b");
  EXPECT_EQ(strata::to_json_text(outputs.at("ports").type, -1), R"(["list","number"])");
  EXPECT_TRUE(outputs.at("token").value.sensitive());

  RunResult one = sim({"output", "-json", "name"});
  EXPECT_EQ(one.out, "\"api-b\"\n");
  EXPECT_EQ(sim({"output", "-json", "missing"}).exit_code, 1);

  // The saved plan was applied; a second detailed plan with the same input sees no change.
  EXPECT_EQ(sim({"plan", "-detailed-exitcode", "-var", "name=api"}).exit_code, 0);
  EXPECT_EQ(sim({"plan", "-detailed-exitcode", "-var", "name=other"}).exit_code, 2);
}

TEST_F(TofuSim, VariablesFromFilesAndEnvironment) {
  write_file(dir_.path() / "dev.tfvars.json", R"({"name": "from-file"})");
  ASSERT_EQ(sim({"apply", "-auto-approve", "-var-file=dev.tfvars.json"},
                {{"TF_VAR_ports", "[1, 2]"}}).exit_code, 0);
  auto outputs = strata::parse_output_json(sim({"output", "-json"}).out);
  EXPECT_EQ(outputs.at("name").value.as_string(), "from-file-b");
  EXPECT_EQ(strata::to_json_text(outputs.at("ports").value, -1), "[1,2]");
}

TEST_F(TofuSim, RejectsUnsupportedExpressionsWithPosition) {
  write_file(dir_.path() / "bad.tf", "output \"x\" {\n  value = upper(var.name)\n}\n");
  RunResult r = sim({"plan", "-json"});
  EXPECT_EQ(r.exit_code, 1);
  bool found = false;
  for (const auto& e : events(r)) {
    if (e.type != strata::UiEventType::kDiagnostic) continue;
    found = true;
    EXPECT_EQ(e.diagnostic->filename, "bad.tf");
    EXPECT_EQ(e.diagnostic->start.line, 2);
    EXPECT_NE(e.diagnostic->summary.find("upper"), std::string::npos);
  }
  EXPECT_TRUE(found);
}

TEST_F(TofuSim, FailKnobFailsOnlyTheNamedOperationInMatchingDirs) {
  RunResult failed = sim({"plan", "-json"}, {{"TOFU_SIM_FAIL", "plan"}});
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_NE(failed.out.find("Simulated failure"), std::string::npos);
  EXPECT_EQ(sim({"plan"}, {{"TOFU_SIM_FAIL", "apply"}}).exit_code, 0);
  EXPECT_EQ(sim({"plan"}, {{"TOFU_SIM_FAIL", "plan"}, {"TOFU_SIM_FAIL_IF_DIR_CONTAINS", "nope"}})
                .exit_code, 0);
  EXPECT_EQ(sim({"plan"}, {{"TOFU_SIM_FAIL_IF_DIR_CONTAINS", "tofu-sim-unit"}}).exit_code, 1);
}

TEST_F(TofuSim, CrashKnobAborts) {
  RunResult r = sim({"apply", "-auto-approve"}, {{"TOFU_SIM_CRASH", "apply"}});
  EXPECT_EQ(r.exit_code, 128 + SIGABRT);
}

TEST_F(TofuSim, LogKnobRecordsEveryInvocation) {
  fs::path log = dir_.path() / "calls.log";
  std::map<std::string, std::string> env{{"TOFU_SIM_LOG", log.string()},
                                         {"TOFU_SIM_DELAY_PLAN_MS", "300"}};
  Child a({sim_path(), "plan"}, dir_.path(), env);
  Child b({sim_path(), "version"}, dir_.path(), env);
  a.wait();
  b.wait();
  std::vector<strata::Value> calls;
  std::istringstream in(read_file(log));
  for (std::string l; std::getline(in, l);) calls.push_back(strata::parse_json_text(l));
  ASSERT_EQ(calls.size(), 2u);
  for (const auto& c : calls) {
    EXPECT_EQ(c.find("cwd")->as_string(), dir_.path().string());
    EXPECT_GE(c.find("end_ms")->as_number().as_double(), c.find("start_ms")->as_number().as_double());
  }
  const strata::Value& plan = calls[0].find("argv")->as_list()[1].as_string() == "plan" ? calls[0] : calls[1];
  EXPECT_GE(plan.find("end_ms")->as_number().as_double() - plan.find("start_ms")->as_number().as_double(), 300);
}

TEST_F(TofuSim, HoldsTheStateLockWhileRunningAndHonoursSigint) {
  Child apply({sim_path(), "apply", "-auto-approve", "-json"}, dir_.path(),
              {{"TOFU_SIM_DELAY_APPLY_MS", "10000"}});
  fs::path lock = dir_.path() / ".terraform.tfstate.lock.info";
  // The lock file is created, locked, then written (as Terraform's local backend does): wait for
  // its content, not only for the file (under load the test read it empty in between).
  std::error_code ec;
  for (int i = 0; i < 500 && (!fs::exists(lock) || fs::file_size(lock, ec) == 0); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(fs::exists(lock));
  ASSERT_GT(fs::file_size(lock, ec), 0u);
  strata::Value info = strata::parse_json_text(read_file(lock));
  EXPECT_EQ(info.find("Operation")->as_string(), "OperationTypeApply");
  // A second run waits for the lock, then fails naming the holder.
  RunResult second = sim({"plan", "-json", "-lock-timeout=0s"});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.out.find("Error acquiring the state lock"), std::string::npos);
  EXPECT_NE(second.out.find(info.find("ID")->as_string()), std::string::npos);

  // Each of the two resources takes 5 s (room for a loaded machine): this lands while the first one is being created.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ::kill(apply.pid(), SIGINT);
  RunResult r = apply.wait();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("Interrupt received"), std::string::npos);
  EXPECT_NE(r.out.find("execution halted"), std::string::npos);
  EXPECT_FALSE(fs::exists(lock));
  // The resource in flight at the interrupt finished and is in the state; the next never began.
  strata::Value state = strata::parse_json_text(read_file(dir_.path() / "terraform.tfstate"));
  ASSERT_EQ(state.find("resources")->as_list().size(), 1u);
  EXPECT_EQ(state.find("resources")->as_list()[0].find("name")->as_string(), "a");
}

TEST_F(TofuSim, IgnoreSigintKnobDelaysTheInterrupt) {
  auto start = std::chrono::steady_clock::now();
  Child apply({sim_path(), "apply", "-auto-approve"}, dir_.path(),
              {{"TOFU_SIM_DELAY_APPLY_MS", "5000"}, {"TOFU_SIM_IGNORE_SIGINT_MS", "1500"}});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ::kill(apply.pid(), SIGINT);
  RunResult r = apply.wait();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_GE(ms, 1500);
  EXPECT_LT(ms, 4900);  // without the interrupt the run takes over 5 s
}

}  // namespace
}  // namespace tofu_sim::testing

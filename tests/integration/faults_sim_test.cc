// Faults around a run (issue 18), with tofu-sim — the engine simulator, not an engine — so the
// timing is under the test's control: strata killed with SIGKILL mid-apply, Ctrl-C pressed two
// and three times, an engine that ignores SIGINT, and two strata runs on one workdir
// (--lock-wait). The same kill -9 path runs against real Terraform in kill_campaign_test.cc.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/integration/e2e_support.h"

namespace strata::testing {
namespace {

using namespace std::chrono_literals;

// Three resources, so an apply spread over TOFU_SIM_DELAY_APPLY_MS is interrupted between them.
constexpr const char* kThreeResources = R"tf(
variable "in" {
  type    = string
  default = ""
}

resource "terraform_data" "r1" {
  input = var.in
}

resource "terraform_data" "r2" {
  input = var.in
}

resource "terraform_data" "r3" {
  input = var.in
}

output "out" {
  value = "v-${var.in}"
}
)tf";

class FaultProject : public TestProject {
 public:
  FaultProject() {
    write("modules/m/main.tf", kThreeResources);
    write("stacks/s.js", R"js(
stack('s', {});
backend('local', { path: 'terraform.tfstate' });
const a = component('a', 'modules/m', { inputs: { in: 'a' } });
component('b', 'modules/m', { inputs: { in: a.out } });
component('c', 'modules/m', { inputs: { in: a.out } });
)js");
  }
  std::string sim_log() const { return path("sim.log"); }
  std::map<std::string, std::string> env(std::map<std::string, std::string> extra = {}) const {
    extra.emplace("TOFU_SIM_LOG", sim_log());
    return engine_env(tofu_sim_binary(), std::move(extra));
  }
  CliResult strata(const std::vector<std::string>& args, std::map<std::string, std::string> extra = {}) const {
    return run(args, env(std::move(extra)));
  }
  // Resources in a component's state; -1 when the state is missing, empty or not JSON.
  int resources(const std::string& component) const {
    std::string rel = ".strata/s/" + component + "/terraform.tfstate";
    if (!exists(rel)) return -1;
    auto state = nlohmann::json::parse(read(rel), nullptr, false);
    if (state.is_discarded() || !state.contains("resources")) return -1;
    return static_cast<int>(state["resources"].size());
  }
  // How tofu-sim's `apply` calls ended: an exit code each, for those that lived to log it (a
  // killed engine logs nothing).
  std::vector<int> apply_exits() const {
    std::vector<int> out;
    for (const auto& c : read_sim_log(sim_log()))
      if (c.has("apply")) out.push_back(c.exit_code);
    return out;
  }
};

// A tofu-sim apply (not its supervisor) is running and handles SIGINT.
bool sim_applying(const TestProject& p) {
  for (const auto& proc : processes_mentioning(p.root()))
    if (proc.find("tofu-sim apply") != std::string::npos && proc.find("__supervise") == std::string::npos &&
        handles_sigint(std::stoi(proc)))
      return true;
  return false;
}

std::string engine_pid(const TestProject& p) {
  for (const auto& proc : processes_mentioning(p.root()))
    if (proc.find("tofu-sim apply") != std::string::npos && proc.find("__supervise") == std::string::npos)
      return proc.substr(0, proc.find(' '));
  return "";
}

// strata dies of SIGKILL while `a` applies (the OOM killer, a cancelled CI job). Its engine is
// told to stop by its supervisor, finishes the resource in flight, writes a whole state and exits
// on its own; a strata started meanwhile refuses the workdir and names that engine; once it has
// stopped, the next apply completes the work without creating anything twice.
TEST(Faults, StrataKilledMidApplyLeavesTheEngineToSaveItsStateAndTheNextRunNamesIt) {
  FaultProject p;
  // 3 s a resource, and the engine holds SIGINT back for its first 5 s (as Terraform finishing a
  // slow resource does): it is still running when the second strata starts.
  auto env = p.env({{"TOFU_SIM_DELAY_APPLY_MS", "9000"}, {"TOFU_SIM_IGNORE_SIGINT_MS", "5000"}});
  std::string pid;
  {
    BackgroundStrata strata(p, {"apply", "--all", "--auto-approve"}, env);
    ASSERT_TRUE(eventually([&] { return sim_applying(p); }, 30s)) << join(processes_mentioning(p.root()));
    std::this_thread::sleep_for(1000ms);  // during its first resource
    pid = engine_pid(p);
    ASSERT_FALSE(pid.empty());
    ASSERT_EQ(::kill(strata.pid(), SIGKILL), 0);
    strata.wait();
  }
  // While the orphaned engine saves its state, a new run refuses and says who holds the workdir.
  CliResult meanwhile = p.strata({"apply", "--all", "--auto-approve"});
  EXPECT_EQ(meanwhile.exit_code, 1) << meanwhile.out << meanwhile.err;
  std::string said = meanwhile.out + meanwhile.err;
  EXPECT_NE(said.find("its engine, pid " + pid), std::string::npos) << said;
  EXPECT_NE(said.find("still running after the strata that started it"), std::string::npos) << said;

  auto left = wait_for_no_process(p.root(), 20s);
  EXPECT_EQ(join(left), "") << "the engine did not stop after strata was killed";
  kill_leftovers(left);
  // It was interrupted (exit 1), not killed: it logged its end, and its state is whole.
  EXPECT_EQ(p.apply_exits(), std::vector<int>{1});
  int saved = p.resources("a");
  EXPECT_GE(saved, 1) << "the resource in flight was not saved";
  EXPECT_LT(saved, 3) << "the engine was not interrupted";

  CliResult next = p.strata({"apply", "--all", "--auto-approve"});
  ASSERT_EQ(next.exit_code, 0) << next.out << next.err;
  EXPECT_EQ(p.resources("a"), 3);
  EXPECT_EQ(p.resources("b"), 3);
  EXPECT_EQ(p.resources("c"), 3);
}

// Two Ctrl-C within 20 ms used to SIGKILL engines at once, cutting state files as they were
// written. The second now gives the engines a grace period and says so: an engine that is
// stopping by itself finishes and writes its state.
TEST(Faults, SecondCtrlCGivesEnginesAGracePeriodBeforeTheKill) {
  FaultProject p;
  // The engine holds SIGINT back for 1 s (as Terraform finishing a resource does), then stops.
  BackgroundStrata strata(p, {"apply", "--all", "--auto-approve"},
                          p.env({{"TOFU_SIM_DELAY_APPLY_MS", "6000"}, {"TOFU_SIM_IGNORE_SIGINT_MS", "1000"}}));
  ASSERT_TRUE(eventually([&] { return sim_applying(p); }, 30s));
  strata.interrupt();
  std::this_thread::sleep_for(10ms);
  strata.interrupt();
  ASSERT_TRUE(strata.finished_within(20s));
  SubprocessResult r = strata.wait();
  EXPECT_EQ(r.exit_code, 130) << r.stdout_text << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("killing the engines still running in 3 s"), std::string::npos) << r.stderr_text;
  EXPECT_EQ(join(wait_for_no_process(p.root(), 3s)), "");
  // Not killed: it stopped by itself, logged its end and wrote a whole state.
  EXPECT_EQ(p.apply_exits(), std::vector<int>{1}) << r.stdout_text;
  EXPECT_GE(p.resources("a"), 0) << "the state of a is damaged";
}

// An engine that keeps running through the grace period is killed when it ends, and a third
// Ctrl-C kills at once.
TEST(Faults, ThirdCtrlCKillsAtOnce) {
  FaultProject p;
  BackgroundStrata strata(p, {"apply", "--all", "--auto-approve"},
                          p.env({{"TOFU_SIM_DELAY_APPLY_MS", "30000"}, {"TOFU_SIM_IGNORE_SIGINT_MS", "30000"}}));
  ASSERT_TRUE(eventually([&] { return sim_applying(p); }, 30s));
  strata.interrupt();
  std::this_thread::sleep_for(200ms);
  strata.interrupt();
  EXPECT_FALSE(strata.finished_within(1500ms)) << "the second Ctrl-C killed without a grace period";
  strata.interrupt();
  ASSERT_TRUE(strata.finished_within(3s)) << "a third Ctrl-C did not kill at once";
  SubprocessResult r = strata.wait();
  EXPECT_EQ(r.exit_code, 130);
  EXPECT_NE(r.stderr_text.find("killing the running engines now"), std::string::npos) << r.stderr_text;
  auto left = wait_for_no_process(p.root(), 3s);
  EXPECT_EQ(join(left), "");
  kill_leftovers(left);
  EXPECT_TRUE(p.apply_exits().empty()) << "the engine was expected to be killed";
}

// An engine that ignores SIGINT can never stop gracefully: after one Ctrl-C strata terminates it
// on a timeout and says so, instead of waiting for a second Ctrl-C. (The "engine" is a shell
// script that ignores SIGINT while it applies and passes every other command to tofu-sim.)
TEST(Faults, EngineIgnoringSigintIsTerminatedOnATimeoutWithAMessage) {
  FaultProject p;
  p.write("deaf-engine",
          "#!/bin/sh\n"
          "if [ \"$1\" = apply ]; then trap '' INT; sleep 60; exit 0; fi\n"
          "exec '" + tofu_sim_binary() + "' \"$@\"\n");
  std::filesystem::permissions(p.path("deaf-engine"), std::filesystem::perms::owner_all);
  auto env = engine_env(p.path("deaf-engine"));
  BackgroundStrata strata(p, {"apply", "s", "a", "--auto-approve"}, env);
  ASSERT_TRUE(eventually(
      [&] {
        for (const auto& proc : processes_mentioning(p.root()))
          if (proc.find("sleep 60") != std::string::npos) return true;
        return false;
      },
      30s));
  auto pressed = std::chrono::steady_clock::now();
  strata.interrupt();
  ASSERT_TRUE(strata.finished_within(25s)) << "strata waited for an engine that ignores SIGINT";
  auto took = std::chrono::steady_clock::now() - pressed;
  SubprocessResult r = strata.wait();
  EXPECT_EQ(r.exit_code, 130);
  EXPECT_GE(took, 4s) << "terminated before the timeout";
  EXPECT_NE(r.stdout_text.find("ignores SIGINT"), std::string::npos) << r.stdout_text << r.stderr_text;
  auto left = wait_for_no_process(p.root(), 3s);
  EXPECT_EQ(join(left), "");
  kill_leftovers(left);
}

// A second strata on a workdir in use fails at once by default, naming the holder and
// --lock-wait; with --lock-wait it waits for the first and then runs.
TEST(Faults, LockWaitWaitsForAnotherStrataAndWithoutItTheMessageSaysHow) {
  FaultProject p;
  ASSERT_EQ(p.strata({"apply", "--all", "--auto-approve"}).exit_code, 0);
  p.write("stacks/s.js", R"js(
stack('s', {});
backend('local', { path: 'terraform.tfstate' });
const a = component('a', 'modules/m', { inputs: { in: 'a2' } });
component('b', 'modules/m', { inputs: { in: a.out } });
component('c', 'modules/m', { inputs: { in: a.out } });
)js");
  BackgroundStrata first(p, {"apply", "s", "a", "--auto-approve"}, p.env({{"TOFU_SIM_DELAY_APPLY_MS", "3000"}}));
  ASSERT_TRUE(eventually([&] { return sim_applying(p); }, 30s));

  CliResult at_once = p.strata({"apply", "s", "a", "--auto-approve"});
  EXPECT_EQ(at_once.exit_code, 1);
  std::string said = at_once.out + at_once.err;
  EXPECT_NE(said.find("workdir .strata/s/a is locked by another strata (pid " + std::to_string(first.pid())),
            std::string::npos)
      << said;
  EXPECT_NE(said.find("--lock-wait"), std::string::npos) << said;

  CliResult too_short = p.strata({"apply", "s", "a", "--auto-approve", "--lock-wait", "300ms"});
  EXPECT_EQ(too_short.exit_code, 1);
  EXPECT_NE((too_short.out + too_short.err).find("still locked by another strata after waiting 300ms"),
            std::string::npos)
      << too_short.out << too_short.err;

  CliResult waited = p.strata({"apply", "s", "a", "--auto-approve", "--lock-wait", "1m"});
  EXPECT_EQ(waited.exit_code, 0) << waited.out << waited.err;
  EXPECT_NE(waited.out.find("waiting up to 1m for the workdir"), std::string::npos) << waited.out;
  ASSERT_TRUE(first.finished_within(10s));
  EXPECT_EQ(first.wait().exit_code, 0);

  // A usage error, as a bad -j is: exit 64.
  CliResult bad = p.strata({"apply", "--all", "--auto-approve", "--lock-wait", "5 minutes"});
  EXPECT_EQ(bad.exit_code, 64);
  EXPECT_NE(bad.err.find("'5 minutes' is not a duration"), std::string::npos) << bad.err;
}

// Two --include-deps runs that share a dependency: the one that finds it locked waits, then
// both succeed (they used to fail, having split the components between them).
TEST(Faults, TwoIncludeDepsRunsSharingADependencyBothSucceedWhenOneWaits) {
  FaultProject p;
  auto env = p.env({{"TOFU_SIM_DELAY_APPLY_MS", "1500"}});
  BackgroundStrata one(p, {"apply", "s", "b", "--include-deps", "--auto-approve", "--lock-wait", "2m"}, env);
  BackgroundStrata two(p, {"apply", "s", "c", "--include-deps", "--auto-approve", "--lock-wait", "2m"}, env);
  ASSERT_TRUE(one.finished_within(60s));
  ASSERT_TRUE(two.finished_within(60s));
  SubprocessResult r1 = one.wait(), r2 = two.wait();
  EXPECT_EQ(r1.exit_code, 0) << r1.stdout_text << r1.stderr_text;
  EXPECT_EQ(r2.exit_code, 0) << r2.stdout_text << r2.stderr_text;
  EXPECT_EQ(p.resources("a"), 3);
  EXPECT_EQ(p.resources("b"), 3);
  EXPECT_EQ(p.resources("c"), 3);
}

// An engine that dies of a signal is reported as that, not by its last output line.
TEST(Faults, EngineKilledByASignalIsReportedByTheSignalsName) {
  FaultProject p;
  CliResult r = p.strata({"apply", "s", "a", "--auto-approve"}, {{"TOFU_SIM_CRASH", "apply"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("apply failed: tofu-sim was killed by SIGABRT"), std::string::npos) << r.out << r.err;
}

// Runs `strata ARGS` in the project inside a mount namespace of its own, after `setup` (shell
// commands, as root: mounts that only this run sees).
CliResult strata_in_namespace(const FaultProject& p, const std::string& setup, const std::string& args) {
  std::string script = "set -e\n" + setup + "\ncd '" + p.root() + "'\nset +e\nexec '" + strata_binary() + "' " + args;
  SubprocessOptions o;
  o.argv = {"unshare", "-m", "--propagation", "private", "sh", "-c", script};
  o.env = p.env();
  o.env.emplace("TF_CLI_CONFIG_FILE", "/dev/null");
  o.env.emplace("NO_COLOR", "1");
  o.capture_stdout = true;
  o.capture_stderr = true;
  o.timeout = std::chrono::minutes(2);
  Subprocess proc(std::move(o));
  SubprocessResult r = proc.run();
  return {r.exit_code, r.stdout_text, r.stderr_text};
}

bool can_mount() { return ::geteuid() == 0 && std::filesystem::exists("/usr/bin/unshare"); }

// A project on a read-only file system: the message names the path and the cause, not
// "internal error", and the summary is still printed although no run record can be saved.
TEST(Faults, ReadOnlyProjectSaysSoWithThePath) {
  if (!can_mount()) GTEST_SKIP() << "needs root and unshare to mount the project read-only";
  FaultProject p;
  CliResult r = strata_in_namespace(
      p, "mount --bind '" + p.root() + "' '" + p.root() + "'\nmount -o remount,bind,ro '" + p.root() + "'",
      "plan --all");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.out.find("internal error"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cannot create directories '" + p.root() + "/.strata"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Read-only file system"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0 succeeded, 1 failed, 2 skipped. Run record: not saved"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("cannot create the folder for the run record"), std::string::npos) << r.err;
}

// A full disk: the file strata could not write is named, with "No space left on device" and
// what to do, and the summary is kept.
TEST(Faults, FullDiskSaysSoAndKeepsTheSummary) {
  if (!can_mount()) GTEST_SKIP() << "needs root and unshare to mount a small tmpfs";
  FaultProject p;
  // A module larger than the 1 MiB disk its workdir is on.
  p.write("modules/m/padding.tf", "# " + std::string(2 << 20, 'x') + "\n");
  std::filesystem::create_directories(p.path(".strata"));
  CliResult r = strata_in_namespace(p, "mount -t tmpfs -o size=1m tmpfs '" + p.path(".strata") + "'", "plan --all");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("No space left on device"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("the disk is full"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0 succeeded, 1 failed, 2 skipped."), std::string::npos) << r.out;
}

// The run record cannot be saved (here its folder is a file): the summary is printed first, then
// the error, and the exit code says the run did not fully work.
TEST(Faults, RunRecordThatCannotBeSavedDoesNotSwallowTheSummary) {
  FaultProject p;
  p.write(".strata/.runs", "not a folder");
  CliResult r = p.strata({"apply", "--all", "--auto-approve"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("3 succeeded, 0 failed, 0 skipped. Run record: not saved"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("run record"), std::string::npos) << r.err;
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

// Plan files and state carry variable values in clear (Terraform puts them there): they are 0600
// in 0700 folders, a plan is removed by the apply that makes it stale, and `clean` removes them.
TEST(Faults, PlanFilesArePrivateAndGoneAfterTheApplyThatSupersedesThem) {
  FaultProject p;
  p.write(".strata/s/a/s-a.planfile", "left by an older strata");
  ASSERT_EQ(p.strata({"plan", "s", "a"}).exit_code, 0);
  const std::string plan = ".strata/s/a/.strata-plans/s-a.planfile";
  ASSERT_TRUE(p.exists(plan));
  EXPECT_FALSE(p.exists(".strata/s/a/s-a.planfile")) << "the superseded plan file was kept";
  EXPECT_EQ(mode_of(p.path(plan)), 0600u);
  EXPECT_EQ(mode_of(p.path(".strata/s/a/.strata-plans")), 0700u);
  EXPECT_EQ(mode_of(p.path(".strata/s/a")), 0700u);
  EXPECT_EQ(mode_of(p.path(".strata")), 0700u);

  CliResult applied = p.strata({"apply", "s", "a", "--auto-approve"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  EXPECT_FALSE(p.exists(plan)) << "the plan outlived the apply that made it stale";
  EXPECT_EQ(mode_of(p.path(".strata/s/a/terraform.tfstate")), 0600u);

  ASSERT_EQ(p.strata({"plan", "s", "a"}).exit_code, 0);
  ASSERT_TRUE(p.exists(plan));
  CliResult cleaned = p.strata({"clean", "s"});
  EXPECT_EQ(cleaned.exit_code, 0) << cleaned.out << cleaned.err;
  EXPECT_FALSE(p.exists(plan));
  EXPECT_TRUE(p.exists(".strata/s/a/terraform.tfstate"));
}

}  // namespace
}  // namespace strata::testing

// The executor end to end against the real engine (issue 12): Terraform or OpenTofu as users
// run it, offline, with terraform_data resources and local-exec provisioners for delays and
// failures. Each test skips, saying so, when no engine is installed (never under CI=true when
// /usr/local/bin/terraform exists).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <set>
#include <sstream>
#include <string>

#include "secrets/age.h"
#include "secrets/sops.h"
#include "tests/integration/e2e_support.h"
#include "tests/support/conformance.h"

namespace strata::testing {
namespace {

using namespace std::chrono_literals;

// out = "v-<in>"; the provisioner runs `cmd` (a delay, a failure) while the resource is created.
constexpr const char* kModule = R"tf(
variable "in" {
  type    = string
  default = ""
}

variable "cmd" {
  type    = string
  default = "true"
}

resource "terraform_data" "r" {
  input = var.in

  provisioner "local-exec" {
    command = var.cmd
  }
}

output "out" {
  value = "v-${terraform_data.r.output}"
}
)tf";

class RealProject : public TestProject {
 public:
  explicit RealProject(std::string engine) : engine_(std::move(engine)) {
    write("modules/m/main.tf", kModule);
  }
  std::map<std::string, std::string> env(std::map<std::string, std::string> extra = {}) const {
    // Keep the default plugin cache inside the test folder.
    extra.emplace("XDG_CACHE_HOME", path("cache"));
    return engine_env(engine_, std::move(extra));
  }
  CliResult strata(const std::vector<std::string>& args,
                   std::map<std::string, std::string> extra = {}) const {
    return run(args, env(std::move(extra)));
  }

 private:
  std::string engine_;
};

// Copies a project without its work dir: someone who ran scripts/quickstart has state there.
void copy_tree(const std::string& from, const std::string& to) {
  for (const auto& entry : std::filesystem::directory_iterator(from)) {
    if (entry.path().filename() == ".strata") continue;
    std::filesystem::copy(entry.path(), to + "/" + entry.path().filename().string(),
                          std::filesystem::copy_options::recursive |
                              std::filesystem::copy_options::overwrite_existing);
  }
}

// `strata new` gives a project that plans at once, with the real engine and offline; applying it
// passes the network's real output across stacks.
TEST(RealEngine, NewProjectPlansAtOnceAndAppliesAcrossStacks) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  RealProject p(engine);
  CliResult created = p.strata({"new", "infra"});
  ASSERT_EQ(created.exit_code, 0) << created.out << created.err;
  CliResult plan = p.strata({"-C", "infra", "plan", "--all"});
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("2 succeeded, 0 failed"), std::string::npos) << plan.out;
  CliResult apply = p.strata({"-C", "infra", "apply", "--all", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_NE(p.read("infra/.strata/app/web/app-web.tfvars.json").find("\"network-dev-id\""), std::string::npos)
      << p.read("infra/.strata/app/web/app-web.tfvars.json");
  CliResult again = p.strata({"-C", "infra", "plan", "--all", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
}

TEST(RealEngine, QuickstartPlansAppliesIsStableAndDestroys) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  RealProject p(engine);
  copy_tree(source_dir() + "/examples/quickstart", p.root());

  CliResult plan = p.strata({"plan", "--all"});
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("3 succeeded, 0 failed"), std::string::npos) << plan.out;

  CliResult apply = p.strata({"apply", "--all", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  nlohmann::json record = read_run_record(p.root(), apply.out);
  EXPECT_EQ(record_node(record, "shared", "network")["changes"]["add"], 1);
  // The app got the network's real output, not the mock plan used.
  EXPECT_NE(p.read(".strata/dev/app/dev-app.tfvars.json").find("\"vpc-shared\""),
            std::string::npos);

  CliResult again = p.strata({"plan", "--all", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << "a second plan after apply still has changes:\n" << again.out;

  CliResult out = p.strata({"output", "dev", "app"});
  EXPECT_EQ(out.exit_code, 0) << out.err;
  EXPECT_NE(out.out.find("url = \"https://quickstart-dev.example.internal\""), std::string::npos)
      << out.out;

  CliResult destroy = p.strata({"destroy", "--all", "--auto-approve"});
  ASSERT_EQ(destroy.exit_code, 0) << destroy.out << destroy.err;
  nlohmann::json destroyed = read_run_record(p.root(), destroy.out);
  EXPECT_EQ(destroyed["reverse"], true);
  // Reverse order: the network goes last, after everything built on it.
  EXPECT_EQ(record_node(destroyed, "shared", "network")["start_order"], 3);
  for (const char* state : {".strata/dev/app/terraform.tfstate", ".strata/dev/database/terraform.tfstate",
                            ".strata/shared/network/terraform.tfstate"}) {
    auto j = nlohmann::json::parse(p.read(state));
    EXPECT_TRUE(j["resources"].empty()) << state << " still has resources";
  }
}

TEST(RealEngine, CrossStackOutputsFeedInputsFromTheRealState) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  RealProject p(engine);
  p.write("stacks/net.js", R"js(
stack('net', {});
backend('local', { path: 'terraform.tfstate' });
component('vpc', 'modules/m', { inputs: { in: 'vpc' } });
)js");
  p.write("stacks/app.js", R"js(
stack('app', {});
backend('local', { path: 'terraform.tfstate' });
component('web', 'modules/m', { inputs: { in: '{{ (state "net" "vpc").out }}' } });
)js");
  CliResult apply = p.strata({"apply", "--all", "--auto-approve", "-j", "2"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  nlohmann::json record = read_run_record(p.root(), apply.out);
  EXPECT_LE(iso_ms(record_node(record, "net", "vpc")["finished_at"]),
            iso_ms(record_node(record, "app", "web")["started_at"]));

  // A later run of app alone reads net's outputs from its state (output -json).
  CliResult out = p.strata({"output", "app", "web", "out"});
  EXPECT_EQ(out.exit_code, 0) << out.err;
  EXPECT_NE(out.out.find("v-v-vpc"), std::string::npos) << out.out;
  CliResult plan = p.strata({"plan", "app", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 0) << "the input read back from net's state changed:\n" << plan.out;
  EXPECT_NE(p.read(".strata/app/web/app-web.tfvars.json").find("\"v-vpc\""), std::string::npos);
}

// A module with no backend, providers or modules: init makes no .terraform folder there, and its
// state is terraform.tfstate beside the code. Outputs must still be read (by dependents and by
// `strata output`), and init must not run again on every later command.
TEST(RealEngine, ComponentsWithoutBackendPassOutputsAndInitOnlyOnce) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  RealProject p(engine);
  p.write("stacks/dev.js", R"js(
stack('dev', {});
const a = component('a', 'modules/m', { inputs: { in: 'a' } });
component('b', 'modules/m', { inputs: { in: `${a.out}-b` } });
)js");
  CliResult apply = p.strata({"apply", "--all", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_FALSE(std::filesystem::exists(p.path(".strata/dev/a/.terraform"))) << "the premise of this test";
  EXPECT_TRUE(std::filesystem::exists(p.path(".strata/dev/a/terraform.tfstate")));
  CliResult out = p.strata({"output", "dev", "b", "out"});
  EXPECT_EQ(out.exit_code, 0) << out.err;
  EXPECT_EQ(out.out, "v-v-a-b\n");
  CliResult plan = p.strata({"plan", "--all", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  nlohmann::json record = read_run_record(p.root(), plan.out);
  std::string run_id = record["run_id"].get<std::string>();
  for (const char* c : {"a", "b"}) {
    std::string log = p.read(".strata/.logs/" + run_id + "/dev/" + c + ".log");
    EXPECT_EQ(log.find(" init "), std::string::npos) << c << " was initialised again:\n" << log;
  }
  // Any change to such a module may need init after all (a provider, a data source): it runs.
  p.write("modules/m/extra.tf", "resource \"terraform_data\" \"extra\" {}\n");
  CliResult changed = p.strata({"plan", "dev", "a"});
  EXPECT_EQ(changed.exit_code, 0) << changed.out << changed.err;
  std::string changed_id = read_run_record(p.root(), changed.out)["run_id"].get<std::string>();
  EXPECT_NE(p.read(".strata/.logs/" + changed_id + "/dev/a.log").find(" init "), std::string::npos);
}

constexpr const char* kDiamond = R"js(
stack('s', {});
backend('local', { path: 'terraform.tfstate' });
const a = component('a', 'modules/m', { inputs: { in: 'a', cmd: 'sleep 2' } });
const b = component('b', 'modules/m', { inputs: { in: a.out, cmd: 'sleep 2' } });
const c = component('c', 'modules/m', { inputs: { in: a.out, cmd: 'sleep 2' } });
component('d', 'modules/m', { inputs: { in: `${b.out}+${c.out}` } });
)js";

TEST(RealEngine, DiamondAtJ4RunsInOrderAndSiblingsConcurrently) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  RealProject p(engine);
  p.write("stacks/s.js", kDiamond);
  CliResult r = p.strata({"apply", "--all", "--auto-approve", "-j", "4"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json record = read_run_record(p.root(), r.out);
  auto window = [&](const char* c) {
    auto n = record_node(record, "s", c);
    return std::pair<long long, long long>{iso_ms(n["started_at"]), iso_ms(n["finished_at"])};
  };
  auto a = window("a"), b = window("b"), c = window("c"), d = window("d");
  EXPECT_LE(a.second, b.first);
  EXPECT_LE(a.second, c.first);
  EXPECT_LE(b.second, d.first);
  EXPECT_LE(c.second, d.first);
  EXPECT_EQ(max_overlap({a, b, c, d}), 2) << "b and c did not run at the same time";
  EXPECT_NE(p.read(".strata/s/d/s-d.tfvars.json").find("\"v-v-a+v-v-a\""), std::string::npos);
}

TEST(RealEngine, FailingProvisionerSkipsExactlyItsDependents) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  RealProject p(engine);
  p.write("stacks/s.js", R"js(
stack('s', {});
backend('local', { path: 'terraform.tfstate' });
const broken = component('broken', 'modules/m', { inputs: { cmd: 'echo about to fail; exit 3' } });
component('child', 'modules/m', { inputs: { in: broken.out } });
const ok = component('ok', 'modules/m', { inputs: { in: 'ok' } });
component('after_ok', 'modules/m', { inputs: { in: ok.out } });
)js");
  CliResult r = p.strata({"apply", "--all", "--auto-approve", "-j", "2"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  nlohmann::json record = read_run_record(p.root(), r.out);
  std::map<std::string, std::string> expected = {{"s/after_ok", "succeeded"},
                                                 {"s/broken", "failed"},
                                                 {"s/child", "skipped"},
                                                 {"s/ok", "succeeded"}};
  EXPECT_EQ(record_results(record), expected);
  std::string log = record_node(record, "s", "broken")["log_path"];
  EXPECT_NE(r.out.find("s/broken failed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("log: " + log), std::string::npos) << r.out;
  std::string log_text = p.read(std::filesystem::relative(log, p.root()));
  EXPECT_NE(log_text.find("local-exec provisioner error"), std::string::npos) << log_text;
  EXPECT_NE(log_text.find("about to fail"), std::string::npos) << log_text;
  EXPECT_FALSE(p.exists(".strata/s/child/terraform.tfstate")) << "child reached the engine";
}

void ctrl_c_during_slow_apply(const std::string& engine, bool at_signal_thread) {
  RealProject p(engine);
  p.write("stacks/s.js", R"js(
stack('s', {});
backend('local', { path: 'terraform.tfstate' });
const done = component('done', 'modules/m', { inputs: { in: 'done' } });
component('slow', 'modules/m', { inputs: { in: done.out, cmd: 'sleep 30' } });
)js");
  BackgroundStrata strata(p, {"apply", "--all", "--auto-approve"}, p.env());
  ASSERT_TRUE(eventually(
      [&] {
        for (const auto& proc : processes_mentioning(p.root()))
          if (proc.find("): sleep 30") != std::string::npos) return true;
        return false;
      },
      45s))
      << join(processes_mentioning(p.root()));
  if (at_signal_thread) {
    pid_t tid = signal_waiting_thread(strata.pid());
    ASSERT_NE(tid, 0);
    ASSERT_EQ(tgkill(strata.pid(), tid, SIGINT), 0);
  } else {
    strata.interrupt();
  }
  ASSERT_TRUE(strata.finished_within(25s)) << "strata did not stop after Ctrl-C";
  SubprocessResult r = strata.wait();
  EXPECT_EQ(r.exit_code, 130) << r.describe() << "\n" << r.stdout_text << r.stderr_text;

  // Terraform kills the provisioner's shell but not its `sleep`: strata must clean up.
  auto left = wait_for_no_process(p.root(), 3s);
  EXPECT_EQ(join(left), "") << "left running after the run";
  kill_leftovers(left);
  EXPECT_FALSE(p.exists(".strata/s/slow/.terraform.tfstate.lock.info"));
  auto done_state = nlohmann::json::parse(p.read(".strata/s/done/terraform.tfstate"));
  ASSERT_EQ(done_state["resources"].size(), 1u) << "the finished component's state was damaged";
  EXPECT_EQ(done_state["outputs"]["out"]["value"], "v-done");

  nlohmann::json record = read_run_record(p.root(), r.stdout_text);
  EXPECT_EQ(record["interrupted"], true) << record.dump(2);
  EXPECT_EQ(record["interrupted_nodes"], nlohmann::json::parse(R"(["s/slow"])"));
  std::map<std::string, std::string> expected = {{"s/done", "succeeded"},
                                                 {"s/slow", "interrupted"}};
  EXPECT_EQ(record_results(record), expected);
}

TEST(RealEngine, CtrlCDuringSlowApplyStopsEverythingAndKeepsFinishedState) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  ctrl_c_during_slow_apply(engine, /*at_signal_thread=*/false);
}

TEST(RealEngine, CtrlCAtTheSignalThreadDuringSlowApplyStopsEverythingAndKeepsFinishedState) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  ctrl_c_during_slow_apply(engine, /*at_signal_thread=*/true);
}

// src's output is sensitive, so dst's input made from it is sensitive too. The value is
// computed (upper()), so it is written literally in no module file.
constexpr const char* kSensitiveStack = R"js(
stack('s', {});
backend('local', { path: 'terraform.tfstate' });
const src = component('src', 'modules/src', {});
component('dst', 'modules/dst', { inputs: { password: src.pw } });
)js";
constexpr const char* kSecret = "S3CR3T-ZQ9-PW";

void write_sensitive_project(RealProject& p) {
  p.write("modules/src/main.tf", R"tf(
output "pw" {
  value     = upper("s3cr3t-zq9-pw")
  sensitive = true
}
)tf");
  p.write("modules/dst/main.tf", R"tf(
variable "password" {
  type      = string
  sensitive = true
}

resource "terraform_data" "r" {
  input = sha256(var.password)
}

output "password_length" {
  value = nonsensitive(length(var.password))
}
)tf");
  p.write("stacks/s.js", kSensitiveStack);
}

// Files the engine writes itself (state, plans, its own folder) hold the value by design.
bool written_by_engine(const std::string& rel) {
  return rel.find("terraform.tfstate") != std::string::npos ||
         rel.ends_with(".planfile") || rel.find(".terraform/") != std::string::npos;
}

TEST(RealEngine, SensitiveInputReachesTerraformAsTfVarAndNoFileOrOutput) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  RealProject p(engine);
  write_sensitive_project(p);
  CliResult apply = p.strata({"apply", "--all", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  // Terraform saw the value (through TF_VAR_password: it is in no tfvars file).
  auto state = nlohmann::json::parse(p.read(".strata/s/dst/terraform.tfstate"));
  EXPECT_EQ(state["outputs"]["password_length"]["value"], std::string(kSecret).size());
  EXPECT_EQ(p.read(".strata/s/dst/s-dst.tfvars.json").find("password"), std::string::npos)
      << p.read(".strata/s/dst/s-dst.tfvars.json");
  CliResult plan = p.strata({"plan", "--all", "--json"});
  for (const CliResult* r : {&apply, &plan}) {
    EXPECT_EQ(r->out.find(kSecret), std::string::npos) << r->out;
    EXPECT_EQ(r->err.find(kSecret), std::string::npos) << r->err;
  }
  // Strata's generated files in the workdirs (logs are checked by the next test).
  auto leaks = files_containing(p.path(".strata"), kSecret, [](const std::string& rel) {
    return written_by_engine(rel) || rel.starts_with(".logs/");
  });
  EXPECT_EQ(join(leaks), "");
}

// The logs too: `output -json` for a dependency with a sensitive output (apply's stream leaves
// those out, so strata reads them that way) must not put the value in its log.
TEST(RealEngine, SensitiveValueIsInNoLogStrataWrote) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  RealProject p(engine);
  write_sensitive_project(p);
  CliResult apply = p.strata({"apply", "--all", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  auto leaks = files_containing(p.path(".strata"), kSecret, written_by_engine);
  EXPECT_EQ(join(leaks), "");
}

// A SOPS file (age recipient) from the conformance data: its stringData.key decrypts to
// "value". strata decrypts it in-process; the value must reach Terraform and nothing else.
TEST(RealEngine, SecretFromJsReachesTerraformAsTfVar) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  STRATA_REQUIRE_CONFORMANCE(dir);
  RealProject p(engine);
  std::string sops = dir + "/sops/fluxcd-kustomize-controller/sops";
  p.write("secret.enc.yaml", read_file(sops + "/algorithms/age.yaml"));
  p.write("modules/db/main.tf",
          "variable \"password\" {\n  type      = string\n  sensitive = true\n}\n"
          "resource \"terraform_data\" \"db\" {\n  input = var.password\n}\n"
          "output \"password_length\" {\n  value = nonsensitive(length(var.password))\n}\n"
          "output \"password_upper\" {\n  value     = upper(var.password)\n  sensitive = true\n}\n");
  p.write("stacks/s.js", R"js(
stack('s', {});
backend('local', { path: 'terraform.tfstate' });
component('db', 'modules/db', { password: secrets('sops://secret.enc.yaml#/stringData/key') });
)js");
  std::map<std::string, std::string> env = {{"SOPS_AGE_KEY_FILE", sops + "/keys/age.txt"}};
  CliResult apply = p.run({"apply", "--all", "--auto-approve"}, engine_env(engine, env));
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  auto state = nlohmann::json::parse(p.read(".strata/s/db/terraform.tfstate"));
  EXPECT_EQ(state["outputs"]["password_length"]["value"], 5);  // Terraform got "value"
  CliResult describe = p.run({"describe", "s", "db"}, engine_env(engine, env));
  EXPECT_NE(describe.out.find("(sensitive)"), std::string::npos) << describe.out;
  CliResult output = p.run({"output", "s", "db"}, engine_env(engine, env));
  for (const CliResult* r : {&apply, &describe, &output}) {
    EXPECT_EQ(r->out.find("VALUE"), std::string::npos) << r->out;
    EXPECT_EQ(r->err.find("VALUE"), std::string::npos) << r->err;
  }
  // No file strata wrote holds the plaintext (the word is searched in upper case: "value" is
  // also an ordinary word in Terraform's files; the module exports it upper-cased).
  auto leaks = files_containing(p.path(".strata"), "VALUE", written_by_engine);
  EXPECT_EQ(join(leaks), "");
  auto tfvars = p.read(".strata/s/db/s-db.tfvars.json");
  EXPECT_EQ(tfvars.find("password"), std::string::npos) << tfvars;
}

// The leak test with a real SOPS file of our own (age recipient) whose secret is a word found
// nowhere else: after plan, apply, describe and output, neither strata's files (generated
// files, logs, run records) nor its stdout and stderr hold it, nor its upper-cased derivative.
TEST(RealEngine, SopsSecretLeavesNoTraceInAnythingStrataWroteOrPrinted) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  constexpr const char* kSopsSecret = "Tr0ub4dor-3-sops-7c1e";
  constexpr const char* kDerived = "TR0UB4DOR-3-SOPS-7C1E";
  RealProject p(engine);
  auto id = age::Identity::x25519(
      "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0");
  p.write("keys/age.txt", "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0\n");
  p.write("secrets/db.enc.yaml", secrets::encrypt_sops_yaml({{"db_password", kSopsSecret}}, id.recipient()));
  p.write("modules/db/main.tf",
          "variable \"password\" {\n  type      = string\n  sensitive = true\n}\n"
          "resource \"terraform_data\" \"db\" {\n  input = length(var.password)\n}\n"
          "output \"password_length\" {\n  value = nonsensitive(length(var.password))\n}\n"
          "output \"password_upper\" {\n  value     = upper(var.password)\n  sensitive = true\n}\n");
  p.write("modules/app/main.tf",
          "variable \"db_password\" {\n  type      = string\n  sensitive = true\n}\n"
          "resource \"terraform_data\" \"app\" {\n  input = length(var.db_password)\n}\n");
  p.write("stacks/s.js", R"js(
stack('s', {});
backend('local', { path: 'terraform.tfstate' });
const db = component('db', 'modules/db', { password: secrets('sops://secrets/db.enc.yaml#/db_password') });
component('app', 'modules/app', { db_password: db.password_upper });
)js");
  std::map<std::string, std::string> env = {{"SOPS_AGE_KEY_FILE", p.path("keys/age.txt")}};
  CliResult plan = p.run({"plan", "--all"}, engine_env(engine, env));
  EXPECT_EQ(plan.exit_code, 1) << "app's input needs db's state: " << plan.out << plan.err;
  CliResult apply = p.run({"apply", "--all", "--auto-approve"}, engine_env(engine, env));
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  auto state = nlohmann::json::parse(p.read(".strata/s/db/terraform.tfstate"));
  EXPECT_EQ(state["outputs"]["password_length"]["value"], std::string(kSopsSecret).size());
  CliResult plan_again = p.run({"plan", "--all", "--json"}, engine_env(engine, env));
  EXPECT_EQ(plan_again.exit_code, 0) << plan_again.out << plan_again.err;
  CliResult describe = p.run({"describe", "s", "--json"}, engine_env(engine, env));
  CliResult output = p.run({"output", "s", "db"}, engine_env(engine, env));
  EXPECT_EQ(output.exit_code, 0) << output.out << output.err;
  for (const CliResult* r : {&plan, &apply, &plan_again, &describe, &output}) {
    for (const char* word : {kSopsSecret, kDerived}) {
      EXPECT_EQ(r->out.find(word), std::string::npos) << r->out;
      EXPECT_EQ(r->err.find(word), std::string::npos) << r->err;
    }
  }
  for (const char* word : {kSopsSecret, kDerived}) {
    EXPECT_EQ(join(files_containing(p.path(".strata"), word, written_by_engine)), "");
  }
}

// Secrets are references until a component that uses them runs (#18, #19): loading stack files
// decrypts nothing, so `list`, `graph` and `plan dev` need only dev's key; a value built from a
// secret in JavaScript (a connection string, the engine's environment) stays secret all the
// way to Terraform and lands in no file strata writes; what needs the plaintext in JavaScript
// is an error at its line.
TEST(RealEngine, SecretsAreDecryptedOnlyForTheComponentsThatRunAndStaySecretWhenDerived) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  constexpr const char* kSecret = "Zq8-lazy-secret-51d0";
  RealProject p(engine);
  auto dev_key = age::Identity::x25519("AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0");
  auto prod_key = age::Identity::x25519("AGE-SECRET-KEY-1RH87A5Z54ZGUR9S0AS3R6WHFSEFNPLYMAKF5Z2CEU7R06VRJ0A3Q7242AM");
  p.write("keys/dev.txt", "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0\n");
  p.write("secrets/dev.enc.yaml", secrets::encrypt_sops_yaml({{"pw", kSecret}}, dev_key.recipient()));
  p.write("secrets/prod.enc.yaml", secrets::encrypt_sops_yaml({{"pw", "prod-only"}}, prod_key.recipient()));
  // url is not marked sensitive in the module: strata passes it as TF_VAR_ all the same.
  p.write("modules/app/main.tf", R"tf(
variable "url" { type = string }
resource "terraform_data" "app" {
  input = length(var.url)
  provisioner "local-exec" {
    command = "printf %s \"$APP_TOKEN\" | wc -c > token_length"
  }
}
output "url_length" { value = length(var.url) }
)tf");
  for (const std::string name : {"dev", "prod"}) {
    std::string text = R"js(stack('NAME', {});
backend('local', { path: 'terraform.tfstate' });
secretsConfig({ defaultPath: 'secrets/NAME.enc.yaml' });
envs({ APP_TOKEN: secret('pw') });
component('app', 'modules/app', {
  url: 'postgres://app:' + secrets('sops://secrets/NAME.enc.yaml#').pw + '@db:5432/app',
});
)js";
    for (size_t at = text.find("NAME"); at != std::string::npos; at = text.find("NAME")) text.replace(at, 4, name);
    p.write("stacks/" + name + ".js", text);
  }
  std::map<std::string, std::string> env =
      engine_env(engine, {{"SOPS_AGE_KEY_FILE", p.path("keys/dev.txt")}, {"XDG_CACHE_HOME", p.path("cache")}});

  CliResult list = p.run({"list"}, env);
  EXPECT_EQ(list.exit_code, 0) << list.out << list.err;
  CliResult graph = p.run({"graph"}, env);
  EXPECT_EQ(graph.exit_code, 0) << graph.out << graph.err;
  CliResult validate = p.run({"validate"}, env);
  EXPECT_EQ(validate.exit_code, 0) << validate.out << validate.err;
  CliResult plan = p.run({"plan", "dev"}, env);
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  CliResult apply = p.run({"apply", "dev", "--auto-approve"}, env);
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  const std::string url = std::string("postgres://app:") + kSecret + "@db:5432/app";
  auto state = nlohmann::json::parse(p.read(".strata/dev/app/terraform.tfstate"));
  EXPECT_EQ(state["outputs"]["url_length"]["value"], url.size());  // Terraform got the whole string
  EXPECT_EQ(std::stoul(p.read(".strata/dev/app/token_length")), std::string(kSecret).size());  // and the env var

  // prod's secrets cannot be decrypted with dev's key: its plan fails, naming where.
  CliResult prod = p.run({"plan", "prod"}, env);
  EXPECT_EQ(prod.exit_code, 1) << prod.out << prod.err;
  EXPECT_NE((prod.out + prod.err).find("stacks/prod.js:"), std::string::npos) << prod.out << prod.err;
  EXPECT_NE((prod.out + prod.err).find("secrets/prod.enc.yaml"), std::string::npos) << prod.out << prod.err;

  CliResult show = p.run({"show", "dev"}, env);  // nothing saved after apply; says so
  CliResult describe = p.run({"describe", "dev", "app"}, env);
  EXPECT_NE(describe.out.find("(sensitive)"), std::string::npos) << describe.out;
  for (const CliResult* r : {&list, &graph, &validate, &plan, &apply, &prod, &show, &describe}) {
    EXPECT_EQ(r->out.find(kSecret), std::string::npos) << r->out;
    EXPECT_EQ(r->err.find(kSecret), std::string::npos) << r->err;
  }
  // Only Terraform's state may hold it (Terraform's own choice); .terraform/ is searched too.
  auto state_file = [](const std::string& rel) {
    return rel.find(".terraform/") == std::string::npos && rel.find("terraform.tfstate") != std::string::npos;
  };
  EXPECT_EQ(join(files_containing(p.root(), kSecret, state_file)), "");

  // What needs the plaintext in JavaScript fails at its line.
  p.write("stacks/dev.js", "stack('dev', {});\nconst pw = secret('pw');\nconst shout = pw.toUpperCase();\n");
  CliResult upper = p.run({"validate"}, env);
  EXPECT_EQ(upper.exit_code, 1) << upper.out << upper.err;
  EXPECT_NE(upper.err.find("stacks/dev.js:3:"), std::string::npos) << upper.err;
  EXPECT_NE(upper.err.find("secret('pw').toUpperCase: a secret has no text in a stack file"), std::string::npos)
      << upper.err;
}

// Readable plans (#19): after `plan`, the summary shows each component's changes by action with
// the attributes an update changes, values Terraform marks sensitive as "(sensitive value)" and
// strata's secrets masked even where the module does not mark them; the engine's warnings are
// in the summary; --json events, the run record and `strata show` carry the same; --compact
// keeps one line per component; after apply there is no saved plan to show.
TEST(RealEngine, PlanShowsWhatChangesWithSecretsMaskedAndEngineWarnings) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  constexpr const char* kOld = "Old-s3cret-9f41";
  constexpr const char* kNew = "New-s3cret-2b77";
  RealProject p(engine);
  auto id = age::Identity::x25519(
      "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0");
  p.write("keys/age.txt", "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0\n");
  p.write("secrets/app.enc.yaml",
          secrets::encrypt_sops_yaml({{"old", kOld}, {"new", kNew}}, id.recipient()));
  p.write("modules/app/main.tf", R"tf(
variable "replicas" { type = number }
variable "password" {
  type      = string
  sensitive = true
}
variable "token" { type = string }
resource "terraform_data" "app" {
  input = { replicas = var.replicas, name = "web" }
}
resource "terraform_data" "password" {
  input = var.password
}
resource "terraform_data" "token" {
  input = var.token
}
resource "terraform_data" "canary" {
  count = var.replicas > 2 ? 0 : 1
}
resource "terraform_data" "extra" {
  count = var.replicas > 2 ? 1 : 0
  input = "added"
}
output "replicas" { value = var.replicas }
)tf");
  auto stack = [&](int replicas, const char* key, bool undeclared) {
    p.write("stacks/s.js", std::string(R"js(
stack('s', {});
backend('local', { path: 'terraform.tfstate' });
component('app', 'modules/app', {
  replicas: )js") + std::to_string(replicas) + R"js(,
  password: secrets('sops://secrets/app.enc.yaml#/)js" + key + R"js('),
  token: secrets('sops://secrets/app.enc.yaml#/)js" + key + "'),\n" +
                            (undeclared ? "  extra_input: 'x',\n" : "") + "});\n");
  };
  std::map<std::string, std::string> env = engine_env(engine, {{"SOPS_AGE_KEY_FILE", p.path("keys/age.txt")},
                                                               {"XDG_CACHE_HOME", p.path("cache")}});
  stack(2, "old", false);
  CliResult apply = p.run({"apply", "--all", "--auto-approve"}, env);
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  CliResult gone = p.run({"show", "s", "app"}, env);
  EXPECT_EQ(gone.exit_code, 1) << gone.out;
  EXPECT_NE(gone.err.find("no saved plan for s/app"), std::string::npos) << gone.err;
  EXPECT_NE(gone.err.find("stacks/s.js:4:1"), std::string::npos) << gone.err;
  EXPECT_NE(gone.err.find("strata plan s app"), std::string::npos) << gone.err;

  stack(3, "new", true);
  CliResult plan = p.run({"plan", "s"}, env);
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  const std::string& out = plan.out;
  for (const char* expected : {"s/app: 1 to create, 3 to update, 1 to destroy, 1 output",
                               "  create:\n    + terraform_data.extra[0]\n",
                               "  update in place:\n    ~ terraform_data.app\n        ~ input.replicas = 2 -> 3\n",
                               "    ~ terraform_data.password\n        ~ input = (sensitive value) -> (sensitive value)\n",
                               "  destroy:\n    - terraform_data.canary[0] (its count index is out of range)\n",
                               "  outputs:\n    ~ replicas = 2 -> 3\n",
                               "  warnings:\n    ! Value for undeclared variable: ", "\"extra_input\"",
                               "COMPONENT  RESULT     CHANGES   DURATION\ns/app      succeeded  +1 ~3 -1"}) {
    EXPECT_NE(out.find(expected), std::string::npos) << "missing:\n" << expected << "\nin:\n" << out;
  }
  // token is not sensitive to Terraform: its value is masked by strata, not left in clear.
  EXPECT_NE(out.find("    ~ terraform_data.token\n        ~ input = \"(sensitive)\" -> \"(sensitive)\"\n"), std::string::npos)
      << out;

  CliResult json = p.run({"plan", "s", "--json"}, env);
  ASSERT_EQ(json.exit_code, 0) << json.out << json.err;
  nlohmann::json finished;
  std::istringstream lines(json.out);
  for (std::string line; std::getline(lines, line);) {
    auto e = nlohmann::json::parse(line, nullptr, false);
    if (e.is_object() && e["type"] == "node_finished") finished = e;
  }
  ASSERT_TRUE(finished.contains("plan")) << json.out;
  EXPECT_EQ(finished["plan"]["resources"].size(), 5u) << finished.dump(2);
  EXPECT_EQ(finished["plan"]["resources"][0]["address"], "terraform_data.app") << finished.dump(2);
  EXPECT_EQ(finished["plan"]["resources"][0]["attributes"][0],
            (nlohmann::json{{"path", "input.replicas"}, {"before", "2"}, {"after", "3"}}));
  ASSERT_EQ(finished["warnings"].size(), 1u) << finished.dump(2);
  nlohmann::json record = read_run_record(p.root());
  EXPECT_EQ(record_node(record, "s", "app")["plan"], finished["plan"]);
  EXPECT_EQ(record_node(record, "s", "app")["warnings"], finished["warnings"]);

  CliResult show = p.run({"show", "s"}, env);
  ASSERT_EQ(show.exit_code, 0) << show.out << show.err;
  EXPECT_NE(show.out.find("  create:\n    + terraform_data.extra[0]\n        + id = (known after apply)\n"
                          "        + input = \"added\"\n"),
            std::string::npos)
      << show.out;
  EXPECT_NE(show.out.find("        ~ input.replicas = 2 -> 3\n"), std::string::npos) << show.out;

  CliResult compact = p.run({"plan", "s", "--compact"}, env);
  ASSERT_EQ(compact.exit_code, 0) << compact.out << compact.err;
  EXPECT_EQ(compact.out.find("input.replicas"), std::string::npos) << compact.out;
  EXPECT_NE(compact.out.find("s/app      succeeded  +1 ~3 -1"), std::string::npos) << compact.out;
  EXPECT_NE(compact.out.find("1 component has engine warnings: run without --compact to see them"),
            std::string::npos) << compact.out;

  for (const CliResult* r : {&plan, &json, &show, &compact}) {
    for (const char* secret : {kOld, kNew}) {
      EXPECT_EQ(r->out.find(secret), std::string::npos) << r->out;
      EXPECT_EQ(r->err.find(secret), std::string::npos) << r->err;
    }
  }
  for (const char* secret : {kOld, kNew}) {
    EXPECT_EQ(join(files_containing(p.path(".strata"), secret, written_by_engine)), "");
  }
}

// Engine flags (#19): everything after `--` reaches the engine command of every selected
// component (-var, -target, -replace, init's flags); flags that would change how strata drives
// the engine are refused before anything runs; commands without an engine refuse `--`.
TEST(RealEngine, EngineFlagsAfterDashesReachEverySelectedComponent) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  RealProject p(engine);
  p.write("modules/two/main.tf", R"tf(
variable "n" {
  type    = number
  default = 1
}
resource "terraform_data" "x" {
  input = var.n
}
resource "terraform_data" "y" {
  input = var.n
}
)tf");
  p.write("stacks/s.js", R"js(
stack('s', {});
backend('local', { path: 'terraform.tfstate' });
component('a', 'modules/two', {});
component('b', 'modules/two', {});
)js");
  CliResult refused = p.strata({"plan", "s", "--", "-out=my.plan"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("engine argument -out=my.plan: strata saves each component's plan itself"),
            std::string::npos) << refused.err;
  EXPECT_FALSE(std::filesystem::exists(p.path(".strata/s"))) << "nothing may run before the refusal";
  CliResult no_engine = p.strata({"list", "--", "-var=n=2"});
  EXPECT_EQ(no_engine.exit_code, 64) << no_engine.err;
  EXPECT_NE(no_engine.err.find("strata list takes no engine arguments after --"), std::string::npos)
      << no_engine.err;

  CliResult plan = p.strata({"plan", "s", "--", "-target=terraform_data.x", "-var=n=2"});
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  for (const char* c : {"a", "b"}) {
    CliResult show = p.strata({"show", "s", c});
    ASSERT_EQ(show.exit_code, 0) << show.out << show.err;
    EXPECT_NE(show.out.find("    + terraform_data.x\n"), std::string::npos) << show.out;
    EXPECT_NE(show.out.find("        + input = 2\n"), std::string::npos) << show.out;
    EXPECT_EQ(show.out.find("terraform_data.y"), std::string::npos) << "-target reached " << c << ":\n"
                                                                     << show.out;
  }
  // Terraform warns that -target is for exceptional situations: that warning is in the summary.
  EXPECT_NE(plan.out.find("Resource targeting is in effect"), std::string::npos) << plan.out;

  CliResult apply = p.strata({"apply", "s", "--auto-approve", "--", "-var=n=3"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  auto state = nlohmann::json::parse(p.read(".strata/s/b/terraform.tfstate"));
  ASSERT_EQ(state["resources"].size(), 2u) << state.dump(2);
  EXPECT_EQ(state["resources"][0]["instances"][0]["attributes"]["input"]["value"], 3) << state.dump(2);

  CliResult replace = p.strata({"apply", "s", "a", "--auto-approve", "--", "-var=n=3", "-replace=terraform_data.x"});
  ASSERT_EQ(replace.exit_code, 0) << replace.out << replace.err;
  nlohmann::json record = read_run_record(p.root(), replace.out);
  EXPECT_EQ(record_node(record, "s", "a")["changes"]["add"], 1) << record.dump(2);
  EXPECT_EQ(record_node(record, "s", "a")["changes"]["destroy"], 1) << record.dump(2);
  EXPECT_TRUE(record_node(record, "s", "b").is_null()) << "b was not selected";

  // init's own flags reach init: one the engine does not know fails it with its own message.
  CliResult init = p.strata({"init", "--all", "--", "-upgrade"});
  EXPECT_EQ(init.exit_code, 0) << init.out << init.err;
  CliResult bogus = p.strata({"init", "s", "a", "--", "-no-such-flag"});
  EXPECT_EQ(bogus.exit_code, 1) << bogus.out << bogus.err;
  EXPECT_NE(bogus.out.find("no-such-flag"), std::string::npos) << bogus.out;
}

// `strata plan` then `strata apply`: the reviewed plan is applied when nothing it was made from
// changed, and otherwise apply plans afresh and says why (or, with --plan-only-saved, refuses).
TEST(RealEngine, ApplyAppliesTheSavedPlanOrSaysWhyItPlansAfresh) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  RealProject p(engine);
  auto stack = [&](const std::string& in) {
    p.write("stacks/s.js", "stack('s', {});\nbackend('local', { path: 'terraform.tfstate' });\n"
                           "component('a', 'modules/m', { inputs: { in: '" + in + "' } });\n");
  };
  auto state_input = [&](const std::string& rel) {
    auto state = nlohmann::json::parse(p.read(rel));
    return state["resources"][0]["instances"][0]["attributes"]["input"]["value"].get<std::string>();
  };
  auto note = [&](const CliResult& r) {
    return record_node(read_run_record(p.root(), r.out), "s", "a").value("plan_note", "");
  };
  stack("one");
  ASSERT_EQ(p.strata({"plan", "s"}).exit_code, 0);
  // Only in a 0700 folder: the plan holds the variables in clear, and its stamp says what it was
  // made from.
  EXPECT_EQ(std::filesystem::status(p.path(".strata/s/a/.strata-plans")).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_all);
  EXPECT_TRUE(std::filesystem::exists(p.path(".strata/s/a/.strata-plans/s-a.stamp")));
  CliResult saved = p.strata({"apply", "s", "--auto-approve"});
  ASSERT_EQ(saved.exit_code, 0) << saved.out << saved.err;
  EXPECT_EQ(note(saved).rfind("applied the plan saved at ", 0), 0u) << note(saved);
  EXPECT_NE(saved.out.find("saved plans:\n  s/a: applied the plan saved at "), std::string::npos) << saved.out;
  EXPECT_EQ(state_input(".strata/s/a/terraform.tfstate"), "one");
  EXPECT_FALSE(std::filesystem::exists(p.path(".strata/s/a/.strata-plans/s-a.planfile"))) << "applied: gone";

  // An input edited after the plan: the plan is not what would be applied.
  ASSERT_EQ(p.strata({"plan", "s"}).exit_code, 0);
  stack("two");
  CliResult refused = p.strata({"apply", "s", "--auto-approve", "--plan-only-saved"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.out.find("s/a failed: not applied (--plan-only-saved): its generated files changed since the "
                             "plan (s-a.tfvars.json); run `strata plan s a`, review it, then apply"),
            std::string::npos)
      << refused.out;
  EXPECT_EQ(state_input(".strata/s/a/terraform.tfstate"), "one") << "--plan-only-saved applied something";
  CliResult afresh = p.strata({"apply", "s", "--auto-approve"});
  ASSERT_EQ(afresh.exit_code, 0) << afresh.out << afresh.err;
  EXPECT_EQ(note(afresh), "planned afresh: its generated files changed since the plan (s-a.tfvars.json)");
  EXPECT_EQ(state_input(".strata/s/a/terraform.tfstate"), "two");

  // The state changed since the plan (here by a state command run through strata).
  ASSERT_EQ(p.strata({"plan", "s", "--", "-replace=terraform_data.r"}).exit_code, 0);
  ASSERT_EQ(p.strata({"run", "s", "a", "--", "state", "rm", "terraform_data.r"}).exit_code, 0);
  CliResult state_changed = p.strata({"apply", "s", "--auto-approve"});
  ASSERT_EQ(state_changed.exit_code, 0) << state_changed.out << state_changed.err;
  EXPECT_EQ(note(state_changed), "planned afresh: its state changed since the plan");

  // A state strata does not see (outside the workdir): the engine finds the plan stale.
  p.write("stacks/t.js",
          "stack('t', {});\nbackend('local', { path: '../../../t.tfstate' });\n"
          "component('a', 'modules/m', { inputs: { in: 'three' } });\n");
  ASSERT_EQ(p.strata({"plan", "t"}).exit_code, 0);
  ASSERT_EQ(p.strata({"run", "t", "a", "--", "apply", "-auto-approve", "-var=in=other"}).exit_code, 0);
  CliResult stale = p.strata({"apply", "t", "--auto-approve"});
  ASSERT_EQ(stale.exit_code, 0) << stale.out << stale.err;
  EXPECT_EQ(record_node(read_run_record(p.root(), stale.out), "t", "a").value("plan_note", ""),
            "planned afresh: its state changed since the plan (the engine found the saved plan stale)");
  EXPECT_EQ(state_input("t.tfstate"), "three");
}

// A sops:// value nested in a Kompos tree: the `config` variable that carries it (untyped, as
// Kompos modules declare it) reaches Terraform whole and typed, from a variables file that exists
// only in memory; variables.tfvars.json on disk leaves `config` out, and no file strata wrote
// holds the secret (it used to be written there in clear, 0644, while describe said "(sensitive)").
TEST(RealEngine, NestedKomposSecretReachesTerraformFromMemoryAndNoFile) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  constexpr const char* kSecret = "Kompos-n3sted-S3cret-91";
  RealProject p(engine);
  auto id = age::Identity::x25519(
      "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0");
  p.write("keys/age.txt", "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0\n");
  p.write("secrets/db.enc.yaml", secrets::encrypt_sops_yaml({{"password", kSecret}}, id.recipient()));
  p.write("modules/db/main.tf", R"tf(
terraform {
  backend "local" {
    path = "terraform.tfstate"
  }
}

variable "config" {}

resource "terraform_data" "db" {
  input = sha256(var.config.db.password)
}

output "password_length" {
  value = nonsensitive(length(var.config.db.password))
}

output "host" {
  value = var.config.db.host
}
)tf");
  p.write("config/env=dev/env.yaml", "db:\n  host: db.dev\n  password: sops://secrets/db.enc.yaml#/password\n");
  p.write("config/env=dev/composition=terraform/terraform=db/db.yaml", "db:\n  port: 5432\n");
  const std::string leaf = "config/env=dev/composition=terraform/terraform=db";
  auto env = p.env({{"SOPS_AGE_KEY_FILE", p.path("keys/age.txt")}});
  CliResult apply = p.run({"apply", leaf, "--auto-approve"}, env);
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  auto state = nlohmann::json::parse(p.read(".strata/env=dev/db/terraform.tfstate"));
  EXPECT_EQ(state["outputs"]["password_length"]["value"], std::string(kSecret).size());
  EXPECT_EQ(state["outputs"]["host"]["value"], "db.dev");
  std::string tfvars = p.read(".strata/env=dev/db/variables.tfvars.json");
  EXPECT_EQ(tfvars.find("config"), std::string::npos) << tfvars;

  CliResult plan = p.run({"plan", leaf, "--detailed-exitcode"}, env);
  EXPECT_EQ(plan.exit_code, 0) << "no changes expected: " << plan.out << plan.err;
  CliResult run = p.run({"run", leaf, "--", "plan", "-detailed-exitcode", "-no-color"}, env);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  CliResult describe = p.run({"describe", "config/env=dev", "--json"}, env);
  for (const CliResult* r : {&apply, &plan, &run, &describe}) {
    EXPECT_EQ(r->out.find(kSecret), std::string::npos) << r->out;
    EXPECT_EQ(r->err.find(kSecret), std::string::npos) << r->err;
  }
  EXPECT_EQ(join(files_containing(p.root(), kSecret, written_by_engine)), "");
}

// The leak test for an HCL stack (#18): a stack.hcl variable that reads a SOPS secret through a
// template, planned and applied with real Terraform. No file outside Terraform's state and saved
// plans holds it; those are 0600 in 0700 folders, and the saved plan is gone once applied.
TEST(RealEngine, HclStackSecretLeavesNoTraceAndPlanFilesAreClosedAndRemoved) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  constexpr const char* kSecret = "Hcl-st4ck-S3cret-e02";
  RealProject p(engine);
  auto id = age::Identity::x25519("AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0");
  p.write("keys/age.txt", "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0\n");
  p.write("secrets/db.enc.yaml", secrets::encrypt_sops_yaml({{"password", kSecret}}, id.recipient()));
  p.write("strata.yaml", "engine: " + engine + "\n");
  p.write("db/main.tf", R"tf(
variable "password" { type = string }
resource "terraform_data" "db" {
  input = var.password
}
output "password_length" { value = length(var.password) }
)tf");
  p.write("db/stack.hcl", R"hcl(stack "db-dev" {
  variables {
    password = "{{ secret \"sops://secrets/db.enc.yaml#/password\" }}"
  }
  backend "local" {
    path = "terraform.tfstate"
  }
}
)hcl");
  auto env = engine_env(engine, {{"SOPS_AGE_KEY_FILE", p.path("keys/age.txt")}, {"XDG_CACHE_HOME", p.path("cache")}});
  CliResult validate = p.run({"validate"}, env);
  EXPECT_EQ(validate.exit_code, 0) << validate.out << validate.err;
  CliResult plan = p.run({"plan", "db-dev"}, env);
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  // The saved plan holds the variable in clear (Terraform's choice): closed to others.
  std::vector<std::string> plans;
  for (const auto& e : std::filesystem::recursive_directory_iterator(p.path(".strata"))) {
    if (!e.path().string().ends_with(".planfile")) continue;
    plans.push_back(e.path().string());
    struct stat st {};
    ASSERT_EQ(::stat(e.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << e.path();
    ASSERT_EQ(::stat(e.path().parent_path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u) << e.path().parent_path();
  }
  ASSERT_EQ(plans.size(), 1u);
  CliResult show = p.run({"show", "db-dev"}, env);
  EXPECT_EQ(show.exit_code, 0) << show.out << show.err;
  CliResult apply = p.run({"apply", "db-dev", "--auto-approve"}, env);
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_FALSE(std::filesystem::exists(plans[0])) << "the applied plan is still on disk";
  auto state = nlohmann::json::parse(p.read(".strata/db-dev/db/terraform.tfstate"));
  EXPECT_EQ(state["outputs"]["password_length"]["value"], std::string(kSecret).size());
  CliResult describe = p.run({"describe", "db-dev"}, env);
  for (const CliResult* r : {&validate, &plan, &show, &apply, &describe}) {
    EXPECT_EQ(r->out.find(kSecret), std::string::npos) << r->out;
    EXPECT_EQ(r->err.find(kSecret), std::string::npos) << r->err;
  }
  EXPECT_EQ(join(files_containing(p.root(), kSecret, written_by_engine)), "");
}

TEST(RealEngine, PluginCacheIsSetForEveryCallAndInitsDoNotOverlap) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  RealProject p(engine);
  // A wrapper that records each call's TF_PLUGIN_CACHE_DIR and when it ran.
  p.write("bin/terraform", "#!/bin/sh\n"
                           "echo \"$(date +%s%N) start $1 ${TF_PLUGIN_CACHE_DIR:-unset} $$\" >> \"" +
                               p.path("calls.log") + "\"\n" + engine +
                           " \"$@\"\nrc=$?\n"
                           "echo \"$(date +%s%N) end $1 - $$\" >> \"" + p.path("calls.log") +
                           "\"\nexit $rc\n");
  std::filesystem::permissions(p.path("bin/terraform"), std::filesystem::perms::owner_all);
  std::string js = "stack('s', {});\nbackend('local', { path: 'terraform.tfstate' });\n";
  for (int i = 1; i <= 4; ++i) js += "component('c" + std::to_string(i) + "', 'modules/m', {});\n";
  p.write("stacks/s.js", js);
  CliResult r = p.run({"apply", "--all", "--auto-approve", "-j", "4"},
                      engine_env(p.path("bin/terraform"), {{"XDG_CACHE_HOME", p.path("cache")}}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;

  std::map<std::string, std::pair<long long, long long>> inits;  // pid -> [start, end)
  std::set<std::string> commands;
  std::istringstream in(p.read("calls.log"));
  std::string line;
  int calls = 0;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    long long ns = 0;
    std::string what, command, cache, pid;
    words >> ns >> what >> command >> cache >> pid;
    if (what == "start") {
      ++calls;
      commands.insert(command);
      EXPECT_EQ(cache, p.path("cache") + "/strata/plugin-cache") << line;
      if (command == "init") inits[pid].first = ns;
    } else if (command == "init") {
      inits[pid].second = ns;
    }
  }
  EXPECT_GE(calls, 8) << p.read("calls.log");
  EXPECT_TRUE(commands.count("init") && commands.count("apply")) << p.read("calls.log");
  std::vector<std::pair<long long, long long>> windows;
  for (const auto& [pid, w] : inits) windows.push_back(w);
  EXPECT_EQ(windows.size(), 4u);
  EXPECT_EQ(max_overlap(windows), 1) << "init calls sharing one plugin cache overlapped";
}

TEST(RealEngine, SyntaxErrorFailsTheNodeAndTheLogHasTerraformsDiagnostic) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  RealProject p(engine);
  p.write("modules/bad/main.tf", "resource \"terraform_data\" \"x\" {\n  input = \"a\"\n}\n\n"
                                 "output \"o\" {\n  value = \n}\n");
  p.write("stacks/s.js", R"js(
stack('s', {});
backend('local', { path: 'terraform.tfstate' });
component('bad', 'modules/bad', {});
component('fine', 'modules/m', {});
)js");
  CliResult r = p.strata({"plan", "--all"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  nlohmann::json record = read_run_record(p.root(), r.out);
  std::map<std::string, std::string> expected = {{"s/bad", "failed"}, {"s/fine", "succeeded"}};
  EXPECT_EQ(record_results(record), expected);
  std::string log = record_node(record, "s", "bad")["log_path"];
  EXPECT_NE(r.out.find("log: " + log), std::string::npos) << r.out;
  std::string log_text = p.read(std::filesystem::relative(log, p.root()));
  EXPECT_NE(log_text.find("on main.tf line 6"), std::string::npos) << log_text;
}

// BUG (src/engine/engine.cc note_error, plain-text init output): the summary shows only the
// first "Error:" line of `terraform init`, "Terraform encountered problems during
// initialisation, including problems", not the diagnostic that says what is wrong
// ("Invalid expression ... on main.tf line 6"), and the file is not mapped back to the
// module's source (modules/bad/main.tf). The summary should carry the last diagnostic's
// summary and its "on FILE line N" location rewritten to the module path.
// Without colour (a pipe, --color never or NO_COLOR) the engine strata runs prints none either:
// Terraform colours its output even into a pipe unless given -no-color (#19).
TEST(RealEngine, NoColourReachesTheEngineThatStrataRuns) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  RealProject p(engine);
  p.write("modules/m/main.tf", "variable \"n\" {\n  type = number\n}\nresource \"terraform_data\" \"x\" {\n  input = var.n\n}\n");
  p.write("stacks/s.js", "stack('s', {});\nbackend('local', { path: 'terraform.tfstate' });\ncomponent('c', 'modules/m', { n: 1 });\n");
  auto env = engine_env(engine);
  CliResult plain = p.run({"run", "s", "c", "--", "plan"}, env);
  ASSERT_EQ(plain.exit_code, 0) << plain.out << plain.err;
  EXPECT_NE(plain.out.find("Plan: 1 to add"), std::string::npos) << plain.out;
  EXPECT_EQ((plain.out + plain.err).find('\x1b'), std::string::npos) << plain.out;
  CliResult never = p.run({"run", "s", "--color", "never", "--", "plan"}, env);
  EXPECT_EQ(never.exit_code, 0) << never.out << never.err;
  EXPECT_EQ((never.out + never.err).find('\x1b'), std::string::npos) << never.out;
  CliResult coloured = p.run({"run", "s", "c", "--color", "always", "--", "plan"}, env);
  EXPECT_NE(coloured.out.find('\x1b'), std::string::npos) << "the engine colours when asked to: " << coloured.out;
}

// validate --deep (#19): after strata's own checks, the engine's validate in every generated
// workdir finds what only the engine knows (a reference to a local that does not exist).
TEST(RealEngine, ValidateDeepRunsTheEnginesValidateInEveryWorkdir) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  RealProject p(engine);
  p.write("modules/ok/main.tf", "resource \"terraform_data\" \"x\" {}\n");
  p.write("modules/bad/main.tf", "output \"o\" {\n  value = local.nope\n}\n");
  p.write("stacks/s.js", "stack('s', {});\nbackend('local', { path: 'terraform.tfstate' });\n"
                         "component('ok', 'modules/ok', {});\ncomponent('bad', 'modules/bad', {});\n");
  auto env = engine_env(engine);
  CliResult shallow = p.run({"validate"}, env);
  EXPECT_EQ(shallow.exit_code, 0) << shallow.out << shallow.err;
  CliResult deep = p.run({"validate", "--deep"}, env);
  EXPECT_EQ(deep.exit_code, 1) << deep.out << deep.err;
  EXPECT_NE((deep.out + deep.err).find("[s/bad] Error: Reference to undeclared local value"), std::string::npos)
      << deep.out << deep.err;
  EXPECT_NE(deep.out.find("[s/ok] Success! The configuration is valid."), std::string::npos) << deep.out;
  EXPECT_NE(deep.out.find("1 succeeded, 1 failed"), std::string::npos) << deep.out;
  CliResult json = p.run({"validate", "--deep", "--json"}, env);
  EXPECT_EQ(json.exit_code, 1);
  EXPECT_NE(json.err.find("validate --deep prints what the engine says"), std::string::npos) << json.err;
}

// A value Terraform refuses is reported at the input in the stack file that holds it, not at
// the tfvars file strata generated (#19): the key's own line inside the component() call.
TEST(RealEngine, AValueTerraformRefusesIsReportedAtItsInput) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  RealProject p(engine);
  p.write("modules/m/main.tf", "variable \"replicas\" {\n  type = number\n}\nresource \"terraform_data\" \"x\" {\n  input = var.replicas\n}\n");
  p.write("stacks/s.js", "stack('s', {});\nbackend('local', { path: 'terraform.tfstate' });\n"
                         "component('app', 'modules/m', {\n  inputs: {\n    // the number is written out\n"
                         "    replicas: 'two',\n  },\n});\n");
  CliResult plan = p.run({"plan", "s"}, engine_env(engine));
  EXPECT_EQ(plan.exit_code, 1) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("s/app failed: plan failed: stacks/s.js:6:5: input replicas: Error: Invalid value for input "
                          "variable"),
            std::string::npos) << plan.out << plan.err;
  EXPECT_EQ(plan.out.find("tfvars.json:"), std::string::npos) << plan.out;
}

TEST(RealEngine, SyntaxErrorSummaryShowsTheDiagnosticWithFileAndLine) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  RealProject p(engine);
  p.write("modules/bad/main.tf", "resource \"terraform_data\" \"x\" {\n  input = \"a\"\n}\n\n"
                                 "output \"o\" {\n  value = \n}\n");
  p.write("stacks/s.js", R"js(
stack('s', {});
backend('local', { path: 'terraform.tfstate' });
component('bad', 'modules/bad', {});
)js");
  CliResult r = p.strata({"plan", "--all"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("Invalid expression"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("modules/bad/main.tf:6"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace strata::testing

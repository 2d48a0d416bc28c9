// Differential test: the same small modules go through real Terraform and through tofu-sim, each
// in its own temp dir, command by command (init, plan -out, show -json PLAN, apply PLAN,
// output -json, show -json, plan -detailed-exitcode, apply with a changed variable, destroy).
// Compared: exit codes; the -json lines (types, keys and values, with timestamps, ids and
// versions normalised, and parallel hook lines put in a stable order); the output -json
// documents exactly; show -json documents; the state file's shape and outputs.
// Every difference found here was fixed in tofu-sim (see the report in the commit history).
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include "engine/engine_locator.h"
#include "model/error.h"
#include "model/value.h"
#include "tests/tofu_sim/sim_test_support.h"

namespace tofu_sim::testing {
namespace {

using strata::Value;

std::string find_terraform() {
  if (fs::exists("/usr/local/bin/terraform")) return "/usr/local/bin/terraform";
  const char* path = std::getenv("PATH");
  if (auto p = strata::find_on_path("terraform", path ? path : "")) return *p;
  return "";
}

// Replaces what legitimately differs between two runs of any engine: timestamps, random ids,
// elapsed seconds, the engine version, the state lineage and serial.
Value normalise(const Value& v, const std::string& key = "") {
  static const std::regex kUuid("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  static const std::regex kAfter("after [0-9]+s");
  if (v.is_map()) {
    Value out = Value::map();
    for (const auto& [k, e] : v.as_map()) {
      if (k == "@timestamp" || k == "timestamp") continue;
      out.set(k, normalise(e, k));
    }
    return out;
  }
  if (v.is_list()) {
    Value out = Value::list();
    for (const auto& e : v.as_list()) out.push(normalise(e, key));
    return out;
  }
  if (key == "terraform_version" || key == "terraform" || key == "lineage") return Value("<x>");
  if (key == "serial" || key == "elapsed_seconds") return Value("<n>");
  if (v.is_string()) {
    std::string s = std::regex_replace(v.as_string(), kUuid, "<uuid>");
    return Value(std::regex_replace(s, kAfter, "after <n>s"));
  }
  return v;
}

// The keys of a document, recursively: what "the same shape" means for state files.
std::string shape(const Value& v) {
  if (v.is_map()) {
    std::string out = "{";
    for (const auto& [k, e] : v.as_map()) out += k + ":" + shape(e) + ",";
    return out + "}";
  }
  if (v.is_list()) {
    std::vector<std::string> shapes;
    for (const auto& e : v.as_list()) shapes.push_back(shape(e));
    std::sort(shapes.begin(), shapes.end());
    shapes.erase(std::unique(shapes.begin(), shapes.end()), shapes.end());
    std::string out = "[";
    for (const auto& s : shapes) out += s + ",";
    return out + "]";
  }
  return v.kind_name();
}

std::string family(const std::string& type) {
  for (const char* f : {"refresh_", "apply_", "provision_", "planned_change"}) {
    if (type.rfind(f, 0) == 0) return f;
  }
  return type;
}

// The -json lines, normalised. Terraform walks independent resources in parallel, so runs of
// lines of one family (refresh_*, apply_*, planned_change) come in any order; they are sorted.
std::vector<std::string> ui_lines(const RunResult& r) {
  std::vector<std::pair<std::string, std::string>> lines;  // family, text
  for (const auto& l : r.lines()) {
    if (l.empty() || l[0] != '{') {
      lines.emplace_back("text", l);
      continue;
    }
    Value v = normalise(strata::parse_json_text(l));
    std::string type = v.find("type") ? v.find("type")->as_string() : "";
    lines.emplace_back(family(type), strata::to_json_text(v, -1));
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < lines.size();) {
    size_t j = i;
    while (j < lines.size() && lines[j].first == lines[i].first) ++j;
    std::vector<std::string> block;
    for (size_t k = i; k < j; ++k) block.push_back(lines[k].second);
    if (lines[i].first != "text") std::sort(block.begin(), block.end());
    out.insert(out.end(), block.begin(), block.end());
    i = j;
  }
  return out;
}

struct Step {
  std::string name;
  std::vector<std::string> args;
  // kDiagnostics: for runs that fail, the line types plus each diagnostic's severity, summary,
  // file and line (the detail wording and byte offsets of Terraform's snippets are not modelled).
  enum class Compare { kUiLines, kDocument, kShape, kDiagnostics };
  Step(std::string n, std::vector<std::string> a, Compare c = Compare::kUiLines,
       std::map<std::string, std::string> e = {})
      : name(std::move(n)), args(std::move(a)), compare(c), env(std::move(e)) {}
  Compare compare;
  std::map<std::string, std::string> env;
};

struct Module {
  std::string name;
  std::map<std::string, std::string> files;
  std::vector<Step> steps;
  std::string state_file;
  Module(std::string n, std::map<std::string, std::string> f, std::vector<Step> s,
         std::string state = "terraform.tfstate")
      : name(std::move(n)), files(std::move(f)), steps(std::move(s)), state_file(std::move(state)) {}
};

std::vector<std::string> diagnostic_lines(const RunResult& r) {
  std::vector<std::string> out;
  for (const auto& l : r.lines()) {
    if (l.empty() || l[0] != '{') continue;
    Value v = strata::parse_json_text(l);
    std::string line = v.find("type")->as_string();
    if (const Value* d = v.find("diagnostic")) {
      line += " " + d->find("severity")->as_string() + " " + d->find("summary")->as_string();
      if (const Value* range = d->find("range")) {
        line += " " + range->find("filename")->as_string() + ":" +
                range->find("start")->find("line")->as_number().text();
      }
    }
    out.push_back(line);
  }
  // Terraform reports independent diagnostics in graph-walk order, which varies.
  std::sort(out.begin(), out.end());
  return out;
}

struct Observed {
  std::vector<RunResult> results;
  std::vector<std::string> states;  // terraform.tfstate after each step ("" = none)
};

Observed run_module(const std::string& engine, const Module& m, const std::string& tag) {
  TempDir dir(tag + "-" + m.name);
  for (const auto& [name, text] : m.files) write_file(dir.path() / name, text);
  Observed o;
  for (const auto& step : m.steps) {
    std::vector<std::string> argv{engine};
    argv.insert(argv.end(), step.args.begin(), step.args.end());
    o.results.push_back(run(argv, dir.path(), step.env));
    fs::path state = dir.path() / m.state_file;
    o.states.push_back(fs::exists(state) ? read_file(state) : "");
    EXPECT_FALSE(fs::exists((dir.path() / m.state_file).parent_path() / ".terraform.tfstate.lock.info"))
        << tag << " left a lock after " << step.name;
  }
  return o;
}

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += "  " + l + "\n";
  return out;
}

void compare(const Module& m, const Observed& tf, const Observed& sim) {
  for (size_t i = 0; i < m.steps.size(); ++i) {
    const Step& step = m.steps[i];
    const RunResult& a = tf.results[i];
    const RunResult& b = sim.results[i];
    SCOPED_TRACE(m.name + ": " + step.name);
    EXPECT_EQ(a.exit_code, b.exit_code) << "terraform stderr:\n" << a.err << "\ntofu-sim stderr:\n"
                                        << b.err;
    switch (step.compare) {
      case Step::Compare::kUiLines:
        EXPECT_EQ(join(ui_lines(a)), join(ui_lines(b)));
        break;
      case Step::Compare::kDocument:
        EXPECT_EQ(strata::to_json_text(normalise(strata::parse_json_text(a.out))),
                  strata::to_json_text(normalise(strata::parse_json_text(b.out))));
        break;
      case Step::Compare::kDiagnostics:
        EXPECT_EQ(join(diagnostic_lines(a)), join(diagnostic_lines(b)));
        break;
      case Step::Compare::kShape:
        EXPECT_EQ(shape(strata::parse_json_text(a.out)), shape(strata::parse_json_text(b.out)));
        break;
    }
    // The state file: same keys throughout, same outputs exactly.
    ASSERT_EQ(tf.states[i].empty(), sim.states[i].empty()) << "state file presence";
    if (tf.states[i].empty()) continue;
    Value ta = strata::parse_json_text(tf.states[i]);
    Value sa = strata::parse_json_text(sim.states[i]);
    EXPECT_EQ(shape(ta), shape(sa)) << "state file shape";
    EXPECT_EQ(strata::to_json_text(normalise(ta)), strata::to_json_text(normalise(sa)));
  }
}

std::vector<Step> lifecycle(const std::vector<std::string>& change_args) {
  using C = Step::Compare;
  std::vector<Step> steps = {
      {"init", {"init", "-input=false", "-json"}},
      {"plan", {"plan", "-input=false", "-json", "-out=tfplan"}},
      {"show plan", {"show", "-json", "tfplan"}, C::kDocument},
      {"apply plan", {"apply", "-input=false", "-auto-approve", "-json", "tfplan"}},
      {"output", {"output", "-json"}, C::kDocument},
      {"show state", {"show", "-json"}, C::kDocument},
      {"plan again", {"plan", "-input=false", "-detailed-exitcode", "-json"}},
  };
  std::vector<std::string> change = {"apply", "-input=false", "-auto-approve", "-json"};
  change.insert(change.end(), change_args.begin(), change_args.end());
  steps.push_back({"apply changed", change});
  steps.push_back({"output changed", {"output", "-json"}, C::kDocument});
  std::vector<std::string> plan_change = {"plan", "-input=false", "-detailed-exitcode", "-json"};
  steps.push_back({"plan back", plan_change});
  steps.push_back({"destroy", {"destroy", "-auto-approve", "-json"}});
  steps.push_back({"output after destroy", {"output", "-json"}, C::kDocument});
  return steps;
}

std::vector<Module> modules() {
  std::vector<Module> out;
  out.push_back({"basic",
                 {{"main.tf", R"(
variable "name" {
  type    = string
  default = "web"
}
variable "replicas" {
  type    = number
  default = 3
}
variable "tags" {
  type    = map(string)
  default = { env = "dev", team = "core" }
}
resource "terraform_data" "a" {
  input = var.name
}
resource "terraform_data" "b" {
  input = "${var.name}-b"
}
output "greeting" {
  value = "hello"
}
output "replicas" {
  value = var.replicas
}
output "zones" {
  value = ["a", "b", "c"]
}
output "tags" {
  value = var.tags
}
output "a_out" {
  value = terraform_data.a.output
}
output "label" {
  value = "name=${var.name}, n=${var.replicas}"
}
output "token" {
  value     = "hunter2"
  sensitive = true
}
)"}},
                 lifecycle({"-var", "name=api"})});
  out.push_back({"chain",
                 {{"main.tf", R"(
variable "prefix" {
  default = "x"
}
variable "sizes" {
  type    = list(number)
  default = [1, 2]
}
variable "settings" {
  type = object({
    enabled = bool
    owner   = string
  })
  default = {
    enabled = true
    owner   = "ops"
  }
}
resource "terraform_data" "first" {
  input = {
    name = var.prefix
    size = 2
  }
}
resource "terraform_data" "second" {
  input = "${var.prefix}-second"
  depends_on = [terraform_data.first]
}
resource "terraform_data" "listy" {
  input = [var.prefix, { k = "v" }, [1, 2]]
}
output "first" {
  value = terraform_data.first.output
}
output "second_in" {
  value = terraform_data.second.input
}
output "sizes" {
  value = var.sizes
}
output "settings" {
  value = var.settings
}
output "mixed" {
  value = {
    list = [1, "two", true]
    name = var.prefix
  }
}
)"},
                  {"dev.tfvars.json", R"({"prefix": "dev", "sizes": [3, 4, 5]})"}},
                 lifecycle({"-var-file=dev.tfvars.json"})});
  out.push_back({"no_resources",
                 {{"main.tf", R"(
variable "region" {
  type    = string
  default = "eu-west-1"
}
output "region" {
  value = var.region
}
output "pi" {
  value = 3.14159
}
)"}},
                 lifecycle({"-var", "region=us-east-2"})});
  using C = Step::Compare;
  out.push_back({"errors",
                 {{"main.tf", R"(
variable "required" {
  type = string
}
variable "count_of" {
  type    = number
  default = 1
}
output "echo" {
  value = var.required
}
)"},
                  {"bad.tf.disabled", ""}},
                 {{"init", {"init", "-input=false", "-json"}},
                  {"missing variable", {"plan", "-input=false", "-json"}, C::kDiagnostics},
                  {"undeclared -var", {"plan", "-input=false", "-json", "-var", "required=x",
                                       "-var", "nope=1"}, C::kDiagnostics},
                  {"bad number", {"plan", "-input=false", "-json", "-var", "required=x", "-var",
                                  "count_of=abc"}, C::kDiagnostics},
                  {"missing var file", {"plan", "-input=false", "-json", "-var-file=none.tfvars"},
                   C::kDiagnostics},
                  {"from env", {"apply", "-input=false", "-auto-approve", "-json"}, C::kUiLines,
                   {{"TF_VAR_required", "from-env"}}},
                  {"output", {"output", "-json"}, C::kDocument},
                  {"output missing", {"output", "-json", "nope"}, C::kDiagnostics}}});
  out.push_back({"undeclared_reference",
                 {{"main.tf", R"(
resource "terraform_data" "a" {
  input = var.nope
}
output "o" {
  value = terraform_data.missing.output
}
)"}},
                 {{"plan", {"plan", "-input=false", "-json"}, C::kDiagnostics}}});
  out.push_back({"replace_and_secrets",
                 {{"main.tf", R"(
variable "version_tag" {
  default = "v1"
}
variable "password" {
  type      = string
  sensitive = true
}
resource "terraform_data" "app" {
  input            = "app"
  triggers_replace = var.version_tag
}
resource "terraform_data" "db" {
  input = var.password
}
output "app_id_known" {
  value = terraform_data.app.input
}
output "password" {
  value     = var.password
  sensitive = true
}
)"}},
                 {{"init", {"init", "-input=false", "-json"}},
                  {"apply", {"apply", "-input=false", "-auto-approve", "-json"}, C::kUiLines,
                   {{"TF_VAR_password", "s3cret"}}},
                  {"output", {"output", "-json"}, C::kDocument},
                  {"replace", {"plan", "-input=false", "-json", "-out=tfplan", "-var",
                               "version_tag=v2"}, C::kUiLines, {{"TF_VAR_password", "s3cret"}}},
                  {"show replace", {"show", "-json", "tfplan"}, C::kDocument},
                  {"apply replace", {"apply", "-input=false", "-auto-approve", "-json", "tfplan"}},
                  {"stale plan", {"apply", "-input=false", "-auto-approve", "-json", "tfplan"},
                   C::kDiagnostics},
                  {"plan destroy", {"plan", "-input=false", "-json", "-destroy",
                                    "-detailed-exitcode"}, C::kUiLines,
                   {{"TF_VAR_password", "s3cret"}}},
                  {"destroy", {"destroy", "-auto-approve", "-json"}, C::kUiLines,
                   {{"TF_VAR_password", "s3cret"}}}}});
  out.push_back({"local_backend",
                 {{"main.tf", R"(
terraform {
  backend "local" {
    path = "state/custom.tfstate"
  }
}
resource "terraform_data" "x" {
  input = 42
}
output "x" {
  value = terraform_data.x.output
}
)"}},
                 {{"plan before init", {"plan", "-input=false", "-json"}, C::kDiagnostics},
                  {"init", {"init", "-input=false", "-json"}},
                  {"apply", {"apply", "-input=false", "-auto-approve", "-json"}},
                  {"output", {"output", "-json"}, C::kDocument},
                  {"show state", {"show", "-json"}, C::kDocument}},
                 "state/custom.tfstate"});
  return out;
}

class SimVsTerraform : public ::testing::TestWithParam<int> {};

TEST_P(SimVsTerraform, SameBehaviourAsTerraform) {
  std::string terraform = find_terraform();
  if (terraform.empty()) {
    GTEST_SKIP() << "terraform is not installed (looked at /usr/local/bin/terraform and PATH): "
                    "skipping the differential test";
  }
  Module m = modules()[static_cast<size_t>(GetParam())];
  Observed tf = run_module(terraform, m, "tf");
  Observed sim = run_module(sim_path(), m, "sim");
  compare(m, tf, sim);
}

INSTANTIATE_TEST_SUITE_P(Modules, SimVsTerraform, ::testing::Range(0, 7),
                         [](const auto& info) { return modules()[static_cast<size_t>(info.param)].name; });

}  // namespace
}  // namespace tofu_sim::testing

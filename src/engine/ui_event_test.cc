// Tests for the machine-readable UI stream parser, on literal lines and on every JSON-lines log
// in the OpenTofu conformance samples.
#include "engine/ui_event.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/conformance.h"
#include "tests/support/data_cases.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> lines_of(const fs::path& p) {
  std::vector<std::string> out;
  std::istringstream in(read_file(p));
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<UiEvent> events_of(const fs::path& p) {
  std::vector<UiEvent> out;
  for (const auto& line : lines_of(p)) out.push_back(parse_ui_event(line));
  return out;
}

const UiEvent* find_type(const std::vector<UiEvent>& events, UiEventType type) {
  for (const auto& e : events) {
    if (e.type == type) return &e;
  }
  return nullptr;
}

TEST(UiEvent, ReadsTerraformChangeSummary) {
  UiEvent e = parse_ui_event(
      R"({"@level":"info","@message":"Plan: 2 to add, 1 to change, 3 to destroy.",)"
      R"("@module":"terraform.ui","@timestamp":"2026-11-23T06:58:17.425006Z",)"
      R"("changes":{"add":2,"change":1,"import":4,"remove":3,"operation":"plan"},)"
      R"("type":"change_summary"})");
  EXPECT_EQ(e.type, UiEventType::kChangeSummary);
  EXPECT_EQ(e.level, "info");
  EXPECT_EQ(e.module, "terraform.ui");
  EXPECT_EQ(e.timestamp, "2026-11-23T06:58:17.425006Z");
  EXPECT_EQ(e.message, "Plan: 2 to add, 1 to change, 3 to destroy.");
  EXPECT_EQ(e.changes, (UiChangeSummary{2, 1, 4, 3, 0, "plan"}));
}

TEST(UiEvent, AcceptsTofuVersionKeyAndModule) {
  UiEvent e = parse_ui_event(
      R"({"@level":"info","@message":"OpenTofu 1.8.0","@module":"tofu.ui","tofu":"1.8.0",)"
      R"("type":"version","ui":"1.2"})");
  EXPECT_EQ(e.type, UiEventType::kVersion);
  EXPECT_EQ(e.module, "tofu.ui");
  EXPECT_EQ(e.engine_version, "1.8.0");
  EXPECT_EQ(e.ui_version, "1.2");
  UiEvent t = parse_ui_event(
      R"({"@level":"info","@message":"Terraform 1.11.4","@module":"terraform.ui",)"
      R"("terraform":"1.11.4","type":"version","ui":"1.2"})");
  EXPECT_EQ(t.engine_version, "1.11.4");
}

TEST(UiEvent, NonJsonLinesBecomeTextEvents) {
  UiEvent e = parse_ui_event("Terraform has been successfully initialized!\r");
  EXPECT_EQ(e.type, UiEventType::kText);
  EXPECT_EQ(e.message, "Terraform has been successfully initialized!");
  EXPECT_EQ(parse_ui_event("{not json").type, UiEventType::kText);
  EXPECT_EQ(parse_ui_event("[1,2]").type, UiEventType::kText);
  EXPECT_EQ(parse_ui_event("").type, UiEventType::kText);
}

TEST(UiEvent, UnknownTypesAreKeptWithTheirFields) {
  UiEvent e = parse_ui_event(R"({"@level":"info","@message":"m","type":"brand_new","x":7})");
  EXPECT_EQ(e.type, UiEventType::kOther);
  EXPECT_EQ(e.type_name, "brand_new");
  ASSERT_NE(e.raw.find("x"), nullptr);
  EXPECT_EQ(e.raw.find("x")->as_number().text(), "7");
}

TEST(UiEvent, ReadsPlannedChangeAndApplyHooks) {
  UiEvent e = parse_ui_event(
      R"({"@level":"info","@message":"terraform_data.a: Plan to create","@module":"terraform.ui",)"
      R"("change":{"resource":{"addr":"terraform_data.a","module":"","resource":"terraform_data.a",)"
      R"("implied_provider":"terraform","resource_type":"terraform_data","resource_name":"a",)"
      R"("resource_key":null},"action":"create"},"type":"planned_change"})");
  EXPECT_EQ(e.type, UiEventType::kPlannedChange);
  EXPECT_EQ(e.resource.addr, "terraform_data.a");
  EXPECT_EQ(e.resource.type, "terraform_data");
  EXPECT_EQ(e.resource.name, "a");
  EXPECT_EQ(e.action, "create");

  UiEvent done = parse_ui_event(
      R"({"@level":"info","@message":"x","hook":{"resource":{"addr":"terraform_data.a"},)"
      R"("action":"create","id_key":"id","id_value":"abc","elapsed_seconds":2},)"
      R"("type":"apply_complete"})");
  EXPECT_EQ(done.type, UiEventType::kApplyComplete);
  EXPECT_EQ(done.resource.addr, "terraform_data.a");
  EXPECT_EQ(done.id_value, "abc");
  EXPECT_EQ(done.elapsed_seconds, 2);
}

TEST(UiEvent, ReadsDiagnosticWithRange) {
  UiEvent e = parse_ui_event(
      R"({"@level":"error","@message":"Error: Unsupported block type","@module":"terraform.ui",)"
      R"("diagnostic":{"severity":"error","summary":"Unsupported block type","detail":"d",)"
      R"("range":{"filename":"main.tf","start":{"line":2,"column":3,"byte":35},)"
      R"("end":{"line":2,"column":11,"byte":43}},"snippet":{"context":"resource \"a\" \"b\"",)"
      R"("code":"  triggers {","start_line":2}},"type":"diagnostic"})");
  ASSERT_EQ(e.type, UiEventType::kDiagnostic);
  ASSERT_TRUE(e.diagnostic.has_value());
  const EngineDiagnostic& d = *e.diagnostic;
  EXPECT_TRUE(d.is_error());
  EXPECT_EQ(d.str(), "main.tf:2:3: Error: Unsupported block type");
  EXPECT_EQ(d.end.column, 11);
  EXPECT_EQ(d.end.byte, 43);
  EXPECT_EQ(d.snippet_code, "  triggers {");
  EXPECT_EQ(d.snippet_start_line, 2);
}

TEST(UiEvent, DiagnosticWithoutRangeHasNoPosition) {
  UiEvent e = parse_ui_event(
      R"({"@level":"warn","@message":"Warning: x","type":"diagnostic",)"
      R"("diagnostic":{"severity":"warning","summary":"Deprecated","detail":""}})");
  ASSERT_TRUE(e.diagnostic.has_value());
  EXPECT_FALSE(e.diagnostic->has_range);
  EXPECT_EQ(e.diagnostic->str(), "Warning: Deprecated");
}

TEST(UiEvent, ReadsOutputsOfPlanAndApply) {
  UiEvent plan = parse_ui_event(
      R"({"@level":"info","@message":"Outputs: 2","type":"outputs","outputs":{)"
      R"("a":{"sensitive":false,"action":"create"},"s":{"sensitive":true,"action":"noop"}}})");
  ASSERT_EQ(plan.outputs.size(), 2u);
  EXPECT_EQ(plan.outputs.at("a").action, "create");
  EXPECT_FALSE(plan.outputs.at("a").has_value);
  EXPECT_TRUE(plan.outputs.at("s").sensitive);
  UiEvent apply = parse_ui_event(
      R"({"@level":"info","@message":"Outputs: 1","type":"outputs","outputs":{)"
      R"("l":{"sensitive":false,"type":["tuple",["string"]],"value":["x"]}}})");
  const UiOutput& l = apply.outputs.at("l");
  EXPECT_TRUE(l.has_value);
  EXPECT_EQ(to_json_text(l.value, -1), R"(["x"])");
  EXPECT_EQ(to_json_text(l.type, -1), R"(["tuple",["string"]])");
}

using strata::testing::data_cases;
using strata::testing::DataCase;

fs::path tofu_json_dir() { return fs::path(strata::testing::conformance_dir()) / "tofu-json"; }

// Logs in the samples that hold JSON lines.
bool is_json_lines_log(const fs::path& p) {
  const std::string ext = p.extension().string();
  if (ext != ".log" && ext != ".jsonlog") return false;
  for (const auto& l : lines_of(p))
    if (!l.empty() && l[0] == '{') return true;
  return false;
}

bool is_equivalence_apply(const fs::path& p) { return p.filename() == "apply.json"; }

const fs::path kEquivalenceOutputs = "opentofu/testing/equivalence-tests/outputs";

TEST(UiEventConformance, TheSamplesArePresent) {
  STRATA_REQUIRE_CONFORMANCE(conf);
  auto logs = data_cases(tofu_json_dir().string(), is_json_lines_log, true);
  EXPECT_GE(logs.size(), 18u);
  int json_lines = 0;
  for (const auto& c : logs)
    for (const auto& l : lines_of(c.path)) json_lines += !l.empty() && l[0] == '{';
  EXPECT_GE(json_lines, 70);
  int messages = 0;
  for (const auto& c :
       data_cases((tofu_json_dir() / kEquivalenceOutputs).string(), is_equivalence_apply, true)) {
    Value doc = parse_json_text(read_file(c.path));
    if (doc.is_list()) messages += static_cast<int>(doc.as_list().size());
  }
  EXPECT_GE(messages, 100);
}

// Each log with JSON lines, one test each: each JSON line parses to a typed message and each
// other line to a text event; none is lost.
class UiEventLog : public ::testing::TestWithParam<DataCase> {};

TEST_P(UiEventLog, EveryLineParses) {
  const std::string path = GetParam().path;
  auto lines = lines_of(path);
  for (size_t i = 0; i < lines.size(); ++i) {
    UiEvent e = parse_ui_event(lines[i]);
    if (!lines[i].empty() && lines[i][0] == '{') {
      EXPECT_NE(e.type, UiEventType::kText) << path << ":" << i + 1;
      EXPECT_NE(e.type, UiEventType::kOther)
          << path << ":" << i + 1 << " unknown type " << e.type_name;
      EXPECT_FALSE(e.message.empty()) << path << ":" << i + 1;
    } else {
      EXPECT_EQ(e.type, UiEventType::kText);
    }
  }
}

// The equivalence tests' apply.json files are arrays of the same messages; one test each.
class UiEventEquivalenceApply : public ::testing::TestWithParam<DataCase> {};

TEST_P(UiEventEquivalenceApply, EveryMessageParses) {
  const std::string path = GetParam().path;
  Value doc = parse_json_text(read_file(path));
  ASSERT_TRUE(doc.is_list()) << path;
  for (const auto& m : doc.as_list()) {
    UiEvent e = parse_ui_event(to_json_text(m, -1));
    EXPECT_NE(e.type, UiEventType::kText) << path;
    EXPECT_NE(e.type, UiEventType::kOther) << path << " type " << e.type_name;
    if (e.type == UiEventType::kChangeSummary) {
      EXPECT_TRUE(e.changes.operation == "plan" || e.changes.operation == "apply" ||
                  e.changes.operation == "destroy")
          << path << " " << e.changes.operation;
    }
  }
}

// No cases without the conformance folder; TheSamplesArePresent then skips (or fails in CI).
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(UiEventLog);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(UiEventEquivalenceApply);
INSTANTIATE_TEST_SUITE_P(Cases, UiEventLog,
                         ::testing::ValuesIn(data_cases(tofu_json_dir().string(), is_json_lines_log,
                                                        true)),
                         strata::testing::data_case_name);
INSTANTIATE_TEST_SUITE_P(
    Cases, UiEventEquivalenceApply,
    ::testing::ValuesIn(data_cases((tofu_json_dir() / kEquivalenceOutputs).string(),
                                   is_equivalence_apply, true, "/apply.json")),
    strata::testing::data_case_name);

TEST(UiEventConformance, ExactValuesFromSamples) {
  STRATA_REQUIRE_CONFORMANCE(conf);
  const fs::path cloud = fs::path(conf) / "tofu-json/opentofu/internal/cloud/testdata";

  auto outputs = events_of(cloud / "apply-json-with-outputs/apply.log");
  const UiEvent* summary = find_type(outputs, UiEventType::kChangeSummary);
  ASSERT_NE(summary, nullptr);
  EXPECT_EQ(summary->changes, (UiChangeSummary{1, 0, 0, 0, 0, "apply"}));
  const UiEvent* outs = find_type(outputs, UiEventType::kOutputs);
  ASSERT_NE(outs, nullptr);
  EXPECT_EQ(outs->outputs.size(), 3u);
  EXPECT_TRUE(outs->outputs.at("secret").sensitive);
  EXPECT_TRUE(outs->outputs.at("secret").value.sensitive());
  EXPECT_EQ(to_json_text(outs->outputs.at("simple").value, -1), R"(["some","list"])");
  EXPECT_EQ(to_json_text(outs->outputs.at("complex").value, -1),
            R"({"keyA":{"someList":[1,2,3]},"keyB":{"someBool":true,"someStr":"hello"}})");

  auto imported = events_of(cloud / "plan-import-config-gen/plan.log");
  summary = find_type(imported, UiEventType::kChangeSummary);
  ASSERT_NE(summary, nullptr);
  EXPECT_EQ(summary->changes, (UiChangeSummary{0, 0, 1, 0, 0, "plan"}));

  auto prov = events_of(cloud / "apply-json-with-provisioner-error/apply.log");
  const UiEvent* diag = find_type(prov, UiEventType::kDiagnostic);
  ASSERT_NE(diag, nullptr);
  EXPECT_EQ(diag->level, "error");
  EXPECT_EQ(diag->timestamp, "2023-02-16T10:13:14.761681-05:00");
  EXPECT_EQ(diag->diagnostic->summary, "local-exec provisioner error");
  EXPECT_EQ(diag->diagnostic->address, "null_resource.foo");
  EXPECT_EQ(diag->diagnostic->str(), "main.tf:2:28: Error: local-exec provisioner error");
  EXPECT_EQ(diag->diagnostic->end.byte, 61);
  EXPECT_EQ(diag->diagnostic->snippet_code, "  provisioner \"local-exec\" {");
  const UiEvent* errored = find_type(prov, UiEventType::kApplyErrored);
  ASSERT_NE(errored, nullptr);
  EXPECT_EQ(errored->resource.addr, "null_resource.foo");
  EXPECT_EQ(errored->action, "create");
  const UiEvent* progress = find_type(prov, UiEventType::kProvisionProgress);
  ASSERT_NE(progress, nullptr);
  EXPECT_EQ(progress->provisioner, "local-exec");
  EXPECT_EQ(progress->output, "Executing: [\"/bin/sh\" \"-c\" \"exit 125\"]");

  auto error = events_of(cloud / "plan-json-error/plan.log");
  diag = find_type(error, UiEventType::kDiagnostic);
  ASSERT_NE(diag, nullptr);
  EXPECT_EQ(diag->diagnostic->str(), "main.tf:2:3: Error: Unsupported block type");

  auto local = events_of(fs::path(conf) / "tofu-json/opentofu/internal/command/testdata/plan/output.jsonlog");
  ASSERT_FALSE(local.empty());
  EXPECT_EQ(local[0].type, UiEventType::kVersion);
  EXPECT_EQ(local[0].module, "tofu.ui");
  EXPECT_EQ(local[0].engine_version, "1.3.0-dev");
  EXPECT_TRUE(local[0].timestamp.empty());
  const UiEvent* planned = find_type(local, UiEventType::kPlannedChange);
  ASSERT_NE(planned, nullptr);
  EXPECT_EQ(planned->resource.addr, "test_instance.foo");
  EXPECT_EQ(planned->action, "create");
  summary = find_type(local, UiEventType::kChangeSummary);
  EXPECT_EQ(summary->changes, (UiChangeSummary{1, 0, 0, 0, 0, "plan"}));
}

// `validate -json` prints one document whose diagnostics have the same shape.
TEST(UiEventConformance, ValidateDiagnosticsParse) {
  STRATA_REQUIRE_CONFORMANCE(conf);
  const fs::path root =
      fs::path(conf) / "tofu-json/opentofu/internal/command/testdata/validate-invalid";
  int diagnostics = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.path().filename() != "output.json") continue;
    Value doc = parse_json_text(read_file(entry.path()));
    const Value* list = doc.find("diagnostics");
    ASSERT_NE(list, nullptr) << entry.path();
    for (const auto& d : list->as_list()) {
      EngineDiagnostic diag = parse_engine_diagnostic(d);
      ++diagnostics;
      EXPECT_FALSE(diag.summary.empty()) << entry.path();
      EXPECT_TRUE(diag.severity == "error" || diag.severity == "warning") << entry.path();
    }
  }
  EXPECT_GE(diagnostics, 9);
  Value top = parse_json_text(read_file(root / "output.json"));
  EngineDiagnostic d = parse_engine_diagnostic(top.find("diagnostics")->as_list().at(0));
  EXPECT_EQ(d.str(), "testdata/validate-invalid/main.tf:1:1: Error: Unsupported block type");
  EXPECT_EQ(d.end.column, 8);
}

}  // namespace
}  // namespace strata

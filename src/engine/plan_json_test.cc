// Tests for reading `show -json PLANFILE` documents, on literals and on every plan sample in the
// OpenTofu conformance data.
#include "engine/plan_json.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "model/error.h"
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

TEST(PlanJson, CountsLikeThePlanLine) {
  PlanDocument plan = parse_plan_json(R"({
    "format_version": "1.2", "terraform_version": "1.11.4", "planned_values": {},
    "resource_changes": [
      {"address": "terraform_data.a", "mode": "managed", "type": "terraform_data", "name": "a",
       "change": {"actions": ["create"]}},
      {"address": "terraform_data.b", "mode": "managed", "type": "terraform_data", "name": "b",
       "change": {"actions": ["delete", "create"]}},
      {"address": "terraform_data.c", "mode": "managed", "type": "terraform_data", "name": "c",
       "change": {"actions": ["update"]}},
      {"address": "terraform_data.d", "mode": "managed", "type": "terraform_data", "name": "d",
       "change": {"actions": ["no-op"], "importing": {"id": "x"}}},
      {"address": "data.x.y", "mode": "data", "type": "x", "name": "y",
       "change": {"actions": ["read"]}}
    ],
    "output_changes": {
      "s": {"actions": ["create"], "before": null, "after": "hunter2",
            "after_unknown": false, "before_sensitive": true, "after_sensitive": true}
    }
  })");
  EXPECT_EQ(plan.format_version, "1.2");
  EXPECT_EQ(plan.engine_version, "1.11.4");
  EXPECT_EQ(plan.counts, (PlanCounts{2, 1, 1, 1}));
  EXPECT_TRUE(plan.has_changes);
  ASSERT_EQ(plan.resource_changes.size(), 5u);
  EXPECT_EQ(plan.resource_changes[1].actions, (std::vector<std::string>{"delete", "create"}));
  EXPECT_TRUE(plan.resource_changes[3].importing);
  const PlannedOutputChange& s = plan.output_changes.at("s");
  EXPECT_TRUE(s.sensitive);
  EXPECT_TRUE(s.after.sensitive());
  EXPECT_EQ(s.after.as_string(), "hunter2");
}

TEST(PlanJson, NoOpPlanHasNoChanges) {
  PlanDocument plan = parse_plan_json(R"({"format_version": "1.2", "planned_values": {},
    "resource_changes": [{"address": "a.b", "mode": "managed", "change": {"actions": ["no-op"]}}],
    "output_changes": {"o": {"actions": ["no-op"], "after": 1}}})");
  EXPECT_FALSE(plan.has_changes);
  EXPECT_FALSE(plan.counts.has_changes());
}

TEST(PlanJson, RejectsStateDocumentsWithHint) {
  try {
    parse_plan_json(R"({"format_version":"1.0","terraform_version":"1.11.4","values":{}})",
                    Origin("show.json"));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.render().find("show.json"), std::string::npos);
    EXPECT_NE(e.hint().find("plan file"), std::string::npos);
  }
  EXPECT_THROW(parse_plan_json("[]"), Error);
}

fs::path samples_dir() {
  return fs::path(strata::testing::conformance_dir()) / "tofu-json/opentofu";
}

// The plan documents among the samples: `show -json` outputs and saved plan JSON.
bool is_plan_document(const fs::path& p) {
  const std::string s = p.string();
  bool plan_doc = false;
  if (s.find("/show-json/") != std::string::npos ||
      s.find("/show-json-identity/") != std::string::npos ||
      s.find("/show-json-sensitive/") != std::string::npos) {
    plan_doc = p.extension() == ".json" && p.filename().string().rfind("output", 0) == 0;
  }
  std::error_code ec;
  plan_doc |= p.filename() == "plan-redacted.json" && fs::file_size(p, ec) > 10;
  plan_doc |= p.filename() == "redacted-plan.json";
  plan_doc |=
      p.filename() == "plan.json" && s.find("equivalence-tests/outputs") != std::string::npos;
  return plan_doc;
}

std::vector<strata::testing::DataCase> plan_documents() {
  return strata::testing::data_cases(samples_dir().string(), is_plan_document, true, ".json");
}

TEST(PlanJsonConformance, ThePlanSamplesArePresent) {
  STRATA_REQUIRE_CONFORMANCE(conf);
  EXPECT_GE(plan_documents().size(), 70u);
}

// Every plan document in the samples parses, one test each:
// Cases/PlanJsonSample.Parses/internal_command_testdata_show_json_basic_create_output.
class PlanJsonSample : public ::testing::TestWithParam<strata::testing::DataCase> {};

TEST_P(PlanJsonSample, Parses) {
  const std::string s = GetParam().path;
  try {
    PlanDocument plan = parse_plan_json(read_file(s), Origin(s));
    EXPECT_FALSE(plan.format_version.empty()) << s;
    for (const auto& rc : plan.resource_changes) {
      EXPECT_FALSE(rc.address.empty()) << s;
      EXPECT_FALSE(rc.actions.empty()) << s << " " << rc.address;
    }
  } catch (const Error& e) {
    ADD_FAILURE() << e.render();
  }
}

// No cases without the conformance folder; ThePlanSamplesArePresent then skips (or fails in CI).
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PlanJsonSample);
INSTANTIATE_TEST_SUITE_P(Cases, PlanJsonSample, ::testing::ValuesIn(plan_documents()),
                         strata::testing::data_case_name);

TEST(PlanJsonConformance, ExactValuesFromSamples) {
  STRATA_REQUIRE_CONFORMANCE(conf);
  const fs::path show = fs::path(conf) / "tofu-json/opentofu/internal/command/testdata/show-json";
  PlanDocument create = parse_plan_json(read_file(show / "basic-create/output.json"));
  EXPECT_EQ(create.counts, (PlanCounts{3, 0, 0, 0}));
  PlanDocument del = parse_plan_json(read_file(show / "basic-delete/output.json"));
  EXPECT_EQ(del.counts, (PlanCounts{0, 1, 1, 0}));
  PlanDocument upd = parse_plan_json(read_file(show / "basic-update/output.json"));
  EXPECT_EQ(upd.counts, (PlanCounts{0, 0, 0, 0}));
  PlanDocument replace = parse_plan_json(read_file(show / "requires-replace/output.json"));
  EXPECT_EQ(replace.counts, (PlanCounts{1, 0, 1, 0}));
  ASSERT_EQ(replace.resource_changes.size(), 1u);
  EXPECT_EQ(replace.resource_changes[0].actions,
            (std::vector<std::string>{"delete", "create"}));
  PlanDocument sensitive = parse_plan_json(read_file(show / "sensitive-values/output.json"));
  EXPECT_TRUE(sensitive.output_changes.at("test").sensitive);
  EXPECT_TRUE(sensitive.output_changes.at("test").after.sensitive());
}

TEST(PlanJsonConformance, StateDocumentsAreNotPlans) {
  STRATA_REQUIRE_CONFORMANCE(conf);
  const fs::path p = fs::path(conf) /
                     "tofu-json/opentofu/internal/command/testdata/show-json-state/basic/output.json";
  EXPECT_THROW(parse_plan_json(read_file(p)), Error);
}

}  // namespace
}  // namespace strata

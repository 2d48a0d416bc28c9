// Tests for reading `show -json PLANFILE` documents, on literals and on every plan sample in the
// OpenTofu conformance data.
#include "engine/plan_json.h"
#include "engine/plan_diff.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
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

TEST(PlanChanges, UpdatesShowTheAttributesThatChangeAndHideSensitiveValues) {
  PlanDocument plan = parse_plan_json(R"({
    "format_version": "1.2", "planned_values": {},
    "variables": {"db_password": {"value": "hunter2"}},
    "resource_changes": [
      {"address": "k8s_deployment.web", "mode": "managed", "type": "k8s_deployment", "name": "web",
       "change": {"actions": ["update"],
         "before": {"replicas": 2, "name": "web", "labels": {"app": "web", "tier": "a"},
                    "password": "old-secret", "ports": [80, 443], "id": "x1"},
         "after": {"replicas": 3, "name": "web", "labels": {"app": "web", "tier": "b", "new key": "v"},
                   "password": "new-secret", "ports": [80, 8443], "id": null},
         "after_unknown": {"id": true},
         "before_sensitive": {"password": true}, "after_sensitive": {"password": true}}},
      {"address": "terraform_data.r", "mode": "managed", "type": "terraform_data", "name": "r",
       "action_reason": "replace_because_tainted",
       "change": {"actions": ["delete", "create"], "before": {"input": "a", "id": "1"},
         "after": {"input": "b"}, "after_unknown": {"id": true}, "replace_paths": [["input"]]}},
      {"address": "terraform_data.n", "mode": "managed", "type": "terraform_data", "name": "n",
       "change": {"actions": ["create"], "before": null,
         "after": {"input": {"k": "v"}, "token": "s3cret", "gone": null},
         "after_unknown": {"id": true, "output": true}, "after_sensitive": {"token": true}}},
      {"address": "terraform_data.old", "mode": "managed", "change": {"actions": ["delete"],
         "before": {"input": "s3cret"}, "after": null}},
      {"address": "data.http.x", "mode": "data", "change": {"actions": ["read"]}},
      {"address": "terraform_data.same", "mode": "managed", "change": {"actions": ["no-op"]}}
    ],
    "output_changes": {
      "url": {"actions": ["update"], "before": "http://a", "after": "http://b"},
      "token": {"actions": ["create"], "before": null, "after": "t0ken", "after_sensitive": true},
      "same": {"actions": ["no-op"], "before": 1, "after": 1}
    }
  })");
  const PlanChanges& c = plan.changes;
  ASSERT_EQ(c.resources.size(), 5u);
  const ResourcePlan& web = c.resources[0];
  EXPECT_EQ(web.action, "update");
  std::vector<AttributeChange> expected = {
      {"id", "\"x1\"", kUnknownText, false},
      {"labels[\"new key\"]", std::nullopt, "\"v\"", false},
      {"labels.tier", "\"a\"", "\"b\"", false},
      {"password", kSensitiveText, kSensitiveText, false},
      {"ports[1]", "443", "8443", false},
      {"replicas", "2", "3", false},
  };
  EXPECT_EQ(web.attributes, expected);
  const ResourcePlan& r = c.resources[1];
  EXPECT_EQ(r.action, "replace");
  EXPECT_EQ(r.reason, "replace_because_tainted");
  EXPECT_EQ(r.attributes, (std::vector<AttributeChange>{{"id", "\"1\"", kUnknownText, false},
                                                          {"input", "\"a\"", "\"b\"", true}}));
  const ResourcePlan& n = c.resources[2];
  EXPECT_EQ(n.action, "create");
  EXPECT_EQ(n.attributes, (std::vector<AttributeChange>{{"id", std::nullopt, kUnknownText, false},
                                                          {"input.k", std::nullopt, "\"v\"", false},
                                                          {"output", std::nullopt, kUnknownText, false},
                                                          {"token", std::nullopt, kSensitiveText, false}}));
  EXPECT_EQ(c.resources[3].action, "delete");
  EXPECT_TRUE(c.resources[3].attributes.empty());
  EXPECT_EQ(c.resources[4].action, "read");
  EXPECT_EQ(c.count("create"), 1);
  ASSERT_EQ(c.outputs.size(), 2u);
  EXPECT_EQ(c.outputs[0], (OutputPlan{"token", "create", std::nullopt, kSensitiveText}));
  EXPECT_EQ(c.outputs[1], (OutputPlan{"url", "update", "\"http://a\"", "\"http://b\""}));
  // Nothing kept can show a secret: not the variables, not a sensitive value before or after.
  for (const auto& res : c.resources) {
    for (const auto& a : res.attributes) {
      for (const auto& v : {a.before, a.after}) {
        EXPECT_EQ(v.value_or("").find("secret"), std::string::npos) << a.path;
        EXPECT_EQ(v.value_or("").find("hunter2"), std::string::npos) << a.path;
      }
    }
  }
}

TEST(PlanChanges, ValuesRenderAsTerraformWritesThem) {
  EXPECT_EQ(render_plan_value(Value("a \"q\"\n")), "\"a \\\"q\\\"\\n\"");
  EXPECT_EQ(render_plan_value(Value(10)), "10");
  EXPECT_EQ(render_plan_value(Value(1.5)), "1.5");
  EXPECT_EQ(render_plan_value(Value(true)), "true");
  EXPECT_EQ(render_plan_value(Value()), "null");
  Value list = Value::list();
  list.push("a");
  list.push(2);
  EXPECT_EQ(render_plan_value(list), "[\"a\", 2]");
  Value map = Value::map();
  map.set("a", 1);
  map.set("b c", list);
  EXPECT_EQ(render_plan_value(map), "{ a = 1, [\"b c\"] = [\"a\", 2] }");
  EXPECT_EQ(render_plan_value(Value::map()), "{}");
  std::string long_text(500, 'x');
  std::string shown = render_plan_value(Value(long_text));
  EXPECT_LE(shown.size(), kMaxRenderedValue + 4);
  EXPECT_TRUE(shown.ends_with("…")) << shown;
}

// The equivalence tests of OpenTofu keep each plan twice: as `show -json` (plan.json) and as the
// text OpenTofu prints (plan). Every resource header there ("# ADDR will be updated in-place")
// must be one of our changes with that action, and every single-line attribute change under it
// ("~ number = 10 -> 2", "- id = \"x\" -> null") one of its attributes, with the same values.
TEST(PlanJsonConformance, ChangesMatchWhatOpenTofuPrintsForTheSamePlan) {
  STRATA_REQUIRE_CONFORMANCE(conf);
  const fs::path dir = fs::path(conf) / "tofu-json/opentofu/testing/equivalence-tests/outputs";
  const std::regex header(R"(^  # (\S+) (will be created|will be updated in-place|must be replaced|will be destroyed|will be read during apply)$)");
  const std::regex attribute(R"(^\s*([~+-]) ("?[A-Za-z0-9_-]+"?)\s*= ([^\[{<]\S*(?: \S+)*?) -> ([^\[{<]\S*(?: \S+)*?)( # forces replacement)?$)");
  const std::map<std::string, std::string> actions = {{"will be created", "create"},
                                                      {"will be updated in-place", "update"},
                                                      {"must be replaced", "replace"},
                                                      {"will be destroyed", "delete"},
                                                      {"will be read during apply", "read"}};
  int headers = 0, attributes = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!fs::exists(entry.path() / "plan") || !fs::exists(entry.path() / "plan.json")) continue;
    const std::string name = entry.path().filename().string();
    // A set of objects: OpenTofu knows from the provider schema that its elements have no
    // position and shows the ones that went and came; plan JSON does not say a list is a set,
    // and strata compares lists of objects by position (right for nested blocks).
    if (name == "replace_within_set") continue;
    PlanDocument plan = parse_plan_json(read_file(entry.path() / "plan.json"));
    std::istringstream text(read_file(entry.path() / "plan"));
    const ResourcePlan* current = nullptr;
    for (std::string line; std::getline(text, line);) {
      std::smatch m;
      if (line.rfind("  # ", 0) == 0) current = nullptr;
      // A string holding JSON is shown by OpenTofu as a diff of the decoded document; strata
      // shows the string's change (simpler, and stated in docs/plans.md).
      if (line.find("jsonencode(") != std::string::npos) current = nullptr;
      if (std::regex_match(line, m, header)) {
        ++headers;
        for (const auto& r : plan.changes.resources)
          if (r.address == m[1].str()) current = &r;
        if (!current) {
          ADD_FAILURE() << name << ": " << m[1] << " is not among the changes";
          continue;
        }
        EXPECT_EQ(current->action, actions.at(m[2].str())) << name << ": " << line;
        continue;
      }
      // A destroy is listed by its address only; its attributes are not repeated.
      if (!current || current->action == "delete" || !std::regex_match(line, m, attribute)) continue;
      std::string attr = m[2].str();
      std::string before = m[3].str(), after = m[4].str();
      // Terraform quotes map keys and not object attributes; JSON cannot tell them apart, so
      // strata writes a key that is an identifier as an attribute (tags.env, not tags["env"]).
      std::string quoted = attr.front() == '"' ? "[" + attr + "]" : attr;
      if (attr.front() == '"') attr = "." + attr.substr(1, attr.size() - 2);
      bool found = false;
      for (const auto& a : current->attributes) {
        if (!a.path.ends_with(attr) && !a.path.ends_with(quoted) && a.path != attr.substr(1)) continue;
        if (a.before.value_or("null") != before || a.after.value_or("null") != after) continue;
        found = true;
        EXPECT_EQ(a.forces_replacement, m[5].matched) << name << ": " << line;
      }
      ++attributes;
      std::string ours;
      for (const auto& a : current->attributes)
        ours += "\n    " + a.path + " = " + a.before.value_or("null") + " -> " + a.after.value_or("null");
      EXPECT_TRUE(found) << name << ": " << current->address << ": no change like \"" << line << "\"; ours:" << ours;
    }
  }
  EXPECT_GE(headers, 40);
  EXPECT_GE(attributes, 40);
}

}  // namespace
}  // namespace strata

// Tests for reading a plan from the engine's own -json stream: on literal messages as Terraform
// 1.11.4 printed them here, and against every OpenTofu equivalence sample, which holds each plan
// both as the stream (apply.json) and as `show -json` of the plan file (plan.json).
#include "engine/plan_stream.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/plan_json.h"
#include "model/value.h"
#include "tests/support/conformance.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

PlanStream stream_of(const std::vector<std::string>& lines) {
  PlanStream s;
  for (const auto& line : lines) s.add(parse_ui_event(line));
  return s;
}

// `terraform plan -json` after `count` went from 2 to 1 and an input changed (Terraform 1.11.4).
const std::vector<std::string> kUpdatePlan = {
    R"({"@level":"info","@message":"terraform_data.a[1]: Plan to delete","@module":"terraform.ui","change":{"resource":{"addr":"terraform_data.a[1]","module":"","resource":"terraform_data.a[1]","implied_provider":"terraform","resource_type":"terraform_data","resource_name":"a","resource_key":1},"action":"delete","reason":"delete_because_count_index"},"type":"planned_change"})",
    R"({"@level":"info","@message":"terraform_data.b: Plan to update","@module":"terraform.ui","change":{"resource":{"addr":"terraform_data.b","module":"","resource":"terraform_data.b","implied_provider":"terraform","resource_type":"terraform_data","resource_name":"b","resource_key":null},"action":"update"},"type":"planned_change"})",
    R"({"@level":"info","@message":"data.terraform_remote_state.x: Plan to read","@module":"terraform.ui","change":{"resource":{"addr":"data.terraform_remote_state.x","module":"","resource":"data.terraform_remote_state.x","implied_provider":"terraform","resource_type":"terraform_remote_state","resource_name":"x","resource_key":null},"action":"read","reason":"read_because_config_unknown"},"type":"planned_change"})",
    R"({"@level":"info","@message":"Plan: 0 to add, 1 to change, 1 to destroy.","@module":"terraform.ui","changes":{"add":0,"change":1,"import":0,"remove":1,"operation":"plan"},"type":"change_summary"})",
    R"({"@level":"info","@message":"Outputs: 2","@module":"terraform.ui","outputs":{"k":{"sensitive":false,"action":"noop"},"o":{"sensitive":false,"action":"update"}},"type":"outputs"})",
};

TEST(PlanStream, AnUpdateNeedsThePlanFile) {
  PlanStream s = stream_of(kUpdatePlan);
  EXPECT_TRUE(s.needs_plan_file({0, 1, 0, 1, 0, "plan"}));
}

TEST(PlanStream, CreatesDeletesAndReadsAreShownFromTheStreamAlone) {
  std::vector<std::string> lines = {kUpdatePlan[0], kUpdatePlan[2],
                                    R"({"@level":"info","@message":"terraform_data.c: Plan to create","change":{"resource":{"addr":"terraform_data.c","resource_type":"terraform_data","resource_name":"c"},"action":"create"},"type":"planned_change"})",
                                    kUpdatePlan[4]};
  PlanStream s = stream_of(lines);
  UiChangeSummary summary{1, 0, 0, 1, 0, "plan"};
  ASSERT_FALSE(s.needs_plan_file(summary));
  PlanChanges plan = s.changes();
  ASSERT_EQ(plan.resources.size(), 3u);
  EXPECT_EQ(plan.resources[0].address, "data.terraform_remote_state.x") << "by address, as show -json orders them";
  EXPECT_EQ(plan.resources[0].action, "read");
  EXPECT_EQ(plan.resources[0].reason, "read_because_config_unknown");
  EXPECT_EQ(plan.resources[1].address, "terraform_data.a[1]");
  EXPECT_EQ(plan.resources[1].action, "delete");
  EXPECT_EQ(plan.resources[1].reason, "delete_because_count_index");
  EXPECT_EQ(plan.resources[2].action, "create");
  ASSERT_EQ(plan.outputs.size(), 1u) << "an output without changes is not one";
  EXPECT_EQ(plan.outputs[0].name, "o");
  EXPECT_EQ(plan.outputs[0].action, "update");
  EXPECT_FALSE(plan.outputs[0].values_shown);
  EXPECT_FALSE(plan.outputs[0].before || plan.outputs[0].after);
}

TEST(PlanStream, AMoveIsNamedWithWhereItCameFrom) {
  // Terraform 1.11.4, `plan -json` after `moved { from = terraform_data.a, to = terraform_data.b }`.
  PlanStream s = stream_of({
      R"({"@level":"info","@message":"terraform_data.b: Plan to move","@module":"terraform.ui","change":{"resource":{"addr":"terraform_data.b","module":"","resource":"terraform_data.b","implied_provider":"terraform","resource_type":"terraform_data","resource_name":"b","resource_key":null},"previous_resource":{"addr":"terraform_data.a","module":"","resource":"terraform_data.a","implied_provider":"terraform","resource_type":"terraform_data","resource_name":"a","resource_key":null},"action":"move"},"type":"planned_change"})",
  });
  ASSERT_FALSE(s.needs_plan_file({0, 0, 0, 0, 0, "plan"}));
  ASSERT_EQ(s.changes().resources.size(), 1u);
  EXPECT_EQ(s.changes().resources[0].action, "move");
  EXPECT_EQ(s.changes().resources[0].moved_from, "terraform_data.a");
}

TEST(PlanStream, ChangesThatDoNotAddUpToTheSummaryNeedThePlanFile) {
  PlanStream s = stream_of({kUpdatePlan[0]});
  EXPECT_FALSE(s.needs_plan_file({0, 0, 0, 1, 0, "plan"}));
  EXPECT_TRUE(s.needs_plan_file({1, 0, 0, 1, 0, "plan"})) << "a create the stream did not name";
  EXPECT_TRUE(PlanStream().needs_plan_file({0, 0, 0, 1, 0, "plan"}));
}

// Every sample: the stream's resources (address, action, reason, import, move) are the plan
// file's, and the stream claims to show the whole plan exactly when it has no update or
// replacement.
TEST(PlanStreamConformance, TheStreamNamesWhatThePlanFileHolds) {
  STRATA_REQUIRE_CONFORMANCE(conf);
  const fs::path dir = fs::path(conf) / "tofu-json/opentofu/testing/equivalence-tests/outputs";
  int samples = 0, from_stream = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!fs::exists(entry.path() / "apply.json") || !fs::exists(entry.path() / "plan.json")) continue;
    const std::string name = entry.path().filename().string();
    std::ifstream in(entry.path() / "apply.json");
    std::stringstream text;
    text << in.rdbuf();
    Value messages = parse_json_text(text.str());
    ASSERT_TRUE(messages.is_list()) << name;
    PlanStream s;
    for (const Value& m : messages.as_list()) {
      UiEvent e = parse_ui_event(to_json_text(m, -1));
      if (e.type == UiEventType::kPlannedChange) s.add(e);  // apply.json's outputs message is the apply's
    }
    std::ifstream plan_in(entry.path() / "plan.json");
    std::stringstream plan_text;
    plan_text << plan_in.rdbuf();
    PlanDocument doc = parse_plan_json(plan_text.str());
    // These streams are applies': OpenTofu's apply does not name a resource that only moves
    // (`plan -json` does, as action "move": the literal test above).
    std::erase_if(doc.changes.resources, [](const ResourcePlan& r) { return r.action == "move"; });
    PlanChanges streamed = s.changes();
    ++samples;
    ASSERT_EQ(streamed.resources.size(), doc.changes.resources.size()) << name;
    bool update = false;
    for (size_t i = 0; i < streamed.resources.size(); ++i) {
      const ResourcePlan& a = streamed.resources[i];
      const ResourcePlan& b = doc.changes.resources[i];
      EXPECT_EQ(a.address, b.address) << name;
      EXPECT_EQ(a.action, b.action) << name << " " << a.address;
      EXPECT_EQ(a.reason, b.reason) << name << " " << a.address;
      EXPECT_EQ(a.importing, b.importing) << name << " " << a.address;
      EXPECT_EQ(a.moved_from, b.moved_from) << name << " " << a.address;
      update = update || b.action == "update" || b.action == "replace";
    }
    UiChangeSummary summary{doc.counts.add, doc.counts.change, doc.counts.import, doc.counts.destroy, 0, "plan"};
    // The plan's counts count a replacement as one add and one destroy; the stream's summary too.
    EXPECT_EQ(s.needs_plan_file(summary), update) << name;
    from_stream += !update;
  }
  EXPECT_GE(samples, 40);
  EXPECT_GE(from_stream, 10) << "the samples should hold plans the stream shows alone";
  EXPECT_LT(from_stream, samples);
}

}  // namespace
}  // namespace strata

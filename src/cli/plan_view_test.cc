#include "cli/plan_view.h"
#include "cli/run_view.h"

#include <gtest/gtest.h>

namespace strata::cli {
namespace {

ResourcePlan resource(std::string address, std::string action, std::vector<AttributeChange> attributes = {}) {
  ResourcePlan r;
  r.address = std::move(address);
  r.action = std::move(action);
  r.attributes = std::move(attributes);
  return r;
}

// Grouped by action in Terraform's order whatever the engine's order; an update lists what
// changes, what is added and what is removed; a replacement names the attribute that forces it;
// a create after a run shows its address only.
TEST(PlanView, GroupsByActionAndShowsWhatAnUpdateChanges) {
  PlanChanges plan;
  plan.resources = {
      resource("aws_s3_bucket.old", "delete"),
      resource("kubernetes_deployment.web", "update",
               {{"spec.replicas", "2", "3", false}, {"labels[\"tier\"]", std::nullopt, "\"web\"", false},
                {"annotations.note", "\"x\"", std::nullopt, false}}),
      resource("aws_instance.db", "replace", {{"ami", "\"ami-1\"", "\"ami-2\"", true}}),
      resource("aws_instance.new", "create", {{"ami", std::nullopt, "\"ami-2\"", false}}),
  };
  plan.resources[2].reason = "replace_because_cannot_update";
  plan.resources[0].reason = "delete_because_no_resource_config";
  plan.outputs = {{"endpoint", "update", "\"a\"", std::string(kUnknownText)}};
  std::string text = render_plan("dev/app", plan, {"main.tf:3:1: Deprecated attribute"}, {});
  EXPECT_EQ(text,
            "dev/app: 1 to create, 1 to update, 1 to replace, 1 to destroy, 1 output\n"
            "  create:\n"
            "    + aws_instance.new\n"
            "  update in place:\n"
            "    ~ kubernetes_deployment.web\n"
            "        ~ spec.replicas = 2 -> 3\n"
            "        + labels[\"tier\"] = \"web\"\n"
            "        - annotations.note = \"x\" -> null\n"
            "  replace (destroy, then create):\n"
            "    -/+ aws_instance.db\n"
            "        ~ ami = \"ami-1\" -> \"ami-2\" # forces replacement\n"
            "  destroy:\n"
            "    - aws_s3_bucket.old (no longer in the configuration)\n"
            "  outputs:\n"
            "    ~ endpoint = \"a\" -> (known after apply)\n"
            "  warnings:\n"
            "    ! main.tf:3:1: Deprecated attribute\n");
  PlanViewOptions full;
  full.full = true;
  EXPECT_NE(render_plan("dev/app", plan, {}, full).find("    + aws_instance.new\n        + ami = \"ami-2\"\n"),
            std::string::npos);
}

// After a run a long plan stops at kSummaryLines lines and says how to see the rest; `strata
// show` (full) prints every line.
TEST(PlanView, ALongPlanIsCutAndNamesStrataShow) {
  PlanChanges plan;
  for (int i = 0; i < 100; ++i) plan.resources.push_back(resource("null_resource.r[" + std::to_string(i) + "]", "create"));
  PlanViewOptions options;
  options.show_hint = "strata show dev app";
  std::string text = render_plan("dev/app", plan, {}, options);
  EXPECT_NE(text.find("    … 62 more lines: strata show dev app\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("null_resource.r[38]"), std::string::npos) << text;
  options.full = true;
  EXPECT_NE(render_plan("dev/app", plan, {}, options).find("null_resource.r[99]"), std::string::npos);
}

// A run's details: components with changes or warnings, in the record's order; a component
// without changes or warnings is left out; apply's warnings come without counts.
TEST(PlanView, RunDetailsShowComponentsWithChangesOrWarningsOnly) {
  RunRecord record;
  NodeRecord unchanged, changed, applied;
  unchanged.node = {"dev", "network", {}};
  unchanged.plan = PlanChanges{};
  changed.node = {"dev", "app", {}};
  changed.plan = PlanChanges{};
  changed.plan->resources.push_back(resource("terraform_data.x", "delete"));
  applied.node = {"dev", "db", {}};
  applied.warnings = {"Value for undeclared variable"};
  record.nodes = {unchanged, changed, applied};
  EXPECT_EQ(plan_details(record, false),
            "dev/app: 1 to destroy\n  destroy:\n    - terraform_data.x\n"
            "\n"
            "dev/db\n  warnings:\n    ! Value for undeclared variable\n");
  EXPECT_EQ(warnings_note(record), "1 component has engine warnings: run without --compact to see them\n");
  record.nodes.pop_back();
  EXPECT_EQ(warnings_note(record), "");
}

}  // namespace
}  // namespace strata::cli

namespace strata::cli {
namespace {

TEST(RunView, BoardLinesAreCutToColumnsNotBytes) {
  EXPECT_EQ(cut_to_columns("short", 10), "short");
  EXPECT_EQ(cut_to_columns("exactly10!", 10), "exactly10!");
  EXPECT_EQ(cut_to_columns("héllo wörld", 5), "héll…");  // 5 columns, é one of them
  EXPECT_EQ(cut_to_columns("abc", 1), "…");
}

}  // namespace
}  // namespace strata::cli

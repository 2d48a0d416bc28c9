#include "execute/saved_plan.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

PlanStamp stamp() {
  PlanStamp s;
  s.files = {{"main.tf", "a1"}, {"terraform.tfvars.json", "b2"}, {"backend.tf.json", "c3"}};
  s.values = "v";
  s.state = "s";
  s.engine = "/usr/local/bin/terraform";
  s.planned_at = "2026-12-06 03:10:02";
  PlanChanges changes;
  changes.resources.push_back({"terraform_data.x", "update", false, "", "", {{"input", "\"a\"", "\"b\"", false}}});
  s.changes = changes;
  return s;
}

TEST(SavedPlan, StampTextRoundTrips) {
  PlanStamp s = stamp();
  auto back = parse_plan_stamp(plan_stamp_text(s));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->files, s.files);
  EXPECT_EQ(back->values, "v");
  EXPECT_EQ(back->state, "s");
  EXPECT_EQ(back->engine, s.engine);
  EXPECT_EQ(back->planned_at, s.planned_at);
  ASSERT_TRUE(back->changes);
  EXPECT_EQ(*back->changes, *s.changes);
  // Damaged or foreign text is no stamp: the plan is then treated as never stamped.
  EXPECT_FALSE(parse_plan_stamp(""));
  EXPECT_FALSE(parse_plan_stamp("{\"version\": 2}"));
  EXPECT_FALSE(parse_plan_stamp("{\"version\": 1, \"files\": 3}"));
  EXPECT_FALSE(parse_plan_stamp(plan_stamp_text(s).substr(0, 40)));
}

TEST(SavedPlan, EachChangeSinceThePlanIsNamed) {
  const PlanStamp then = stamp();
  EXPECT_EQ(stale_plan_reason(then, then), "");

  PlanStamp now = then;
  now.files["terraform.tfvars.json"] = "changed";
  now.files["extra.tf"] = "new";
  now.files.erase("backend.tf.json");
  EXPECT_EQ(stale_plan_reason(then, now),
            "its generated files changed since the plan (extra.tf, terraform.tfvars.json, backend.tf.json)");

  now = then;
  for (int i = 0; i < 5; ++i) now.files["m" + std::to_string(i) + ".tf"] = "x";
  EXPECT_EQ(stale_plan_reason(then, now), "its generated files changed since the plan (m0.tf, m1.tf, m2.tf and 2 more)");

  now = then;
  now.values = "other";
  EXPECT_EQ(stale_plan_reason(then, now), "a secret, a TF_VAR_ variable or the stack's env changed since the plan");

  now = then;
  now.state = "";
  EXPECT_EQ(stale_plan_reason(then, now), "its state changed since the plan");

  now = then;
  now.args = {"-target=terraform_data.x"};
  EXPECT_EQ(stale_plan_reason(then, now),
            "the engine flags differ from the plan's (planned with: none; given now: -target=terraform_data.x)");

  // A plan made with -target, applied without flags: what was reviewed, so it is applied.
  PlanStamp targeted = then;
  targeted.args = {"-target=terraform_data.x"};
  now = then;
  EXPECT_EQ(stale_plan_reason(targeted, now), "");
  now.args = targeted.args;
  EXPECT_EQ(stale_plan_reason(targeted, now), "");

  now = then;
  now.engine = "/usr/bin/tofu";
  EXPECT_EQ(stale_plan_reason(then, now),
            "the engine changed since the plan (/usr/local/bin/terraform -> /usr/bin/tofu)");
}

}  // namespace
}  // namespace strata

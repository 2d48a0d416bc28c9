// What a plan's own `-json` stream says will change: each `planned_change` message (address,
// action, why, an import or a move) and, from the `outputs` message, each output's action. The
// stream carries no values, so it is the whole story only for a plan without updates or
// replacements (their changed attributes are in the plan file alone) and without output values:
// strata renders such a plan from the stream and saves an engine call (`show -json`, 40 ms and
// more with Terraform) per component; everything else is read from the plan file (plan_json.h).
// Checked against OpenTofu's equivalence samples, where each plan exists both ways.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/ui_event.h"
#include "model/plan_changes.h"

namespace strata {

class PlanStream {
 public:
  // Takes planned_change and outputs messages; ignores every other.
  void add(const UiEvent& event);
  // True when the stream alone cannot show the plan: it updates or replaces a resource (whose
  // attributes are only in the plan file), or its planned changes do not add up to `summary`
  // (an engine that streams fewer of them).
  bool needs_plan_file(const UiChangeSummary& summary) const;
  // The changes, resources by address as `show -json` orders them; outputs without values
  // (OutputPlan::values_shown is false).
  PlanChanges changes() const;

 private:
  std::vector<ResourcePlan> resources_;
  std::vector<OutputPlan> outputs_;
  bool needs_plan_file_ = false;
};

}  // namespace strata

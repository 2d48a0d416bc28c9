// From one `resource_changes` (or `output_changes`) entry of a plan document to what people
// read: the action in one word and the attributes that change, rendered as Terraform renders
// them ("replicas = 2 -> 3"), with every value marked sensitive (before_sensitive,
// after_sensitive) masked and every value not known yet (after_unknown) said so. The raw values
// are only compared here, never kept.
#pragma once

#include <string>

#include "model/plan_changes.h"
#include "model/value.h"

namespace strata {

// "create", "update", "replace", "delete", "read", "forget", or "no-op", from the actions list.
std::string plan_action(const Value* actions);

// The change of one resource_changes entry (mode, address, change.{actions,before,after,
// after_unknown,before_sensitive,after_sensitive,replace_paths,importing}, action_reason,
// previous_address).
ResourcePlan describe_resource_change(const Value& entry);

// The change of one output_changes entry.
OutputPlan describe_output_change(const std::string& name, const Value& change);

// A value as Terraform prints it in a plan: "text" quoted, 10, true, null, ["a", "b"],
// { a = 1 }. Long texts and nested values are cut with "…" (kMaxRenderedValue characters).
std::string render_plan_value(const Value& v);
inline constexpr size_t kMaxRenderedValue = 200;

}  // namespace strata

// Reads the plan document `show -json PLANFILE` prints: which resources change and how, the
// summary counts strata shows (+add ~change -destroy, imports), and the output changes.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "model/origin.h"
#include "model/plan_changes.h"
#include "model/value.h"

namespace strata {

struct PlannedResourceChange {
  std::string address;  // "module.m.test_instance.foo[1]"
  std::string mode;     // "managed" or "data"
  std::string type;
  std::string name;
  std::vector<std::string> actions;  // ["create"], ["delete","create"], ["no-op"], ...
  bool importing = false;            // the change imports an existing object
};

struct PlannedOutputChange {
  std::vector<std::string> actions;
  bool sensitive = false;  // before or after is sensitive
  bool after_unknown = false;
  Value after;  // null when unknown or absent; marked sensitive when sensitive
};

struct PlanCounts {
  int add = 0;
  int change = 0;
  int destroy = 0;
  int import = 0;
  bool has_changes() const { return add + change + destroy + import > 0; }
  bool operator==(const PlanCounts&) const = default;
};

struct PlanDocument {
  std::string format_version;  // or plan_format_version (Terraform Cloud redacted plans)
  std::string engine_version;  // terraform_version
  bool errored = false;
  std::vector<PlannedResourceChange> resource_changes;
  std::map<std::string, PlannedOutputChange> output_changes;
  // Counted as the engine counts its "Plan: N to add, ..." line: a replace adds one and
  // destroys one; reads and no-ops do not count.
  PlanCounts counts;
  // True when anything would change, outputs included (what -detailed-exitcode reports).
  bool has_changes = false;
  // What people read: every resource that changes, by action, with its changed attributes, and
  // the outputs that change; sensitive values masked. The document's `variables` (values in
  // clear, secrets included) are never read.
  PlanChanges changes;
};

// Parses `show -json PLANFILE` output. Throws strata::Error when the text is not a plan document
// (a state document from `show -json` without a plan file has no resource_changes and is
// rejected with a hint).
PlanDocument parse_plan_json(const std::string& text, const Origin& origin = {});

}  // namespace strata

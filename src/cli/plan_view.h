// How a plan reads: one component's changes grouped by action (create, update in place,
// replace, destroy, read, ...), each resource by address with its reason, and for updates and
// replacements the attributes that change as Terraform prints them (`~ replicas = 2 -> 3`,
// `# forces replacement`); then the outputs that change and the engine's warnings. Values arrive
// already rendered and masked (model/plan_changes.h): nothing here can show a secret.
#pragma once

#include <string>
#include <vector>

#include "model/plan_changes.h"
#include "run/run_record.h"

namespace strata::cli {

struct PlanViewOptions {
  bool color = false;
  // `strata show`: every resource, and what a create sets. Otherwise (after a run) creates show
  // their address only and a component stops after kSummaryLines lines, naming `strata show`.
  bool full = false;
  bool counts = true;      // the title line counts the changes ("2 to create, 1 to update")
  std::string show_hint;  // "strata show dev app", named when lines are cut
};
inline constexpr size_t kSummaryLines = 40;

// `title` (dev/app) and its changes; "no changes" when there are none. Ends with a newline.
std::string render_plan(const std::string& title, const PlanChanges& plan, const std::vector<std::string>& warnings,
                        const PlanViewOptions& options);

// After a run: the plan of every component that has changes, and the warnings of every
// component that has warnings, in graph order; empty when there is nothing to show.
std::string plan_details(const RunRecord& record, bool color);

// One line for --compact runs with warnings: how many components have warnings and how to see
// them; empty when none has.
std::string warnings_note(const RunRecord& record);

}  // namespace strata::cli

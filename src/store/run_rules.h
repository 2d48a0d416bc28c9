// What both stores decide the same way about runs, with no SQL in it: filling in a new run and
// checking its activities' dependencies, and which waiting runs may start (one run that changes
// a stack at a time per repository and stack, in the order they came).
#pragma once

#include <string>
#include <vector>

#include "store/store.h"

namespace strata::store {

// succeeded, failed or cancelled.
bool is_finished_run(const std::string& status);

// Fills in what create_run leaves to the store (ids, created_at, status "queued") and checks
// that every depends_on names an activity of the same run. Throws kInternal otherwise.
void prepare_new_run(Run& run, std::vector<Activity>& activities);

// For the open runs (queued, waiting, running), oldest first: for each one that is not running,
// whether it may start now ("" ) or the reason it waits ("waiting for run R (apply) on stack
// S"). Running runs hold their stacks; so does every run in line before a later one, so a later
// run never overtakes an earlier one on the same stack.
struct RunStartDecision {
  const Run* run;
  std::string wait_reason;  // "" = start it
};
std::vector<RunStartDecision> decide_run_starts(const std::vector<Run>& open_runs);

}  // namespace strata::store

#include "store/run_rules.h"

#include <map>
#include <set>
#include <utility>

#include "model/error.h"

namespace strata::store {

bool is_finished_run(const std::string& status) {
  return status == "succeeded" || status == "failed" || status == "cancelled";
}

void prepare_new_run(Run& run, std::vector<Activity>& activities) {
  if (run.id.empty()) run.id = new_uuid();
  if (run.created_at == 0) run.created_at = now_millis();
  if (run.status.empty()) run.status = "queued";
  run.updated_at = run.created_at;
  // Ids first, so depends_on may name activities given later in the list.
  std::set<std::string> ids;
  for (auto& a : activities) {
    if (a.id.empty()) a.id = new_uuid();
    ids.insert(a.id);
  }
  for (const auto& a : activities)
    for (const auto& dep : a.depends_on)
      if (!ids.count(dep))
        throw Error(ErrorKind::kInternal, "activity " + a.stack + "/" + a.component + " depends on '" + dep +
                                              "', which is not an activity of the same run");
}

std::vector<RunStartDecision> decide_run_starts(const std::vector<Run>& open_runs) {
  // (repository, stack) → the run holding it.
  std::map<std::pair<std::string, std::string>, const Run*> holders;
  for (const Run& run : open_runs)
    if (run.status == "running")
      for (const auto& stack : run.locked_stacks) holders.emplace(std::pair{run.repository_id, stack}, &run);
  std::vector<RunStartDecision> out;
  for (const Run& run : open_runs) {
    if (run.status == "running") continue;
    std::string reason;
    for (const auto& stack : run.locked_stacks) {
      auto holder = holders.find({run.repository_id, stack});
      if (holder != holders.end()) {
        reason = "waiting for run " + holder->second->id + " (" + holder->second->command + ") on stack " + stack;
        break;
      }
    }
    for (const auto& stack : run.locked_stacks) holders.emplace(std::pair{run.repository_id, stack}, &run);
    out.push_back({&run, reason});
  }
  return out;
}

}  // namespace strata::store

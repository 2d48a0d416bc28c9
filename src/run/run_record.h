// RunRecord: what one run did — per node its result, start order, times, change counts, log path
// and message — kept as JSON beside the logs, and later stored by the server.
#pragma once

#include <chrono>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "model/project.h"
#include "run/run_event.h"

namespace strata {

struct NodeRecord {
  ComponentRef node;
  NodeResult result = NodeResult::kNotStarted;
  int start_order = 0;  // 1 for the first node started; 0 if it never started
  std::optional<WallClock::time_point> started_at;
  std::optional<WallClock::time_point> finished_at;
  std::chrono::milliseconds duration{0};
  ChangeSummary changes;
  std::optional<PlanChanges> plan;    // plan: what changes, resource by resource
  std::vector<std::string> warnings;  // the engine's warnings
  std::string plan_note;              // apply: the saved plan applied, or why not
  std::string log_path;
  std::string message;
};

struct RunRecord {
  std::string run_id;
  std::string command;
  int jobs = 0;
  bool reverse = false;
  bool fail_fast = false;
  bool interrupted = false;  // the user interrupted the run (Ctrl-C)
  WallClock::time_point started_at;
  WallClock::time_point finished_at;
  std::vector<NodeRecord> nodes;  // the selected nodes, in graph order
  // CPU time strata itself used from its start to the end of the run (user + system, all its
  // threads; the engines' time is not included); negative when not measured.
  double strata_cpu_seconds = -1;

  const NodeRecord* find(const std::string& stack, const std::string& component) const;
  size_t count(NodeResult result) const;
  // No node failed, was interrupted or was left out.
  bool succeeded() const;
  // Nodes that were running when the run was interrupted.
  std::vector<ComponentRef> interrupted_nodes() const;
};

// {"run_id","command","jobs","reverse","fail_fast","interrupted","started_at","finished_at",
//  "duration_ms","strata_cpu_seconds","summary":{result: count},"interrupted_nodes":[...],
//  "nodes":[...]}; strata_cpu_seconds is null when not measured.
nlohmann::json to_json(const RunRecord& record);
// Writes the record as indented JSON through a temporary file and a rename, creating parent
// folders. Throws strata::Error when it cannot.
void write_run_record(const RunRecord& record, const std::string& path);

}  // namespace strata

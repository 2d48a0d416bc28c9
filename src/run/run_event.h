// RunEvent: what a run reports while it goes (node queued/started/phase/log line/finished, run
// started/finished), and EventSink, the interface renderers (live board, --json lines, the later
// worker) implement. Also NodeOutcome, the result of one node, shared by events and run records.
#pragma once

#include <chrono>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "model/plan_changes.h"
#include "model/project.h"
#include "model/value.h"

namespace strata {

enum class NodeResult {
  kSucceeded,
  kFailed,
  kSkipped,      // a dependency failed
  kInterrupted,  // was running when the run was interrupted
  kNotStarted,   // never started: interrupted or --fail-fast before its turn
};
const char* node_result_name(NodeResult result);  // "succeeded", "failed", ... "not_started"

// Planned or applied changes, as the engine's change summary reports them.
struct ChangeSummary {
  int add = 0;
  int change = 0;
  int destroy = 0;
  int import = 0;
  bool reported = false;  // the engine reported a change summary (plan, apply, destroy)
  bool any() const { return add || change || destroy || import; }
};

struct NodeOutcome {
  NodeResult result = NodeResult::kSucceeded;
  ChangeSummary changes;
  // What a plan will do, resource by resource (sensitive values already masked); set by plan.
  std::optional<PlanChanges> plan;
  // Warnings the engine reported ("Value for undeclared variable"), one line each, with their
  // file:line when the engine gave one.
  std::vector<std::string> warnings;
  // apply: "applied the plan saved at …", or why it planned afresh instead ("planned afresh: its
  // generated files changed since the plan (terraform.tfvars.json)").
  std::string plan_note;
  Value outputs;         // the component's outputs, when the command produced them
  std::string message;   // one line for the user: why it failed, what was skipped and why
  std::string log_path;  // full engine output, when there is one
};

using WallClock = std::chrono::system_clock;

struct RunEvent {
  enum class Type {
    kRunStarted,
    kNodeQueued,
    kNodeStarted,
    kNodePhase,
    kNodeLog,
    kNodeFinished,
    kRunFinished
  };
  Type type = Type::kNodeLog;
  WallClock::time_point time = WallClock::now();
  std::string run_id;
  std::optional<ComponentRef> node;                   // every node event has one
  std::string text;                                   // phase name, log line, or the run's command
  std::optional<NodeOutcome> outcome;                 // kNodeFinished
  std::optional<std::chrono::milliseconds> duration;  // kNodeFinished, kRunFinished
};
const char* event_type_name(RunEvent::Type type);  // "node_started", ...

// {"type","time","run_id","node":{"stack","component"},"phase"|"line"|"command",
//  "result","changes","message","log_path","outputs","duration_ms"}; sensitive outputs redacted.
nlohmann::json to_json(const RunEvent& event);
nlohmann::json to_json(const ChangeSummary& changes);
// {"resources":[{"address","action","importing"?,"moved_from"?,"reason"?,"attributes":[{"path",
//  "before"?,"after"?,"forces_replacement"?}]}],"outputs":[{"name","action","before"?,"after"?}]}
nlohmann::json to_json(const PlanChanges& plan);
PlanChanges plan_changes_from_json(const nlohmann::json& j);
// "2026-11-23T07:01:02.345Z"
std::string format_time(WallClock::time_point t);

class EventSink {
 public:
  virtual ~EventSink() = default;
  // Called for every event of a run. The scheduler serialises the calls (never two at once), so
  // sinks need no locking, but they may come from any thread and must return quickly.
  virtual void on_event(const RunEvent& event) = 0;
};

}  // namespace strata

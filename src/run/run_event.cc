#include "run/run_event.h"

#include <ctime>
#include <nlohmann/json.hpp>

namespace strata {

const char* node_result_name(NodeResult result) {
  switch (result) {
    case NodeResult::kSucceeded:
      return "succeeded";
    case NodeResult::kFailed:
      return "failed";
    case NodeResult::kSkipped:
      return "skipped";
    case NodeResult::kInterrupted:
      return "interrupted";
    case NodeResult::kNotStarted:
      return "not_started";
  }
  return "unknown";
}

const char* event_type_name(RunEvent::Type type) {
  switch (type) {
    case RunEvent::Type::kRunStarted:
      return "run_started";
    case RunEvent::Type::kNodeQueued:
      return "node_queued";
    case RunEvent::Type::kNodeStarted:
      return "node_started";
    case RunEvent::Type::kNodePhase:
      return "node_phase";
    case RunEvent::Type::kNodeLog:
      return "node_log";
    case RunEvent::Type::kNodeFinished:
      return "node_finished";
    case RunEvent::Type::kRunFinished:
      return "run_finished";
  }
  return "unknown";
}

std::string format_time(WallClock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

nlohmann::json to_json(const ChangeSummary& c) {
  return {{"add", c.add}, {"change", c.change}, {"destroy", c.destroy}, {"import", c.import}};
}

nlohmann::json to_json(const RunEvent& e) {
  nlohmann::json j;
  j["type"] = event_type_name(e.type);
  j["time"] = format_time(e.time);
  j["run_id"] = e.run_id;
  if (e.node) j["node"] = {{"stack", e.node->stack}, {"component", e.node->component}};
  switch (e.type) {
    case RunEvent::Type::kNodePhase:
      j["phase"] = e.text;
      break;
    case RunEvent::Type::kNodeLog:
      j["line"] = e.text;
      break;
    case RunEvent::Type::kRunStarted:
      j["command"] = e.text;
      break;
    default:
      break;
  }
  if (e.outcome) {
    j["result"] = node_result_name(e.outcome->result);
    j["changes"] = to_json(e.outcome->changes);
    if (!e.outcome->message.empty()) j["message"] = e.outcome->message;
    if (!e.outcome->log_path.empty()) j["log_path"] = e.outcome->log_path;
    if (!e.outcome->outputs.is_null()) j["outputs"] = to_json(redacted(e.outcome->outputs));
  }
  if (e.duration) j["duration_ms"] = e.duration->count();
  return j;
}

}  // namespace strata

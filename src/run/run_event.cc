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

nlohmann::json to_json(const PlanChanges& plan) {
  auto optional_text = [](nlohmann::json& j, const char* key, const std::optional<std::string>& v) {
    if (v) j[key] = *v;
  };
  nlohmann::json resources = nlohmann::json::array();
  for (const auto& r : plan.resources) {
    nlohmann::json j = {{"address", r.address}, {"action", r.action}};
    if (r.importing) j["importing"] = true;
    if (!r.moved_from.empty()) j["moved_from"] = r.moved_from;
    if (!r.reason.empty()) j["reason"] = r.reason;
    nlohmann::json attributes = nlohmann::json::array();
    for (const auto& a : r.attributes) {
      nlohmann::json aj = {{"path", a.path}};
      optional_text(aj, "before", a.before);
      optional_text(aj, "after", a.after);
      if (a.forces_replacement) aj["forces_replacement"] = true;
      attributes.push_back(std::move(aj));
    }
    j["attributes"] = std::move(attributes);
    resources.push_back(std::move(j));
  }
  nlohmann::json outputs = nlohmann::json::array();
  for (const auto& o : plan.outputs) {
    nlohmann::json j = {{"name", o.name}, {"action", o.action}};
    optional_text(j, "before", o.before);
    optional_text(j, "after", o.after);
    if (!o.values_shown) j["values_shown"] = false;
    outputs.push_back(std::move(j));
  }
  return {{"resources", std::move(resources)}, {"outputs", std::move(outputs)}};
}

PlanChanges plan_changes_from_json(const nlohmann::json& j) {
  auto text = [](const nlohmann::json& o, const char* key) -> std::optional<std::string> {
    auto it = o.find(key);
    if (it == o.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  PlanChanges plan;
  if (!j.is_object()) return plan;
  for (const auto& r : j.value("resources", nlohmann::json::array())) {
    if (!r.is_object()) continue;
    ResourcePlan rp;
    rp.address = r.value("address", "");
    rp.action = r.value("action", "");
    rp.importing = r.value("importing", false);
    rp.moved_from = r.value("moved_from", "");
    rp.reason = r.value("reason", "");
    for (const auto& a : r.value("attributes", nlohmann::json::array())) {
      if (!a.is_object()) continue;
      rp.attributes.push_back({a.value("path", ""), text(a, "before"), text(a, "after"),
                               a.value("forces_replacement", false)});
    }
    plan.resources.push_back(std::move(rp));
  }
  for (const auto& o : j.value("outputs", nlohmann::json::array())) {
    if (!o.is_object()) continue;
    plan.outputs.push_back({o.value("name", ""), o.value("action", ""), text(o, "before"), text(o, "after"),
                            o.value("values_shown", true)});
  }
  return plan;
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
    if (e.outcome->plan) j["plan"] = to_json(*e.outcome->plan);
    if (!e.outcome->warnings.empty()) j["warnings"] = e.outcome->warnings;
    if (!e.outcome->plan_note.empty()) j["plan_note"] = e.outcome->plan_note;
  }
  if (e.duration) j["duration_ms"] = e.duration->count();
  return j;
}

}  // namespace strata

#include "engine/plan_stream.h"

#include <algorithm>

#include "engine/json_fields.h"

namespace strata {

namespace {

// The stream's action names, as `show -json` (and so PlanChanges) calls them.
std::string shown_action(const std::string& action) {
  if (action == "remove") return "forget";
  return action;
}

// The stream's reasons for a replacement are short; the plan file's are what strata shows.
std::string shown_reason(const std::string& reason) {
  if (reason == "tainted") return "replace_because_tainted";
  if (reason == "requested") return "replace_by_request";
  if (reason == "cannot_update") return "replace_because_cannot_update";
  if (reason == "replace_triggered_by") return "replace_by_triggers";
  return reason;
}

}  // namespace

void PlanStream::add(const UiEvent& event) {
  if (event.type == UiEventType::kPlannedChange) {
    const std::string action = shown_action(event.action);
    if (action.empty() || action == "noop") return;
    if (action == "update" || action == "replace") needs_plan_file_ = true;
    ResourcePlan r;
    r.address = event.resource.addr;
    r.action = action;
    r.reason = shown_reason(event.reason);
    const Value* change = event.raw.is_map() ? event.raw.find("change") : nullptr;
    if (change && change->is_map()) {
      r.importing = change->find("importing") != nullptr;
      if (const Value* previous = change->find("previous_resource"); previous && previous->is_map())
        r.moved_from = engine_json::string_field(previous, "addr");
    }
    resources_.push_back(std::move(r));
  } else if (event.type == UiEventType::kOutputs) {
    outputs_.clear();
    for (const auto& [name, o] : event.outputs) {
      if (o.action.empty() || o.action == "noop") continue;
      OutputPlan out;
      out.name = name;
      out.action = o.action;
      out.values_shown = false;
      outputs_.push_back(std::move(out));
    }
  }
}

bool PlanStream::needs_plan_file(const UiChangeSummary& summary) const {
  if (needs_plan_file_) return true;
  UiChangeSummary counted;
  for (const auto& r : resources_) {
    counted.add += r.action == "create";
    counted.remove += r.action == "delete";
    counted.forget += r.action == "forget";
    counted.import += r.importing;
  }
  return counted.add != summary.add || counted.remove != summary.remove || summary.change != 0 ||
         counted.import != summary.import || counted.forget != summary.forget;
}

PlanChanges PlanStream::changes() const {
  PlanChanges plan;
  plan.resources = resources_;
  std::stable_sort(plan.resources.begin(), plan.resources.end(),
                   [](const ResourcePlan& a, const ResourcePlan& b) { return a.address < b.address; });
  plan.outputs = outputs_;  // by name: the message is a JSON object
  return plan;
}

}  // namespace strata

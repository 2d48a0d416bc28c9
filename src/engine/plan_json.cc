#include "engine/plan_json.h"

#include <algorithm>

#include "engine/json_fields.h"
#include "engine/plan_diff.h"
#include "model/error.h"

namespace strata {

namespace {

using engine_json::bool_field;
using engine_json::field;
using engine_json::string_field;

std::vector<std::string> string_list(const Value* v) {
  std::vector<std::string> out;
  if (!v || !v->is_list()) return out;
  for (const auto& e : v->as_list()) {
    if (e.is_string()) out.push_back(e.as_string());
  }
  return out;
}

bool has(const std::vector<std::string>& actions, const char* action) {
  return std::find(actions.begin(), actions.end(), action) != actions.end();
}

// A sensitivity mark in plan JSON is `true` or a structure of marks; any true inside counts.
bool any_true(const Value* v) {
  if (!v) return false;
  if (v->is_bool()) return v->as_bool();
  if (v->is_list()) {
    for (const auto& e : v->as_list()) {
      if (any_true(&e)) return true;
    }
  }
  if (v->is_map()) {
    for (const auto& [k, e] : v->as_map()) {
      if (any_true(&e)) return true;
    }
  }
  return false;
}

void count(const PlannedResourceChange& c, PlanCounts& counts) {
  if (c.importing) ++counts.import;
  if (has(c.actions, "create")) ++counts.add;
  if (has(c.actions, "delete")) ++counts.destroy;
  if (has(c.actions, "update")) ++counts.change;
}

}  // namespace

PlanDocument parse_plan_json(const std::string& text, const Origin& origin) {
  Value doc = parse_json_text(text, origin);
  // Terraform Cloud's redacted plans say plan_format_version instead.
  if (!doc.is_map() || (!doc.find("format_version") && !doc.find("plan_format_version"))) {
    throw Error("not a plan document: no format_version", origin,
                "pass the output of `show -json PLANFILE`");
  }
  PlanDocument out;
  out.format_version = string_field(&doc, "format_version");
  if (out.format_version.empty()) out.format_version = string_field(&doc, "plan_format_version");
  out.engine_version = string_field(&doc, "terraform_version");
  out.errored = bool_field(&doc, "errored");
  if (!doc.find("planned_values") && !doc.find("resource_changes") &&
      !doc.find("output_changes")) {
    throw Error("not a plan document: it has no planned_values or changes", origin,
                "this looks like `show -json` of a state; pass a plan file to `show -json`");
  }

  if (const Value* changes = doc.find("resource_changes"); changes && changes->is_list()) {
    for (const auto& rc : changes->as_list()) {
      PlannedResourceChange c;
      c.address = string_field(&rc, "address");
      c.mode = string_field(&rc, "mode");
      c.type = string_field(&rc, "type");
      c.name = string_field(&rc, "name");
      const Value* change = field(&rc, "change");
      c.actions = string_list(field(change, "actions"));
      c.importing = field(change, "importing") != nullptr;
      if (c.mode != "data") count(c, out.counts);
      if (c.mode != "data" && !c.actions.empty() && !has(c.actions, "no-op") &&
          !has(c.actions, "read")) {
        out.has_changes = true;
      }
      if (c.importing) out.has_changes = true;
      out.resource_changes.push_back(std::move(c));
      ResourcePlan shown = describe_resource_change(rc);
      if (shown.action != "no-op" || shown.importing || !shown.moved_from.empty()) {
        if (shown.action == "no-op") shown.action = shown.importing ? "import" : "move";
        out.changes.resources.push_back(std::move(shown));
      }
    }
  }

  if (const Value* outputs = doc.find("output_changes"); outputs && outputs->is_map()) {
    for (const auto& [name, oc] : outputs->as_map()) {
      PlannedOutputChange o;
      o.actions = string_list(field(&oc, "actions"));
      o.sensitive = any_true(field(&oc, "before_sensitive")) ||
                    any_true(field(&oc, "after_sensitive"));
      o.after_unknown = any_true(field(&oc, "after_unknown"));
      if (const Value* after = oc.find("after")) o.after = *after;
      if (o.sensitive) o.after.set_sensitive(true);
      if (!o.actions.empty() && !has(o.actions, "no-op")) {
        out.has_changes = true;
        out.changes.outputs.push_back(describe_output_change(name, oc));
      }
      out.output_changes.emplace(name, std::move(o));
    }
  }
  return out;
}

}  // namespace strata

#include "workspace/model_json.h"

#include "run/run_event.h"

#include "workspace/describe.h"

namespace strata::workspace {

nlohmann::json origin_json(const Origin& o) {
  if (!o.known()) return nullptr;
  return {{"file", o.path()}, {"line", o.line}, {"column", o.column}};
}

nlohmann::json value_json(const Value& v) { return to_json(redacted(v)); }

nlohmann::json stack_summary_json(const Stack& s) {
  nlohmann::json components = nlohmann::json::array();
  for (const auto& c : s.components) {
    nlohmann::json deps = nlohmann::json::array();
    for (const auto& d : c.depends_on) {
      deps.push_back({{"stack", d.stack}, {"component", d.component}, {"origin", origin_json(d.origin)}});
    }
    components.push_back(
        {{"name", c.name}, {"source", c.source}, {"depends_on", deps}, {"origin", origin_json(c.origin)}});
  }
  return {{"name", s.name},
          {"kind", s.kind},
          {"file", s.source_file},
          {"backend", s.backend.type.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.backend.type)},
          {"origin", origin_json(s.origin)},
          {"components", components}};
}

nlohmann::json stack_detail_json(const Stack& stack) {
  nlohmann::json out = {{"name", stack.name},
                        {"file", stack.source_file},
                        {"origin", origin_json(stack.origin)},
                        {"options", value_json(stack.options)},
                        {"metadata", value_json(stack.metadata)},
                        {"env", stack.env},
                        {"provider_appends", stack.provider_appends},
                        {"kind", stack.kind}};
  if (stack.kind == "hcl") {
    out["version"] = stack.version;
    out["policies"] = stack.policies;
    out["hooks"] = {{"pre_plan", stack.hooks.pre_plan},
                    {"post_plan", stack.hooks.post_plan},
                    {"pre_apply", stack.hooks.pre_apply},
                    {"post_apply", stack.hooks.post_apply}};
  }
  return out;
}

nlohmann::json component_preview_json(const ComponentPreview& r) {
  const Component& c = *r.component;
  nlohmann::json deps = nlohmann::json::array();
  for (const auto& d : c.depends_on) deps.push_back(d.str());
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& e : r.errors) errors.push_back(diagnostic_json(Diagnostic{Severity::kError, e.origin(), e.message(), e.hint()}));
  return {{"name", c.name},
          {"stack", c.stack},
          {"source", c.source},
          {"origin", origin_json(c.origin)},
          {"inputs", value_json(r.inputs)},
          {"providers", value_json(r.providers)},
          {"backend", !r.backend ? nlohmann::json(nullptr)
                                 : nlohmann::json{{"type", r.backend->type}, {"config", value_json(r.backend->config)}}},
          {"depends_on", deps},
          {"mock_outputs", value_json(c.mock_outputs)},
          {"unresolved", r.unresolved},
          {"mocked", r.mocked},
          {"from_state", r.from_state},
          {"errors", errors}};
}

nlohmann::json leaf_origins_json(const Value& tree) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& leaf : leaves(tree))
    out[leaf.path] = leaf.origin.known() ? nlohmann::json(leaf.origin.str()) : nullptr;
  return out;
}

nlohmann::json diagnostic_json(const Diagnostic& d) {
  nlohmann::json j = {{"severity", d.severity == Severity::kError ? "error" : "warning"},
                      {"message", d.message},
                      {"hint", d.hint}};
  if (d.origin.known()) {
    j["file"] = d.origin.path();
    j["line"] = d.origin.line;
    j["column"] = d.origin.column;
  }
  return j;
}

nlohmann::json orphan_json(const StateOrphan& o) {
  return {{"name", o.name}, {"workdir", o.workdir}, {"state_files", o.state_files}, {"remote_backend", o.remote_backend}};
}

nlohmann::json saved_plan_json(const ComponentRef& ref, const std::string& plan_file, const PlanChanges& plan) {
  return {{"stack", ref.stack}, {"component", ref.component}, {"plan_file", plan_file}, {"plan", to_json(plan)}};
}

nlohmann::json listing_json(const std::string& root, const std::vector<const Stack*>& stacks) {
  nlohmann::json out = nlohmann::json::array();
  for (const Stack* s : stacks) out.push_back(stack_summary_json(*s));
  return {{"root", root}, {"stacks", out}};
}

nlohmann::json description_json(const Description& d, bool origins) {
  if (d.folder) {
    nlohmann::json out = {{"folder", d.folder->folder}, {"layers", d.folder->layers}, {"config", value_json(d.folder->tree)}};
    if (origins) out["origins"] = leaf_origins_json(d.folder->tree);
    return out;
  }
  nlohmann::json components = nlohmann::json::array();
  for (const auto& r : d.stack->components) {
    components.push_back(component_preview_json(r));
    if (origins) components.back()["origins"] = leaf_origins_json(r.inputs);
  }
  nlohmann::json out = {{"components", components}};
  if (d.component.empty()) out["stack"] = stack_detail_json(*d.stack->stack);
  return out;
}

nlohmann::json validation_json(const ValidationReport& report, const Diagnostics& diagnostics, const std::string& root) {
  nlohmann::json problems = nlohmann::json::array();
  for (const auto& d : diagnostics.items()) problems.push_back(diagnostic_json(d));
  return {{"ok", report.ok()},
          {"root", root},
          {"stacks", report.stacks},
          {"components", report.components},
          {"problems", problems}};
}

}  // namespace strata::workspace

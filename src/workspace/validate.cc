#include "workspace/validate.h"

#include <filesystem>

#include "config/yaml/kompos_config.h"
#include "graph/graph.h"
#include "resolve/component_resolver.h"
#include "workspace/module_checks.h"
#include "workspace/orphans.h"

namespace strata::workspace {

namespace {

void add_kompos_notes(const Project& project, Diagnostics& diagnostics) {
  if (!std::filesystem::exists(std::filesystem::path(project.root) / ".komposconfig.yaml")) return;
  if (!std::filesystem::is_directory(std::filesystem::path(project.root) / project.settings.config_dir)) {
    diagnostics.warning(
        Origin(".komposconfig.yaml"),
        "this Kompos project has no " + project.settings.config_dir +
            "/ folder, so strata found no hierarchical YAML stacks in it",
        "strata reads the configuration tree from config_dir (strata.yaml `config_dir`, default "
        "config); set it to the folder that holds your cloud=…/env=… tree");
  }
  yaml::KomposConfig kompos;
  try {
    kompos = yaml::read_kompos_config(project.root);
  } catch (const Error&) {
    return;  // the loader reports it when there is a config folder; else the file is unused
  }
  yaml::warn_runner_only_settings(kompos, project.settings.work_dir, diagnostics);
}

}  // namespace

ValidationReport validate(Workspace& ws) {
  add_kompos_notes(ws.project(), ws.diagnostics());
  check_modules(ws.project(), ws.environment(), ws.diagnostics());
  for (const auto& o : find_state_orphans(ws.project())) ws.diagnostics().warning(Origin(o.workdir), describe_orphan(o));
  // What plan checks first: every reference exists and no dependency goes in a circle.
  try {
    Graph::build(ws.project());
  } catch (const Error& e) {
    ws.diagnostics().error(e.origin(), e.message(), e.hint());
  }
  // Templates that fail before anything runs fail plan too: each is an error here, where it is.
  for (const auto& [_, stack] : ws.project().stacks) {
    for (const auto& component : stack.components) {
      ComponentPreview preview = preview_component(ws.project(), component, ws.environment(), ws.secrets());
      for (const auto& e : preview.errors)
        ws.diagnostics().error(e.origin(), stack.name + "/" + component.name + " " + e.message(), e.hint());
      for (const auto& w : preview.warnings)
        ws.diagnostics().warning(component.origin, stack.name + "/" + component.name + " " + w);
    }
  }
  ValidationReport report;
  report.stacks = ws.project().stacks.size();
  for (const auto& [_, s] : ws.project().stacks) report.components += s.components.size();
  for (const auto& d : ws.diagnostics().items()) report.errors += d.severity == Severity::kError;
  return report;
}

}  // namespace strata::workspace

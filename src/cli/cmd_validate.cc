// `strata validate`: loads every project file with every front-end and reports every problem
// found (not only the first); exit 1 if there is any.
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/project_context.h"
#include "config/project_loader.h"
#include "config/yaml/kompos_config.h"
#include "model/error.h"

namespace strata::cli {

namespace {

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

// .komposconfig.yaml settings of Kompos's other runners, which strata leaves alone: said here
// only, so that plans and applies stay quiet about them.
void add_kompos_notes(config::LoadedProject& loaded) {
  const Project& project = loaded.project;
  if (!std::filesystem::exists(std::filesystem::path(project.root) / ".komposconfig.yaml")) return;
  if (!std::filesystem::is_directory(std::filesystem::path(project.root) / project.settings.config_dir)) {
    loaded.diagnostics.warning(
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
  yaml::warn_runner_only_settings(kompos, project.settings.work_dir, loaded.diagnostics);
}

int run_validate(const Globals& globals) {
  auto session = open_project(globals, false);
  add_kompos_notes(session->loaded);
  const config::LoadedProject& loaded = session->loaded;
  size_t components = 0;
  for (const auto& [_, s] : loaded.project.stacks) components += s.components.size();
  size_t errors = 0;
  for (const auto& d : loaded.diagnostics.items()) errors += d.severity == Severity::kError;
  if (globals.json) {
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& d : loaded.diagnostics.items()) problems.push_back(diagnostic_json(d));
    std::cout << nlohmann::json{{"ok", errors == 0},
                                {"root", loaded.project.root},
                                {"stacks", loaded.project.stacks.size()},
                                {"components", components},
                                {"problems", problems}}
                     .dump(2)
              << "\n";
    return errors ? 1 : 0;
  }
  for (const auto& d : loaded.diagnostics.items()) {
    std::cerr << (d.severity == Severity::kError ? "error: " : "") << d.render() << "\n";
  }
  std::cout << loaded.project.stacks.size() << " stacks, " << components << " components: ";
  if (errors == 0) {
    std::cout << "ok\n";
    return 0;
  }
  std::cout << errors << (errors == 1 ? " problem\n" : " problems\n");
  return 1;
}

}  // namespace

void add_validate_command(CLI::App& app, Globals& globals, Action& action) {
  auto* cmd = app.add_subcommand(
      "validate", "Load every stack and settings file and report every problem found");
  cmd->add_flag("--json", globals.json, "Print a JSON object");
  cmd->callback([&globals, &action] { action = [&globals] { return run_validate(globals); }; });
}

}  // namespace strata::cli

// `strata validate`: loads every project file with every front-end and reports every problem
// found (not only the first); exit 1 if there is any.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/project_context.h"
#include "config/project_loader.h"

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

int run_validate(const Globals& globals) {
  auto session = open_project(globals, false);
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

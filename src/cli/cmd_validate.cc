// `strata validate`: loads every project file with every front-end and reports every problem
// found (not only the first); exit 1 if there is any.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/open_workspace.h"
#include "model/error.h"
#include "workspace/model_json.h"
#include "workspace/validate.h"

namespace strata::cli {

namespace {

int run_validate(const Globals& globals) {
  auto ws = open_workspace(globals, false);
  const workspace::ValidationReport report = workspace::validate(*ws);
  const Diagnostics& diagnostics = ws->diagnostics();
  if (globals.json) {
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& d : diagnostics.items()) problems.push_back(workspace::diagnostic_json(d));
    std::cout << nlohmann::json{{"ok", report.ok()},
                                {"root", ws->root()},
                                {"stacks", report.stacks},
                                {"components", report.components},
                                {"problems", problems}}
                     .dump(2)
              << "\n";
    return report.ok() ? 0 : 1;
  }
  for (const auto& d : diagnostics.items()) {
    std::cerr << (d.severity == Severity::kError ? "error: " : "") << d.render() << "\n";
  }
  std::cout << report.stacks << " stacks, " << report.components << " components: ";
  if (report.ok()) {
    std::cout << "ok\n";
    return 0;
  }
  std::cout << report.errors << (report.errors == 1 ? " problem\n" : " problems\n");
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

// `strata validate`: loads every project file with every front-end and reports every problem
// found (not only the first); exit 1 if there is any.
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "execute/engine_args.h"
#include "cli/open_workspace.h"
#include "model/error.h"
#include "workspace/model_json.h"
#include "workspace/validate.h"

namespace strata::cli {

namespace {

int run_validate(const Globals& globals, bool deep) {
  if (deep && globals.json) {
    throw Error("validate --deep prints what the engine says in each workdir, which is not JSON", {},
                "leave out --json, or run validate --json and strata run --all --json -- validate apart");
  }
  auto ws = open_workspace(globals, false);
  const workspace::ValidationReport report = workspace::validate(*ws);
  const Diagnostics& diagnostics = ws->diagnostics();
  if (globals.json) {
    std::cout << workspace::validation_json(report, diagnostics, ws->root()).dump(2) << "\n";
    return report.ok() ? 0 : 1;
  }
  for (const auto& d : diagnostics.items()) {
    std::cerr << (d.severity == Severity::kError ? "error: " : "") << d.render() << "\n";
  }
  std::cout << report.stacks << " stacks, " << report.components << " components: ";
  if (report.ok()) {
    std::cout << "ok\n";
    if (!deep) return 0;
    // The engine's own validate in every generated workdir, after the checks above pass.
    workspace::TargetFlags all;
    all.all = true;
    std::vector<std::string> args = with_color_choice({"validate"}, globals.use_color(stdout));
    std::cout << "\n";
    return run_over_selection(globals, *ws, all, 0, false, args);
  }
  std::cout << report.errors << (report.errors == 1 ? " problem\n" : " problems\n");
  return 1;
}
}  // namespace

void add_validate_command(CLI::App& app, Globals& globals, Action& action) {
  auto* cmd = app.add_subcommand(
      "validate", "Load every stack and settings file and report every problem found");
  auto deep = std::make_shared<bool>(false);
  cmd->add_flag("--json", globals.json, "Print a JSON object");
  cmd->add_flag("--deep", *deep,
                "Then generate every workdir and run the engine's own validate in each (needs the engine; "
                "dependencies' outputs come from their state or mock_outputs)");
  cmd->callback([&globals, &action, deep] { action = [&globals, deep] { return run_validate(globals, *deep); }; });
}

}  // namespace strata::cli

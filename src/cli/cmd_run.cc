// `strata run STACK COMPONENT -- ARGS...` (or `strata run LEAF_FOLDER -- ARGS...`, a Kompos leaf
// folder naming both): any engine command in a component's workdir, after
// generating it and running init when needed. The engine's own output is shown as it comes.
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/interrupts.h"
#include "cli/open_workspace.h"
#include "model/error.h"
#include "workspace/operations.h"
#include "workspace/targets.h"

namespace strata::cli {

namespace {

struct RunFlags {
  std::string stack, component;
  std::vector<std::string> args;
};

int run_run(const RunFlags& flags, const Globals& globals) {
  RunFlags given = flags;
  // After `--` (main() keeps those words from the flag parser): the engine command.
  given.args.insert(given.args.end(), globals.engine_args.begin(), globals.engine_args.end());
  if (given.component.empty() && given.args.empty())
    throw Error("no engine command given", {}, "example: strata run dev vpc -- state list");
  auto ws = open_workspace(globals);
  RunFlags f = given;
  // STACK COMPONENT -- ARGS, or a Kompos leaf folder (which names both) -- ARGS: CLI11 then put
  // the engine command's first word where the component goes.
  workspace::ComponentArgument target =
      workspace::parse_component_arguments(*ws, given.stack, given.component, "strata run");
  if (!target.second_used && !given.component.empty()) f.args.insert(f.args.begin(), given.component);
  if (f.args.empty()) {
    throw Error("no engine command given", {},
                "example: strata run " + given.stack + (target.second_used ? " " + given.component : "") +
                    " -- state list");
  }
  if (!target.second_used && f.args.front() == target.ref.component) {
    throw Error(given.stack + " is the leaf folder of component " + target.ref.component +
                    ": do not name the component again",
                {}, "strata run " + given.stack + " -- state list");
  }
  std::unique_ptr<Engine> engine = make_engine(globals, *ws);
  auto print = [](std::string_view line, bool is_stderr) {
    std::FILE* out = is_stderr ? stderr : stdout;
    std::fwrite(line.data(), 1, line.size(), out);
    std::fputc('\n', out);
    std::fflush(out);
  };
  Cancellation cancellation;
  InterruptScope interrupts(globals.interrupts, [&cancellation](int count) {
    cancellation.raise(count == 1 ? Cancellation::Level::kInterrupt : Cancellation::Level::kKill);
  });
  NodeOutcome outcome = workspace::run_in_component(*ws, *engine, target.ref, f.args, print, cancellation);
  if (outcome.result != NodeResult::kSucceeded) {
    std::cerr << "strata: " << outcome.message << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

void add_run_command(CLI::App& app, Globals& globals, Action& action) {
  auto flags = std::make_shared<RunFlags>();
  auto* cmd = app.add_subcommand("run", "Run any engine command in a component's workdir (after --)");
  cmd->footer(component_folder_forms(":\nstrata run LEAF_FOLDER -- ARGS..."));
  cmd->add_option("stack", flags->stack, "Stack name, its config folder, or a component's leaf folder")
      ->required();
  cmd->add_option("component", flags->component, "Component name (not after a leaf folder)");
  cmd->add_option("args", flags->args, "The engine command and its arguments, after --");
  cmd->callback([&globals, &action, flags] { action = [&globals, flags] { return run_run(*flags, globals); }; });
}

}  // namespace strata::cli

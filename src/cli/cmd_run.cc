// `strata run STACK COMPONENT -- ARGS...` (or `strata run LEAF_FOLDER -- ARGS...`, a Kompos leaf
// folder naming both): any engine command in a component's workdir, after generating it and
// running init when needed; the engine's own output is shown as it comes. Over a selection
// (`strata run --all -- validate`, `strata run dev -- validate`, `--changed`): the same command in
// every selected workdir, dependencies first and in parallel, each line prefixed with its
// component, then the summary table.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <mutex>

#include "cli/commands.h"
#include "execute/engine_args.h"
#include "cli/interrupts.h"
#include "cli/open_workspace.h"
#include "cli/run_view.h"
#include "execute/execution.h"
#include "model/error.h"
#include "workspace/operations.h"
#include "workspace/targets.h"

namespace strata::cli {

namespace {

struct RunFlags {
  workspace::TargetFlags targets;  // STACK [COMPONENT...], --all, --changed, --base, --include-deps
  int jobs = 0;
  bool fail_fast = false;
};

void print_line(std::string_view line, bool is_stderr) {
  std::FILE* out = is_stderr ? stderr : stdout;
  std::fwrite(line.data(), 1, line.size(), out);
  std::fputc('\n', out);
  std::fflush(out);
}

// One component: the engine's output as it is, and the engine's result as strata's.
int run_one(const Globals& globals, const workspace::Workspace& ws, const RunFlags& flags,
            const std::vector<std::string>& engine_args) {
  const std::vector<std::string>& words = flags.targets.words;
  const std::string second = words.size() > 1 ? words[1] : "";
  workspace::ComponentArgument target = workspace::parse_component_arguments(ws, words.front(), second, "strata run");
  if (!target.second_used && !second.empty()) {
    throw Error(words.front() + " is the leaf folder of component " + target.ref.component +
                    ": do not name the component again",
                {}, "strata run " + words.front() + " -- state list");
  }
  std::unique_ptr<Engine> engine = make_engine(globals, ws);
  Cancellation cancellation;
  InterruptScope interrupts(globals.interrupts, [&cancellation](int count) {
    cancellation.raise(count == 1 ? Cancellation::Level::kInterrupt : Cancellation::Level::kKill);
  });
  NodeOutcome outcome = workspace::run_in_component(ws, *engine, target.ref, engine_args, print_line, cancellation);
  if (outcome.result != NodeResult::kSucceeded) {
    std::cerr << "strata: " << outcome.message << "\n";
    return 1;
  }
  return 0;
}

class NoView : public EventSink {
 public:
  void on_event(const RunEvent&) override {}
};

// A selection: every line prefixed with its component ("[dev/app] Success!"), then the table.
}  // namespace

int run_over_selection(const Globals& globals, const workspace::Workspace& ws, const workspace::TargetFlags& targets,
                       int jobs, bool fail_fast, const std::vector<std::string>& engine_args) {
  std::unique_ptr<Engine> engine = make_engine(globals, ws);
  ExecuteRequest request;
  request.operation = Operation::kCustom;
  request.selection = workspace::selection_spec(ws, targets);
  request.jobs = jobs;
  request.fail_fast = fail_fast;
  request.extra_args = engine_args;
  std::mutex print_mutex;
  request.on_output = [&print_mutex](const ComponentRef& node, std::string_view line, bool is_stderr) {
    std::lock_guard<std::mutex> lock(print_mutex);
    print_line("[" + node.str() + "] " + std::string(line), is_stderr);
  };
  auto prepared = workspace::prepare_execution(ws, *engine, request);
  Execution& execution = *prepared;
  if (execution.planned_order().empty()) {
    std::cout << (targets.changed ? "nothing changed since " + targets.base + ": no components selected\n"
                                        : "nothing selected: no components match\n");
    return 0;
  }
  InterruptScope interrupts(globals.interrupts, [&execution](int count) {
    if (count == 1)
      execution.interrupt();
    else
      execution.kill_engines(std::chrono::milliseconds(0));
  });
  NoView view;
  RunRecord record = execution.run(view);
  bool color = globals.use_color(stdout);
  std::string summary =
      summary_table(record, execution.record_path().empty() ? "not saved" : execution.record_path(), color, globals.quiet);
  std::cout << (globals.quiet ? "" : "\n") << ws.redactor().redact(summary);
  if (execution.record_error()) {
    std::cout << std::flush;
    throw *execution.record_error();
  }
  if (record.interrupted) return kExitInterrupted;
  return record.succeeded() ? 0 : 1;
}

namespace {

int run_run(const RunFlags& flags, const Globals& globals) {
  if (globals.engine_args.empty()) {
    throw Error("no engine command given", {},
                "put it after --: strata run dev vpc -- state list, or strata run --all -- validate");
  }
  auto ws = open_workspace_for(globals, flags.targets);
  bool one = workspace::names_one_component(*ws, flags.targets);
  std::vector<std::string> engine_args = with_color_choice(globals.engine_args, globals.use_color(stdout));
  return one ? run_one(globals, *ws, flags, engine_args)
             : run_over_selection(globals, *ws, flags.targets, flags.jobs, flags.fail_fast, engine_args);
}

}  // namespace

void add_run_command(CLI::App& app, Globals& globals, Action& action) {
  auto flags = std::make_shared<RunFlags>();
  auto* cmd = app.add_subcommand("run", "Run any engine command in a component's workdir, or in every selected one (after --)");
  cmd->footer(component_folder_forms(":\nstrata run LEAF_FOLDER -- ARGS...") +
              "\n\nOver a selection (a stack, several components, --all, --changed), the command runs in every\n"
              "selected workdir, dependencies first and -j at once, each line prefixed with its component:\n"
              "  strata run --all -- validate\n"
              "  strata run dev -- state list");
  cmd->add_option("targets", flags->targets.words, "STACK, then optional COMPONENT names (or a leaf folder)")
      ->type_name("STACK [COMPONENT...]");
  cmd->add_flag("--all", flags->targets.all, "Every component of every stack");
  cmd->add_flag("--include-deps", flags->targets.include_deps, "Also run in what the selection depends on");
  cmd->add_flag("--changed", flags->targets.changed,
                "Components whose files changed since --base, and everything that depends on them");
  cmd->add_option("--base", flags->targets.base, "Git revision --changed compares against")->default_str("HEAD");
  cmd->add_option("-j,--jobs", flags->jobs, "Engine processes at once over a selection")->type_name("N")->check(CLI::PositiveNumber);
  cmd->add_flag("--fail-fast", flags->fail_fast, "Over a selection: stop everything at the first failure");
  cmd->callback([&globals, &action, flags] { action = [&globals, flags] { return run_run(*flags, globals); }; });
}

}  // namespace strata::cli

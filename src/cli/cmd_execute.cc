// `strata init|plan|apply|destroy|generate [STACK [COMPONENT...]] [--all]`: one engine command
// (or generation alone) over a selection of the dependency graph, dependencies first, in
// parallel. apply and destroy confirm once for the whole selection.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "base/duration.h"
#include "cli/commands.h"
#include "cli/interrupts.h"
#include "cli/open_workspace.h"
#include "cli/plan_view.h"
#include "cli/run_view.h"
#include "execute/execution.h"
#include "model/error.h"
#include "remote/state_backend.h"
#include "workspace/operations.h"
#include "workspace/orphans.h"
#include "workspace/targets.h"

namespace strata::cli {

namespace {

struct ExecuteFlags {
  workspace::TargetFlags targets;  // STACK [COMPONENT...], --all, --changed, --base, --include-deps
  int jobs = 0;
  bool fail_fast = false;
  bool auto_approve = false;
  bool detailed_exitcode = false;
  bool compact = false;
  bool plan_only_saved = false;
  std::string lock_wait;
};

// apply: what each component's saved plan will change, read from its stamp (no engine runs), or
// that it has none and is planned and applied in one step.
std::string saved_plans_text(Execution& execution, const std::vector<ComponentRef>& order, bool color) {
  std::vector<std::optional<PlanStamp>> stamps = execution.saved_plan_stamps();
  std::string out;
  for (size_t i = 0; i < order.size(); ++i) {
    const std::optional<PlanStamp>& stamp = stamps[i];
    if (!stamp) {
      out += "  " + order[i].str() + ": no saved plan: planned and applied in one step\n";
      continue;
    }
    PlanViewOptions options;
    options.color = color;
    options.show_hint = "strata show " + order[i].stack + " " + order[i].component;
    std::string title = order[i].str() + " (plan saved at " + stamp->planned_at + " UTC, applied if nothing changed since)";
    std::string text = render_plan(title, stamp->changes.value_or(PlanChanges{}), {}, options);
    for (size_t start = 0; start < text.size();) {
      size_t end = text.find('\n', start);
      out += "  " + text.substr(start, end - start) + "\n";
      start = end == std::string::npos ? text.size() : end + 1;
    }
  }
  return out;
}

bool confirm(Operation op, const std::vector<ComponentRef>& order, Execution& execution, bool color,
             const Redactor& redactor) {
  std::cout << "strata will " << operation_name(op) << " " << order.size() << " component"
            << (order.size() == 1 ? "" : "s") << ", in this order:\n";
  if (op == Operation::kApply) {
    std::cout << redactor.redact(saved_plans_text(execution, order, color));
  } else {
    for (const auto& r : order) std::cout << "  " << r.str() << "\n";
  }
  if (!::isatty(STDIN_FILENO)) {
    throw Error(std::string("refusing to ") + operation_name(op) + " without a terminal to confirm on", {},
                "pass --auto-approve to " + std::string(operation_name(op)) + " without asking");
  }
  std::cout << "Do you want to " << operation_name(op) << "? Only 'yes' will be accepted: " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "yes";
}

int run_execute(Operation op, const ExecuteFlags& flags, const Globals& globals) {
  auto ws = open_workspace_for(globals, flags.targets);
  std::unique_ptr<Engine> engine = make_engine(globals, *ws, op);

  ExecuteRequest request;
  request.operation = op;
  request.selection = workspace::selection_spec(*ws, flags.targets);
  request.jobs = flags.jobs;
  request.fail_fast = flags.fail_fast;
  request.extra_args = globals.engine_args;  // after --; checked by the execution
  if (flags.plan_only_saved) request.saved_plans = SavedPlans::kRequire;
  request.lock_holder = remote::state_lock_holder(*ws);
  if (!flags.lock_wait.empty()) request.lock_wait = parse_duration(flags.lock_wait).value_or(std::chrono::milliseconds(0));
  if (flags.detailed_exitcode && op != Operation::kPlan) throw Error("--detailed-exitcode goes with plan only");

  auto prepared = workspace::prepare_execution(*ws, *engine, request);
  Execution& execution = *prepared;
  std::vector<ComponentRef> order = execution.planned_order();
  if (order.empty()) {
    // Nothing to do is a success; --changed says it looked, so CI logs show why nothing ran.
    if (flags.targets.changed) {
      std::cout << "nothing changed since " << flags.targets.base << ": no components selected\n";
    } else {
      std::cout << "nothing selected: no components match\n";
    }
    return 0;
  }
  for (const std::string& warning : workspace::orphan_warnings(*ws, op)) std::cerr << "warning: " << warning << "\n";
  bool color = globals.use_color(stdout);
  if ((op == Operation::kApply || op == Operation::kDestroy) && !flags.auto_approve) {
    if (!confirm(op, order, execution, color, ws->redactor())) {
      std::cout << operation_name(op) << " cancelled.\n";
      return 1;
    }
  }

  ViewKind view_kind = choose_view(globals.json, stdout);
  InterruptScope interrupts(globals.interrupts, [&execution](int count) {
    // A second Ctrl-C kills engines only after a short grace: one that is writing its state
    // then finishes (a kill at once cut state files); a third kills at once.
    constexpr auto kGrace = std::chrono::seconds(3);
    if (count == 1) {
      std::fprintf(stderr,
                   "\ninterrupting: running engines were sent SIGINT and stop at a safe point after writing "
                   "their state (Ctrl-C again to kill them)\n");
      execution.interrupt();
    } else if (count == 2) {
      std::fprintf(stderr,
                   "\nkilling the engines still running in %lld s, so that one writing its state can finish "
                   "(Ctrl-C again to kill them now; a killed engine may lose what it was saving)\n",
                   static_cast<long long>(kGrace.count()));
      execution.kill_engines(kGrace);
    } else {
      std::fprintf(stderr, "\nkilling the running engines now\n");
      execution.kill_engines(std::chrono::milliseconds(0));
    }
  });
  RunRecord record;
  {
    auto view = make_run_view(view_kind, stdout, color, globals.quiet ? -1 : globals.verbose,
                              &ws->redactor());
    record = execution.run(*view);
  }
  if (view_kind != ViewKind::kJson) {
    // Under -q nothing was printed before: no blank line to separate the summary from.
    std::string summary = summary_table(record, execution.record_path().empty() ? "not saved" : execution.record_path(),
                                        color, globals.quiet);
    // What each plan changes (or, for apply and destroy, the engine's warnings) above the
    // table; --compact keeps the table alone, one line per component.
    std::string details = flags.compact || globals.quiet ? "" : plan_details(record, color);
    if (!details.empty()) summary = details + "\n" + summary;
    if (flags.compact) summary += warnings_note(record);
    if (globals.quiet) {
      while (!summary.empty() && summary.front() == '\n') summary.erase(0, 1);
    } else {
      std::cout << "\n";
    }
    std::cout << ws->redactor().redact(summary);
  }
  if (execution.record_error()) {
    std::cout << std::flush;
    throw *execution.record_error();  // after the summary: exit 1, saying why
  }
  if (record.interrupted) return kExitInterrupted;  // as a shell reports a job Ctrl-C stopped
  if (!record.succeeded()) return 1;
  if (flags.detailed_exitcode) {
    for (const auto& n : record.nodes)
      if (n.changes.any()) return 2;
  }
  return 0;
}

void add_execute_command(CLI::App& app, Globals& globals, Action& action, Operation op, const std::string& help) {
  auto flags = std::make_shared<ExecuteFlags>();
  auto* cmd = app.add_subcommand(operation_name(op), help);
  if (op != Operation::kGenerate) {
    cmd->footer(std::string("Engine flags: everything after -- goes to the engine's ") + operation_name(op) +
                " for every selected component, after\nstrata's own (which are never given twice):\n" +
                (op == Operation::kInit ? "  strata init --all -- -upgrade"
                 : op == Operation::kApply
                     ? "  strata apply dev app -- -replace=terraform_data.x"
                     : "  strata " + std::string(operation_name(op)) +
                           " dev -- -target=terraform_data.x -var=n=2 -refresh=false -lock-timeout=30s") +
                "\nFlags that would change how strata drives the engine (-out, -json=false, -input=true,\n"
                "-chdir) are refused before anything runs, saying what to use instead.");
  }
  cmd->add_option("targets", flags->targets.words, "STACK, then optional COMPONENT names")->type_name("STACK [COMPONENT...]");
  cmd->add_flag("--all", flags->targets.all, "Select every component of every stack");
  cmd->add_flag("--include-deps", flags->targets.include_deps, "Also run what the selection depends on");
  cmd->add_flag("--changed", flags->targets.changed,
                "Select components whose files changed since --base, and everything that depends on them");
  cmd->add_option("--base", flags->targets.base, "Git revision --changed compares against")->default_str("HEAD");
  cmd->add_option("-j,--jobs", flags->jobs, "Engine processes at once (default: strata.yaml parallelism, else cores)")
      ->type_name("N")
      ->check(CLI::Validator(
          [](std::string& value) -> std::string {
            try {
              size_t used = 0;
              if (std::stoi(value, &used) >= 1 && used == value.size()) return "";
            } catch (const std::exception&) {
            }
            return "must be a whole number of engine processes, at least 1, not \"" + value + "\"";
          },
          "N>=1"));
  cmd->add_flag("--fail-fast", flags->fail_fast, "Stop everything at the first failure");
  cmd->add_option("--lock-wait", flags->lock_wait,
                  "How long to wait for a workdir that another strata is using (30s, 5m; default 0: fail at "
                  "once, naming the holder). Not the engine's -lock-timeout for its state, which goes after --")
      ->type_name("DURATION")
      ->check(CLI::Validator(
          [](std::string& value) -> std::string {
            if (parse_duration(value)) return "";
            return "'" + value + "' is not a duration: write it as Go and Terraform do (30s, 5m, 1h30m, 500ms, 0)";
          },
          "DURATION"));
  cmd->add_flag("--json", globals.json, "Print one JSON event per line");
  if (op == Operation::kApply || op == Operation::kDestroy) {
    cmd->add_flag("--auto-approve", flags->auto_approve, "Do not ask for confirmation");
  }
  if (op == Operation::kApply) {
    cmd->add_flag("--plan-only-saved", flags->plan_only_saved,
                  "Apply only the plans `strata plan` saved, unchanged since: a component without one fails "
                  "instead of being planned afresh");
    cmd->footer(cmd->get_footer() +
                "\n\nSaved plans: apply applies the plan `strata plan` saved for a component when nothing it was\n"
                "made from changed since (generated files and inputs, secrets, TF_VAR_ variables, the stack's\n"
                "env, the local state, the engine, the flags after --), and says so; otherwise it plans afresh\n"
                "and says why. --plan-only-saved refuses instead. The confirmation lists each saved plan's changes.");
  }
  if (op != Operation::kGenerate && op != Operation::kInit) {
    cmd->add_flag("--compact", flags->compact,
                  "One summary line per component: leave out what each plan changes and the engine's warnings "
                  "(`strata show` prints a saved plan later)");
  }
  if (op == Operation::kPlan) {
    cmd->add_flag("--detailed-exitcode", flags->detailed_exitcode, "Exit 2 when any component has changes");
  }
  cmd->callback([&globals, &action, flags, op] {
    action = [&globals, flags, op] { return run_execute(op, *flags, globals); };
  });
}

}  // namespace

void add_execute_commands(CLI::App& app, Globals& globals, Action& action) {
  add_execute_command(app, globals, action, Operation::kGenerate,
                      "Write the workdirs of the selection without running the engine");
  add_execute_command(app, globals, action, Operation::kInit, "Run init in the workdirs of the selection");
  add_execute_command(app, globals, action, Operation::kPlan, "Plan the selection, dependencies first, in parallel");
  add_execute_command(app, globals, action, Operation::kApply, "Apply the selection, dependencies first, in parallel");
  add_execute_command(app, globals, action, Operation::kDestroy,
                      "Destroy the selection, dependents first, in parallel");
}

}  // namespace strata::cli

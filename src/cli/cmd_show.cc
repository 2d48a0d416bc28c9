// `strata show STACK [COMPONENT...]` (or a Kompos leaf folder): what the plans the last
// `strata plan` saved will do, read from the plan files (`show -json`), every resource with the
// attributes it sets or changes, sensitive values masked. A component without a saved plan is
// named as such; none at all is an error saying what to run.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/open_workspace.h"
#include "cli/plan_view.h"
#include "model/error.h"
#include "run/run_event.h"
#include "workspace/model_json.h"
#include "workspace/operations.h"
#include "workspace/targets.h"

namespace strata::cli {

namespace {

struct ShowFlags {
  std::vector<std::string> words;  // STACK [COMPONENT...]
};

int run_show(const ShowFlags& flags, const Globals& globals) {
  auto ws = open_workspace(globals);
  const std::vector<ComponentRef> refs = workspace::named_components(*ws, flags.words);
  std::unique_ptr<Engine> engine = make_engine(globals, *ws);
  bool color = globals.use_color(stdout);
  nlohmann::json shown = nlohmann::json::array();
  std::string text;
  if (refs.empty()) throw Error("no saved plan in stack " + flags.words.front(), {}, "run `strata plan " + flags.words.front() + "` first");
  workspace::SavedPlans plans = workspace::saved_plans(*ws, *engine, refs);
  const std::vector<std::string>& missing = plans.missing;
  for (const auto& [ref, saved] : plans.found) {
    if (globals.json) {
      shown.push_back(workspace::saved_plan_json(ref, saved.path, saved.changes));
    } else {
      PlanViewOptions options;
      options.color = color;
      options.full = true;
      text += (text.empty() ? "" : "\n") + render_plan(ref.str(), saved.changes, {}, options);
    }
  }
  if (globals.json) {
    std::cout << ws->redactor().redact(shown.dump(2)) << "\n";
    return 0;
  }
  if (!missing.empty()) {
    text += "\nno saved plan (not planned, or applied since): ";
    for (size_t i = 0; i < missing.size(); ++i) text += (i ? ", " : "") + missing[i];
    text += "\n";
  }
  std::cout << ws->redactor().redact(text);
  return 0;
}

}  // namespace

void add_show_command(CLI::App& app, Globals& globals, Action& action) {
  auto flags = std::make_shared<ShowFlags>();
  auto* cmd = app.add_subcommand("show", "Show what the plans `strata plan` saved will change");
  cmd->footer(
      "Reads the plan files the last `strata plan` kept (apply and destroy remove them): each\n"
      "resource by action, with the attributes a create sets and an update or replacement\n"
      "changes. Values the engine marks sensitive, and strata's secrets, are masked.\n" +
      component_folder_forms("."));
  cmd->add_option("targets", flags->words, "STACK, then optional COMPONENT names")
      ->type_name("STACK [COMPONENT...]")
      ->required();
  cmd->add_flag("--json", globals.json, "Print JSON: [{stack, component, plan_file, plan: {resources, outputs}}]");
  cmd->callback([&globals, &action, flags] { action = [&globals, flags] { return run_show(*flags, globals); }; });
}

}  // namespace strata::cli

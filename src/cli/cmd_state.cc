// `strata state orphans` and `strata state mv FROM TO`: state left in the work dir by components
// no stack declares any more (renamed or removed), listed and moved to a component's new name.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "workspace/model_json.h"
#include "cli/open_workspace.h"
#include "workspace/orphans.h"

namespace strata::cli {

namespace {

int run_orphans(const Globals& globals) {
  auto ws = open_workspace(globals);
  std::vector<workspace::StateOrphan> orphans = workspace::find_state_orphans(ws->project());
  if (globals.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& o : orphans) out.push_back(workspace::orphan_json(o));
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  if (orphans.empty()) {
    std::cout << "no orphaned state: every workdir with state belongs to a declared component\n";
    return 0;
  }
  for (const auto& o : orphans) std::cout << workspace::describe_orphan(o) << "\n";
  return 0;
}

int run_mv(const std::string& from, const std::string& to, const Globals& globals) {
  auto ws = open_workspace(globals);
  for (const auto& f : workspace::move_orphan_state(ws->project(), from, to)) std::cout << "moved to " << f << "\n";
  std::cout << "the state of " << from << " is now " << to << "'s: `strata plan " << to.substr(0, to.rfind('/'))
            << " " << to.substr(to.rfind('/') + 1) << "` shows what differs\n";
  return 0;
}

}  // namespace

void add_state_command(CLI::App& app, Globals& globals, Action& action) {
  auto* cmd = app.add_subcommand("state", "State a component left behind when it was renamed or removed");
  cmd->require_subcommand(1);
  cmd->footer(
      "A workdir under the work dir that holds state (or was initialised with a remote backend) for a\n"
      "component no stack declares any more is an orphan: validate, plan, apply and destroy warn about\n"
      "it. Engine commands on a declared component's state: strata run STACK COMPONENT -- state list");
  auto* orphans = cmd->add_subcommand("orphans", "List state of components no stack declares any more");
  orphans->add_flag("--json", globals.json, "Print a JSON array");
  orphans->callback([&globals, &action] { action = [&globals] { return run_orphans(globals); }; });
  auto names = std::make_shared<std::pair<std::string, std::string>>();
  auto* mv = cmd->add_subcommand("mv", "Move an orphan's local state to a declared component (a renamed one)");
  mv->add_option("from", names->first, "The orphan, STACK/COMPONENT as its folder names it")->required();
  mv->add_option("to", names->second, "The declared component, STACK/COMPONENT; it must hold no state yet")->required();
  mv->callback([&globals, &action, names] {
    action = [&globals, names] { return run_mv(names->first, names->second, globals); };
  });
}

}  // namespace strata::cli

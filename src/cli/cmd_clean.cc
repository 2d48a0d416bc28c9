// `strata clean [STACK...]`: removes generated workdirs, keeping every state file, and says what
// it kept.
#include <iostream>

#include "cli/commands.h"
#include "cli/open_workspace.h"
#include "model/error.h"
#include "workspace/operations.h"
#include "workspace/targets.h"

namespace strata::cli {

namespace {

int run_clean(const std::vector<std::string>& arguments, const Globals& globals) {
  auto ws = open_workspace(globals);
  // A Kompos config folder names its stack; no argument means every stack.
  workspace::CleanSummary r = workspace::clean_stacks(*ws, workspace::named_stacks(*ws, arguments));
  if (!globals.quiet)
    for (const auto& k : r.kept) std::cout << "kept " << k << "\n";
  std::cout << "removed " << r.removed << " generated files and folders; kept " << r.kept.size() << " state file"
            << (r.kept.size() == 1 ? "" : "s") << "\n";
  return 0;
}

}  // namespace

void add_clean_command(CLI::App& app, Globals& globals, Action& action) {
  auto stacks = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("clean", "Remove generated workdirs, keeping every state file");
  cmd->add_option("stacks", *stacks, "Only these stacks (default: all)");
  cmd->callback([&globals, &action, stacks] { action = [&globals, stacks] { return run_clean(*stacks, globals); }; });
}

}  // namespace strata::cli

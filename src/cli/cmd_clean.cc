// `strata clean [STACK...]`: removes generated workdirs, keeping every state file, and says what
// it kept.
#include <algorithm>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/project_context.h"
#include "generate/clean.h"
#include "model/error.h"

namespace strata::cli {

namespace {

int run_clean(const std::vector<std::string>& arguments, const Globals& globals) {
  auto session = open_project(globals);
  config::LoadedProject& loaded = session->loaded;
  const Project& project = loaded.project;
  std::vector<std::string> stacks;  // a Kompos config folder names its stack
  for (const auto& a : arguments) {
    stacks.push_back(stack_name_from_argument(project, a));
    if (!project.find_stack(stacks.back())) throw unknown_stack(project, a);
  }
  std::string work_root = project.root + "/" + project.settings.work_dir;
  size_t removed = 0, kept = 0;
  for (const auto& [name, stack] : project.stacks) {
    if (!stacks.empty() && std::find(stacks.begin(), stacks.end(), name) == stacks.end()) continue;
    for (const auto& c : stack.components) {
      std::string display = name + "/" + c.name;
      CleanResult r = clean_workdir(work_root + "/" + display, display);
      removed += r.removed.size();
      kept += r.kept.size();
      for (const auto& k : r.kept) {
        if (!globals.quiet) std::cout << "kept " << project.settings.work_dir << "/" << display << "/" << k << "\n";
      }
    }
  }
  std::cout << "removed " << removed << " generated files and folders; kept " << kept << " state file"
            << (kept == 1 ? "" : "s") << "\n";
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

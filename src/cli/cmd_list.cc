// `strata list [STACK]`: the stacks and components a project declares, with module sources,
// dependencies and where each was declared.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/open_workspace.h"
#include "model/error.h"
#include "workspace/model_json.h"
#include "workspace/targets.h"

namespace strata::cli {

namespace {

void print_stack(const Stack& s) {
  std::cout << s.name << "  (" << s.origin.str() << ")";
  if (!s.backend.type.empty()) std::cout << "  backend: " << s.backend.type;
  std::cout << "\n";
  size_t name_width = 0, source_width = 0;
  for (const auto& c : s.components) {
    name_width = std::max(name_width, c.name.size());
    source_width = std::max(source_width, c.source.size());
  }
  for (const auto& c : s.components) {
    std::cout << "  " << c.name << std::string(name_width - c.name.size() + 2, ' ') << c.source
              << std::string(source_width - c.source.size() + 2, ' ');
    if (!c.depends_on.empty()) {
      std::cout << "after ";
      for (size_t i = 0; i < c.depends_on.size(); ++i) {
        const auto& d = c.depends_on[i];
        std::cout << (i ? ", " : "") << (d.stack == s.name ? d.component : d.str());
      }
      std::cout << "  ";
    }
    std::cout << "(" << c.origin.str() << ")\n";
  }
}

}  // namespace

void add_list_command(CLI::App& app, Globals& globals, Action& action) {
  auto* cmd =
      app.add_subcommand("list", "List stacks and their components, sources and dependencies");
  auto stack = std::make_shared<std::string>();
  cmd->add_option("STACK", *stack, "Only this stack");
  cmd->add_flag("--json", globals.json, "Print a JSON object");
  cmd->callback([&globals, &action, stack] {
    action = [&globals, stack] {
      auto ws = open_workspace(globals);
      const Project& project = ws->project();
      auto stacks = workspace::named_stacks(*ws, stack->empty() ? std::vector<std::string>{}
                                                                : std::vector<std::string>{*stack});
      if (globals.json) {
        std::cout << workspace::listing_json(project.root, stacks).dump(2) << "\n";
        return 0;
      }
      if (stacks.empty()) {
        std::cout << "no stacks found under " << project.settings.stacks_dir << "/\n";
        return 0;
      }
      for (const Stack* s : stacks) print_stack(*s);
      return 0;
    };
  });
}

}  // namespace strata::cli

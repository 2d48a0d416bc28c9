// `strata new [--js] DIR`: a small working project to start from (scaffold/starter_project.h).
#include <iostream>

#include "cli/commands.h"
#include "scaffold/starter_project.h"

namespace strata::cli {

void add_new_command(CLI::App& app, Globals& globals, Action& action) {
  auto dir = std::make_shared<std::string>();
  auto js = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("new", "Start a project in DIR: settings, a module and two stacks that plan at once");
  cmd->add_option("DIR", *dir, "A new or empty folder")->required();
  cmd->add_flag("--js", *js, "Stacks as JavaScript stack files under stacks/ (Comet; the default)");
  // The callback owns `js` as well: CLI11 writes --js through the pointer after this returns
  // (a dangling pointer here crashed `strata new --js`).
  cmd->callback([&globals, &action, dir, js] {
    (void)js;
    action = [&globals, dir] {
      auto files = scaffold::write_starter_project(*dir, scaffold::StackFormat::kJs);
      if (!globals.quiet) {
        std::cout << "created " << *dir << "/\n";
        for (const auto& f : files) std::cout << "  " << f.path << "\n";
        std::cout << "next:\n  cd " << *dir << "\n  strata list\n  strata plan --all\n";
      }
      return 0;
    };
  });
}

}  // namespace strata::cli

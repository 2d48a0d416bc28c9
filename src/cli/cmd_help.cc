// `strata help [COMMAND...]`: the --help of strata or of one command, where users of git and
// go look for it.
#include <iostream>

#include "cli/commands.h"
#include "cli/help_footer.h"

namespace strata::cli {

void add_help_command(CLI::App& app, Globals&, Action& action) {
  auto words = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("help", "Show the help of strata or of one command");
  cmd->add_option("command", *words, "A command (and its subcommand: secrets decrypt)")->type_name("COMMAND");
  cmd->callback([&app, &action, words] {
    action = [&app, words]() -> int {
      const CLI::App* target = &app;
      std::string path;
      for (const auto& w : *words) {
        const CLI::App* sub = nullptr;
        for (const auto* s : target->get_subcommands([](const CLI::App*) { return true; }))
          if (s->get_name() == w && !s->get_group().empty()) sub = s;
        path += (path.empty() ? "" : " ") + w;
        if (!sub) {
          std::cerr << "strata: unknown command \"" << path << "\"\n";
          std::vector<std::string> names;
          for (const auto* s : target->get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); }))
            names.push_back(s->get_name());
          if (auto hit = closest_match(w, names); !hit.empty()) std::cerr << "  did you mean \"" << hit << "\"?\n";
          std::cerr << "Run 'strata --help' for the list of commands.\n";
          return kExitUsage;
        }
        target = sub;
      }
      // Not target->help(): that shows the selected subcommand's help, and `help` is selected.
      std::cout << target->get_formatter()->make_help(target, "strata" + (path.empty() ? "" : " " + path),
                                                       CLI::AppFormatMode::Normal);
      return 0;
    };
  });
}

}  // namespace strata::cli

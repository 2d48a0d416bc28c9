// strata's entry point: global flags, the command table, and the one place where errors
// become messages and exit codes (0 ok, 1 failure, 64 usage error; 2 only for plan
// --detailed-exitcode's "changes present").
#include <unistd.h>

#include <iostream>
#include <cerrno>
#include <cstring>
#include <set>
#include <regex>

#include <CLI/CLI.hpp>

#include "base/supervisor.h"
#include "cli/commands.h"
#include "cli/help_footer.h"
#include "cli/interrupts.h"
#include "model/error.h"

namespace {

using strata::cli::closest_match;
using strata::cli::kExitUsage;

// The commands --help lists (hidden ones are in no group).
std::vector<std::string> subcommand_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const auto* sub : app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); })) {
    names.push_back(sub->get_name());
  }
  return names;
}

std::vector<std::string> option_names(const CLI::App* app) {
  std::vector<std::string> names;
  for (const auto* opt : app->get_options()) {
    for (const auto& l : opt->get_lnames()) names.push_back("--" + l);
    for (const auto& s : opt->get_snames()) names.push_back("-" + s);
  }
  return names;
}

// The deepest subcommand that was parsed, for suggesting its flags.
const CLI::App* deepest_parsed(const CLI::App& app) {
  const CLI::App* cur = &app;
  for (;;) {
    auto subs = cur->get_subcommands();
    if (subs.empty()) return cur;
    cur = subs.front();
  }
}

// "strata plan", for naming a command's own --help.
std::string command_line_of(const CLI::App* app) {
  std::string words;
  for (const CLI::App* cur = app; cur != nullptr; cur = cur->get_parent())
    words = cur->get_name() + (words.empty() ? "" : " ") + words;
  return words;
}

int usage_error(const CLI::App& app, const std::string& message) {
  std::cerr << "strata: " << message << "\n";
  const CLI::App* where = deepest_parsed(app);
  // Suggest a command or a flag for the words CLI11 could not place.
  std::smatch m;
  std::regex extras_re("not expected: (.*)");
  std::string text = message;
  if (std::regex_search(text, m, extras_re)) {
    std::string extras = m[1];
    std::string first = extras.substr(0, extras.find(' '));
    if (!first.empty() && first[0] == '-') {
      std::string flag = first.substr(0, first.find('='));
      auto hit = closest_match(flag, option_names(where));
      if (!hit.empty()) std::cerr << "  did you mean " << hit << "?\n";
    } else if (where == &app) {
      auto hit = closest_match(first, subcommand_names(app));
      if (!hit.empty()) std::cerr << "  did you mean \"strata " << hit << "\"?\n";
    }
  }
  if (where == &app) {
    std::cerr << "Run 'strata --help' for the list of commands.\n";
  } else {
    std::cerr << "Run '" << command_line_of(where) << " --help' for its usage.\n";
  }
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  // The engine supervisor (base/supervisor.h), where strata-supervise is missing.
  if (argc > 1 && std::strcmp(argv[1], strata::kSuperviseCommand) == 0) return strata::run_supervisor(argc, argv);
  // First of all, before any thread exists: every thread inherits the blocked signal mask, so
  // Ctrl-C always reaches the handler thread and never kills strata while engines run.
  strata::cli::InterruptHandler interrupts;
  CLI::App app{
      "strata runs OpenTofu/Terraform across many stacks and components: in dependency order, in\n"
      "parallel, with secrets kept off disk and cross-stack values passed safely.",
      "strata"};
  app.require_subcommand(1);
  app.fallthrough();
  app.set_version_flag("-V,--version", strata::cli::version_line(), "Print strata's version and exit");

  strata::cli::Globals globals;
  globals.interrupts = &interrupts;
  app.add_option("-C,--directory", globals.dir, "Run as if strata was started in DIR")->type_name("DIR");
  app.add_flag("-v,--verbose", globals.verbose, "More detail (repeat for more)");
  app.add_flag("-q,--quiet", globals.quiet, "Only errors and results");
  app.add_option("--color", globals.color, "Colour output: auto, always or never (NO_COLOR is honoured)")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_option("--engine", globals.engine, "Engine binary to run (default: tofu, then terraform)")
      ->type_name("PATH");

  strata::cli::Action action;
  strata::cli::register_commands(app, globals, action);
  strata::cli::add_help_footers(app);

  // Everything after the first `--` is the engine's (strata plan dev -- -target=ADDR): CLI11
  // never sees it, so it cannot be taken for a component name or a flag of strata's.
  int strata_argc = argc;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) {
      strata_argc = i;
      globals.engine_args_given = true;
      globals.engine_args.assign(argv + i + 1, argv + argc);
      break;
    }
  }
  try {
    app.parse(strata_argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::RequiredError& e) {
    if (app.get_subcommands().empty() && argc > 1) {
      // A word that is not a command ends up here when no command was given.
      std::string word;
      for (int i = 1; i < argc; ++i) {
        if (argv[i][0] != '-') { word = argv[i]; break; }
      }
      std::cerr << "strata: unknown command \"" << word << "\"\n";
      auto hit = closest_match(word, subcommand_names(app));
      if (!hit.empty()) std::cerr << "  did you mean \"strata " << hit << "\"?\n";
      std::cerr << "Run 'strata --help' for the list of commands.\n";
      return kExitUsage;
    }
    return usage_error(app, e.what());
  } catch (const CLI::ParseError& e) {
    return usage_error(app, e.what());
  }

  if (globals.engine_args_given) {
    static const std::set<std::string> kTakesEngineArgs = {"init", "plan", "apply", "destroy", "run",
                                                              "__complete"};
    const auto subcommands = app.get_subcommands();
    std::string name = subcommands.empty() ? "" : subcommands.front()->get_name();
    if (!kTakesEngineArgs.count(name)) {
      return usage_error(app, "strata " + name + " takes no engine arguments after --; init, plan, apply, "
                              "destroy and run do (strata plan dev -- -target=ADDR)");
    }
  }
  if (!globals.dir.empty() && ::chdir(globals.dir.c_str()) != 0) {
    std::cerr << "strata: cannot change to directory \"" << globals.dir << "\": " << std::strerror(errno) << "\n";
    return kExitUsage;
  }
  try {
    return action ? action() : 0;
  } catch (const strata::Error& e) {
    if (e.kind() == strata::ErrorKind::kInternal) {
      std::cerr << "internal error: " << e.render() << "\n  hint: this is a bug in strata; please report it\n";
    } else {
      std::cerr << "error: " << e.render() << "\n";
    }
    return strata::exit_code(e.kind());
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n  hint: this is a bug in strata; please report it\n";
    return strata::exit_code(strata::ErrorKind::kInternal);
  }
}

// `strata completion bash|zsh|fish`: a completion script for the shell. The scripts are small
// and ask strata itself for the candidates (`strata __complete -- WORDS...`, hidden), so they
// know every command and flag of this binary and the stacks and components of the project in
// the current folder.
#include <iostream>
#include <map>
#include <string_view>

#include "cli/commands.h"
#include "cli/open_workspace.h"
#include "workspace/targets.h"

namespace strata::cli {

namespace {

constexpr std::string_view kBashScript = R"sh(# bash completion for strata (written by `strata completion bash`)
_strata() {
  local IFS=$'\n'
  COMPREPLY=($(strata __complete -- "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _strata strata
)sh";

constexpr std::string_view kZshScript = R"sh(#compdef strata
# zsh completion for strata (written by `strata completion zsh`)
_strata() {
  local -a candidates
  candidates=("${(@f)$(strata __complete -- "${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if (( ${#candidates} )) && [[ -n ${candidates[1]} ]]; then
    compadd -Q -a candidates
  else
    _files
  fi
}
if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then
  _strata "$@"
else
  compdef _strata strata
fi
)sh";

constexpr std::string_view kFishScript = R"sh(# fish completion for strata (written by `strata completion fish`)
function __strata_complete
    set -l words (commandline -opc) (commandline -ct)
    strata __complete -- $words[2..-1] 2>/dev/null
end
complete -c strata -f -a '(__strata_complete)'
)sh";

const std::map<std::string, std::string_view, std::less<>>& scripts() {
  static const std::map<std::string, std::string_view, std::less<>> all = {
      {"bash", kBashScript}, {"zsh", kZshScript}, {"fish", kFishScript}};
  return all;
}

// Commands whose positionals name stacks: how many of them are a stack before the rest name
// components of it (0 = every positional is a stack).
const std::map<std::string, size_t, std::less<>>& stack_positionals() {
  static const std::map<std::string, size_t, std::less<>> table = {
      {"list", 1},     {"describe", 1}, {"generate", 1}, {"init", 1},  {"plan", 1},  {"apply", 1},
      {"destroy", 1},  {"output", 1},   {"run", 1},      {"graph", 0}, {"clean", 0},
  };
  return table;
}

bool listed(const CLI::App* app) { return !app->get_group().empty(); }

// The listed subcommand of `app` named `name`, or null.
const CLI::App* listed_subcommand(const CLI::App* app, const std::string& name) {
  for (const auto* sub : app->get_subcommands(listed))
    if (sub->get_name() == name) return sub;
  return nullptr;
}

const CLI::Option* find_flag(const CLI::App* app, const std::string& word) {
  for (const CLI::App* cur = app; cur != nullptr; cur = cur->get_parent()) {
    for (const auto* opt : cur->get_options()) {
      if (!opt->nonpositional()) continue;
      for (const auto& l : opt->get_lnames()) if (word == "--" + l) return opt;
      for (const auto& s : opt->get_snames()) if (word == "-" + s) return opt;
    }
  }
  return nullptr;
}

// Stack names, or the components of `stack`, of the project in the current folder; nothing
// when there is no project or it does not load.
std::vector<std::string> project_names(const Globals& globals, const std::string* stack) {
  std::vector<std::string> out;
  try {
    Globals quiet = globals;
    quiet.quiet = true;
    out = workspace::target_names(*open_workspace(quiet, false), stack);
  } catch (const std::exception&) {
  }
  return out;
}

// The candidates for the last of `words` (the words after `strata`, the last one being typed).
std::vector<std::string> candidates(const CLI::App& app, const std::vector<std::string>& words,
                                    const Globals& globals) {
  const CLI::App* cur = &app;
  std::vector<std::string> positionals;
  const std::string typed = words.empty() ? "" : words.back();
  bool value_expected = false;
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    const std::string& w = words[i];
    if (value_expected) {
      value_expected = false;
      continue;
    }
    if (w.starts_with("-")) {
      const CLI::Option* opt = find_flag(cur, w.substr(0, w.find('=')));
      value_expected = opt && opt->get_expected_max() > 0 && w.find('=') == std::string::npos;
      continue;
    }
    if (positionals.empty()) {
      if (const CLI::App* sub = listed_subcommand(cur, w)) {
        cur = sub;
        continue;
      }
    }
    positionals.push_back(w);
  }
  std::vector<std::string> out;
  if (value_expected) return out;  // a flag's value: the shell's own (file) completion
  if (typed.starts_with("-")) {
    for (const CLI::App* a = cur; a != nullptr; a = a->get_parent()) {
      for (const auto* opt : a->get_options()) {
        for (const auto& l : opt->get_lnames()) out.push_back("--" + l);
      }
    }
  } else {
    if (positionals.empty()) {
      for (const auto* sub : cur->get_subcommands(listed))
        out.push_back(sub->get_name());
    }
    const std::string name = cur->get_name();
    if (name == "completion" && positionals.empty()) {
      for (const auto& [shell, _] : scripts()) out.push_back(shell);
    } else if (name == "help" && cur->get_parent() == &app) {
      const CLI::App* target = &app;
      for (const auto& p : positionals) {
        target = listed_subcommand(target, p);
        if (!target) return {};
      }
      for (const auto* sub : target->get_subcommands(listed))
        out.push_back(sub->get_name());
    } else if (auto it = stack_positionals().find(name); it != stack_positionals().end() && cur->get_parent() == &app) {
      if (it->second == 0 || positionals.size() < it->second) {
        out = project_names(globals, nullptr);
      } else if (name != "list") {
        out = project_names(globals, &positionals.front());
      }
    }
  }
  std::vector<std::string> matching;
  for (auto& c : out)
    if (c.starts_with(typed)) matching.push_back(std::move(c));
  return matching;
}

}  // namespace

void add_completion_command(CLI::App& app, Globals& globals, Action& action) {
  auto shell = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("completion", "Print a completion script for bash, zsh or fish");
  cmd->add_option("SHELL", *shell, "bash, zsh or fish")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
  cmd->footer(
      "Load it for this shell:  source <(strata completion bash)   (zsh: the same with zsh;\n"
      "fish: strata completion fish | source). Installed packages put the scripts where each\n"
      "shell finds them. Completes commands, flags, and the stacks and components of the project\n"
      "in the current folder.");
  cmd->callback([&action, shell] {
    action = [shell] {
      std::cout << scripts().at(*shell);
      return 0;
    };
  });

  auto words = std::make_shared<std::vector<std::string>>();
  auto* complete = app.add_subcommand("__complete", "Completion candidates for the words after strata");
  complete->group("");  // hidden: the completion scripts call it
  complete->add_option("words", *words);
  complete->callback([&app, &globals, &action, words] {
    action = [&app, &globals, words] {
      // The scripts pass the words after `--`, which main() keeps from the flag parser.
      std::vector<std::string> all = *words;
      all.insert(all.end(), globals.engine_args.begin(), globals.engine_args.end());
      for (const auto& c : candidates(app, all, globals)) std::cout << c << "\n";
      return 0;
    };
  });
}

}  // namespace strata::cli

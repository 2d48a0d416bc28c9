// `strata remote vars …` and `strata remote keys add`: a repository's variable set on a strata
// server (#22) — the environment its activities run with, per repository or per stack: cloud
// credentials for modules, and the age identity stack files' secrets() need (SOPS_AGE_KEY).
// Values are read from --value, a file or standard input (so a secret stays out of the shell's
// history); the server keeps them sealed and never shows a sensitive one again.
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/atomic_file.h"
#include "cli/commands.h"
#include "cli/remote_view.h"
#include "model/error.h"

namespace strata::cli {

namespace {

struct VarFlags {
  std::vector<std::string> where;  // REPO [STACK] NAME, or REPO [STACK] for keys add
  std::string value;
  std::string value_file;
  bool sensitive = false;
  std::string age_identity_file;
};

// What was set (never the value).
int print_set(const nlohmann::json& v, const std::string& repo, const std::string& stack, const std::string& name,
              bool sensitive, const Globals& globals) {
  if (globals.json) std::cout << v.dump(2) << "\n";
  else if (!globals.quiet)
    std::cout << "set " << name << (sensitive ? " (sensitive)" : "") << " for " << repo
              << (stack.empty() ? "" : " stack " + stack) << "\n";
  return 0;
}

}  // namespace

void add_remote_vars_command(CLI::App& remote, Globals& globals, Action& action) {
  auto f = std::make_shared<VarFlags>();
  auto* vars = remote.add_subcommand("vars", "A repository's variable set: the environment its activities run with");
  vars->require_subcommand(1);
  vars->footer(
      "A variable of a stack wins over the repository's variable of the same name. Values are sealed at\n"
      "rest; a --sensitive one is never shown again and is redacted from run logs. Without --value or\n"
      "--value-file the value is read from standard input.");

  auto* set = vars->add_subcommand("set", "Set REPO [STACK] NAME");
  set->add_option("where", f->where, "REPO [STACK] NAME")->required()->expected(2, 3);
  set->add_option("--value", f->value, "The value (it lands in your shell's history: prefer --value-file or stdin)");
  set->add_option("--value-file", f->value_file, "Read the value from this file (\"-\": standard input)");
  set->add_flag("--sensitive", f->sensitive, "Never show the value again; redact it from logs");
  set->add_flag("--json", globals.json, "Print JSON");
  set->callback([&, f] {
    action = [&globals, f] {
      const auto& w = f->where;
      std::string value =
          !f->value.empty() ? f->value : read_file_or_stdin(f->value_file.empty() ? "-" : f->value_file);
      if (f->value.empty() && f->value_file.empty() && !value.empty() && value.back() == '\n') value.pop_back();
      const std::string stack = w.size() == 3 ? w[1] : "";
      return print_set(remote_client().set_variable(w[0], stack, w.back(), value, f->sensitive), w[0], stack, w.back(),
                       f->sensitive, globals);
    };
  });

  auto* list = vars->add_subcommand("list", "The variables of REPO (sensitive values are not shown)");
  list->add_option("where", f->where, "REPO")->required()->expected(1);
  list->add_flag("--json", globals.json, "Print JSON");
  list->callback([&, f] {
    action = [&globals, f] {
      nlohmann::json j = remote_client().variables(f->where[0]);
      if (globals.json) {
        std::cout << j.dump(2) << "\n";
        return 0;
      }
      for (const auto& v : j["variables"]) {
        std::string stack = field_text(v, "stack");
        std::cout << (stack == "-" ? "*" : stack) << "  " << field_text(v, "name") << "  "
                  << (v.value("sensitive", false) ? "(sensitive)" : field_text(v, "value")) << "\n";
      }
      return 0;
    };
  });

  auto* unset = vars->add_subcommand("unset", "Remove REPO [STACK] NAME");
  unset->add_option("where", f->where, "REPO [STACK] NAME")->required()->expected(2, 3);
  unset->callback([&, f] {
    action = [&globals, f] {
      const auto& w = f->where;
      remote_client().unset_variable(w[0], w.size() == 3 ? w[1] : "", w.back());
      if (!globals.quiet) std::cout << "removed " << w.back() << " from " << w[0] << (w.size() == 3 ? " stack " + w[1] : "") << "\n";
      return 0;
    };
  });

  auto* keys = remote.add_subcommand("keys", "Keys a repository's activities decrypt secrets() with");
  keys->require_subcommand(1);
  auto* add = keys->add_subcommand("add", "Give REPO [STACK] an age identity (kept as the sensitive variable SOPS_AGE_KEY)");
  add->add_option("where", f->where, "REPO [STACK]")->required()->expected(1, 2);
  add->add_option("--age-identity-file", f->age_identity_file, "An age key file (age-keygen's, AGE-SECRET-KEY-1… lines)")
      ->required();
  add->callback([&, f] {
    action = [&globals, f] {
      const auto& w = f->where;
      const std::string stack = w.size() == 2 ? w[1] : "";
      nlohmann::json v = remote_client().set_age_identity(w[0], stack, read_file_or_stdin(f->age_identity_file),
                                                          f->age_identity_file);
      return print_set(v, w[0], stack, "SOPS_AGE_KEY", true, globals);
    };
  });
}

}  // namespace strata::cli

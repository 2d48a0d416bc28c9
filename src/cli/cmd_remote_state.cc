// `strata remote state …`: Terraform states a strata server keeps (#22) — list them, show one
// (what it holds and who locks it), its versions, pull a version, push an existing state,
// restore an old version, break a lock a killed run left. Flags and rendering; the server
// decides (src/server/api/state_api.h).
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/atomic_file.h"
#include "cli/commands.h"
#include "cli/open_workspace.h"
#include "cli/remote_view.h"
#include "control/lock_text.h"
#include "model/error.h"
#include "remote/api_client.h"

namespace strata::cli {

namespace {

struct StateFlags {
  std::string key;
  std::string prefix;
  std::string file;
  int64_t version = 0;
  std::string lock_id;
  bool force = false;
};

remote::ApiClient client() { return remote_client(); }
std::string text(const nlohmann::json& j, const char* key) { return field_text(j, key); }

// "locked by alice@laptop (OperationTypeApply since 2026-12-07T06:00:00Z, lock 1f2e…)".
std::string lock_line(const nlohmann::json& lock) {
  std::string since = text(lock, "created");
  if (since == "-" || since.empty()) since = text(lock, "locked_at");
  return "locked by " + control::lock_sentence(text(lock, "who"), text(lock, "operation"), since, text(lock, "id"));
}

int show(const StateFlags& f, const Globals& globals) {
  nlohmann::json s = client().state(f.key);
  if (globals.json) {
    std::cout << s.dump(2) << "\n";
    return 0;
  }
  std::cout << text(s, "key") << "\n";
  if (s.contains("version"))
    std::cout << "  version " << text(s, "version") << ", serial " << text(s, "serial") << ", lineage "
              << text(s, "lineage") << ", written " << text(s, "created_at") << " (Terraform "
              << text(s, "terraform_version") << ")\n";
  else
    std::cout << "  no state yet\n";
  std::cout << "  " << (s["lock"].is_object() ? lock_line(s["lock"]) : "not locked") << "\n";
  if (s.contains("resources")) {
    std::cout << "  resources: " << s["resources"].size() << "\n";
    for (const auto& r : s["resources"]) {
      std::cout << "    " << text(r, "address");
      if (r.value("instances", 0) != 1) std::cout << " (" << text(r, "instances") << " instances)";
      std::cout << "\n";
    }
  }
  if (s.contains("outputs") && !s["outputs"].empty()) {
    std::cout << "  outputs (values with `strata remote state pull`):\n";
    for (const auto& [name, o] : s["outputs"].items())
      std::cout << "    " << name << (o.value("sensitive", false) ? " (sensitive)" : "") << "\n";
  }
  return 0;
}

}  // namespace

void add_remote_state_command(CLI::App& remote, Globals& globals, Action& action) {
  auto f = std::make_shared<StateFlags>();
  auto* cmd = remote.add_subcommand("state", "Terraform states the server keeps: list, show, versions, pull, push, restore, unlock");
  cmd->require_subcommand(1);
  cmd->footer(
      "A key is what the server's http backend is addressed with after /tfstate/: for runs on the\n"
      "server, REPOSITORY/STACK/COMPONENT (`strata remote state list` shows them). Every write\n"
      "is kept as a version; a restore writes an old version again as the newest.");

  auto* list = cmd->add_subcommand("list", "Every state (the latest version of each), by key");
  list->add_option("prefix", f->prefix, "Only keys that start with this (a repository: \"infra/\")");
  list->add_flag("--json", globals.json, "Print JSON");
  list->callback([&, f] {
    action = [&globals, f] {
      nlohmann::json j = client().states(f->prefix);
      if (globals.json) {
        std::cout << j.dump(2) << "\n";
        return 0;
      }
      for (const auto& s : j["states"])
        std::cout << text(s, "key") << "  version " << text(s, "version") << "  serial " << text(s, "serial") << "  "
                  << text(s, "created_at") << "\n";
      return 0;
    };
  });

  auto* show_cmd = cmd->add_subcommand("show", "What a state holds (resources, output names) and who locks it");
  show_cmd->add_option("key", f->key, "The state's key")->required();
  show_cmd->add_flag("--json", globals.json, "Print JSON");
  show_cmd->callback([&, f] { action = [&globals, f] { return show(*f, globals); }; });

  auto* versions = cmd->add_subcommand("versions", "Every version of a state, newest first");
  versions->add_option("key", f->key, "The state's key")->required();
  versions->add_flag("--json", globals.json, "Print JSON");
  versions->callback([&, f] {
    action = [&globals, f] {
      nlohmann::json j = client().state_versions(f->key);
      if (globals.json) {
        std::cout << j.dump(2) << "\n";
        return 0;
      }
      for (const auto& v : j["versions"])
        std::cout << "version " << text(v, "version") << "  serial " << text(v, "serial") << "  lineage "
                  << text(v, "lineage") << "  " << text(v, "created_at") << (v.value("deleted", false) ? "  deleted" : "")
                  << "\n";
      return 0;
    };
  });

  auto* pull = cmd->add_subcommand("pull", "Print a state as Terraform wrote it (the latest, or --version N)");
  pull->add_option("key", f->key, "The state's key")->required();
  pull->add_option("--version", f->version, "An older version (see `versions`)")->check(CLI::PositiveNumber);
  pull->callback([&, f] {
    action = [f] {
      std::cout << client().state_data(f->key, f->version);
      return 0;
    };
  });

  auto* push = cmd->add_subcommand("push", "Store an existing state file as the newest version of KEY");
  push->add_option("key", f->key, "The state's key")->required();
  push->add_option("file", f->file, "A terraform.tfstate (\"-\": standard input)")->required();
  push->add_flag("--force", f->force,
                 "Replace the server's state even when this one's serial is older or its lineage another (audited)");
  push->callback([&, f] {
    action = [&globals, f] {
      const std::string source = f->file == "-" ? "standard input" : f->file;
      int64_t serial = client().push_state(f->key, read_file_or_stdin(f->file), f->force, source);
      if (!globals.quiet) std::cout << "pushed " << source << " to " << f->key << " (serial " << serial << ")\n";
      return 0;
    };
  });

  auto* restore = cmd->add_subcommand("restore", "Write an old version again as the newest (the ones between are kept)");
  restore->add_option("key", f->key, "The state's key")->required();
  restore->add_option("version", f->version, "The version to bring back (see `versions`)")
      ->required()
      ->check(CLI::PositiveNumber);
  restore->callback([&, f] {
    action = [&globals, f] {
      nlohmann::json v =
          client().restore_state(f->key, f->version);
      if (globals.json) std::cout << v.dump(2) << "\n";
      else if (!globals.quiet)
        std::cout << "restored version " << f->version << " of " << f->key << " as version " << text(v, "version")
                  << " (serial " << text(v, "serial") << ")\n";
      return 0;
    };
  });

  auto* unlock = cmd->add_subcommand("unlock", "Break the lock on a state (a run killed while it held it); audited");
  unlock->add_option("key", f->key, "The state's key")->required();
  unlock->add_option("--lock-id", f->lock_id, "Break it only if it is still this lock (as terraform force-unlock ID)");
  unlock->callback([&, f] {
    action = [&globals, f] {
      nlohmann::json j = client().unlock_state(f->key, f->lock_id);
      if (!globals.quiet) std::cout << "unlocked " << f->key << ": it was " << lock_line(j["unlocked"]) << "\n";
      return 0;
    };
  });
}

}  // namespace strata::cli

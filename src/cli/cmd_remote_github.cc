// `strata remote stacks …`, `remote events` and `remote deliveries`: the stack-code registry a
// strata server keeps from GitHub pushes (#23) — stack states, active and loose, re-associating
// a loose one with stack code — what happened, and the webhook deliveries received.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/remote_view.h"
#include "model/error.h"

namespace strata::cli {

namespace {

struct GithubFlags {
  std::string repository;
  bool loose = false;
  std::string id, stack;
  std::string kind;
  int64_t after = 0;
  int limit = 50;
};

std::string list_text(const nlohmann::json& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + (i.is_string() ? i.get<std::string>() : i.dump());
  return out.empty() ? "-" : out;
}

}  // namespace

void add_remote_github_commands(CLI::App& remote, Globals& globals, Action& action) {
  auto f = std::make_shared<GithubFlags>();
  auto* stacks = remote.add_subcommand("stacks", "The stack-code registry: stack states, active and loose");
  stacks->require_subcommand(1);
  stacks->footer(
      "A push to a repository's default branch (its GitHub webhook) registers new stacks and components,\n"
      "updates changed ones and plans them, and deregisters removed ones. A stack with no component left\n"
      "becomes a loose stack state: its Terraform state is kept until it is re-associated with stack code\n"
      "(`strata remote stacks associate ID STACK`) or destroyed.");
  auto* list = stacks->add_subcommand("list", "Stack states (ID, repository, stack, status, components, alert)");
  list->add_option("--repo", f->repository, "Only this repository's");
  list->add_flag("--loose", f->loose, "Only loose stack states (their code is gone, their state kept)");
  list->add_flag("--json", globals.json, "Print JSON");
  list->callback([&, f] {
    action = [&globals, f] {
      nlohmann::json j = remote_client().stack_states(f->repository, f->loose ? "loose" : "");
      if (globals.json) {
        std::cout << j.dump(2) << "\n";
        return 0;
      }
      if (j["stack_states"].empty() && !globals.quiet)
        std::cout << (f->loose ? "no loose stack states\n" : "no stack states: push to a repository's default branch\n");
      for (const auto& s : j["stack_states"]) {
        std::cout << field_text(s, "id") << "  " << field_text(s, "repository") << "  " << field_text(s, "stack") << "  "
                  << field_text(s, "status") << "  " << list_text(s["components"]);
        if (s["alert"].is_string()) std::cout << "  ALERT: " << s["alert"].get<std::string>();
        std::cout << "\n";
      }
      return 0;
    };
  });
  auto* associate = stacks->add_subcommand("associate", "Give loose stack state ID to stack STACK's registered code");
  associate->add_option("id", f->id, "A loose stack state (strata remote stacks list --loose)")->required();
  associate->add_option("stack", f->stack, "The stack whose code takes the state (same components)")->required();
  associate->add_flag("--json", globals.json, "Print JSON");
  associate->callback([&, f] {
    action = [&globals, f] {
      nlohmann::json s = remote_client().associate_stack_state(f->id, f->stack);
      if (globals.json) std::cout << s.dump(2) << "\n";
      else if (!globals.quiet)
        std::cout << "stack state " << field_text(s, "id") << " now belongs to stack " << field_text(s, "stack") << " of "
                  << field_text(s, "repository") << " (" << list_text(s["components"]) << ")\n";
      return 0;
    };
  });

  auto* events = remote.add_subcommand("events", "What happened on the server, oldest first (registry changes, alerts, runs scheduled)");
  events->add_option("--repo", f->repository, "Only this repository's");
  events->add_option("--kind", f->kind, "Kinds that start with this (module_, force_push_alert, run_)");
  events->add_option("--after", f->after, "Only events after this seq (what the last call ended with)");
  events->add_option("--limit", f->limit, "At most this many (1 to 1000)")->check(CLI::Range(1, 1000));
  events->add_flag("--json", globals.json, "Print JSON");
  events->callback([&, f] {
    action = [&globals, f] {
      nlohmann::json j = remote_client().events(f->repository, f->kind, f->after, f->limit);
      if (globals.json) {
        std::cout << j.dump(2) << "\n";
        return 0;
      }
      for (const auto& e : j["events"])
        std::cout << e["seq"].get<int64_t>() << "  " << field_text(e, "created_at") << "  " << field_text(e, "repository")
                  << "  " << field_text(e, "kind") << "  " << field_text(e, "subject") << "\n";
      return 0;
    };
  });

  auto* deliveries = remote.add_subcommand("deliveries", "GitHub webhook deliveries received, newest first, and what came of each");
  deliveries->add_option("--repo", f->repository, "Only this repository's");
  deliveries->add_option("--limit", f->limit, "At most this many (1 to 1000)")->check(CLI::Range(1, 1000));
  deliveries->add_flag("--json", globals.json, "Print JSON");
  deliveries->callback([&, f] {
    action = [&globals, f] {
      nlohmann::json j = remote_client().webhook_deliveries(f->repository, f->limit);
      if (globals.json) {
        std::cout << j.dump(2) << "\n";
        return 0;
      }
      for (const auto& d : j["deliveries"])
        std::cout << field_text(d, "id") << "  " << field_text(d, "received_at") << "  " << field_text(d, "repository")
                  << "  " << field_text(d, "event") << "  " << field_text(d, "status") << "  " << field_text(d, "outcome")
                  << "\n";
      return 0;
    };
  });
}

}  // namespace strata::cli

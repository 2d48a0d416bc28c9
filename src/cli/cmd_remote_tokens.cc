// `strata remote tokens …` and `strata remote audit`: who may do what on a strata server (#25) —
// API tokens made for automation with a role (viewer, operator, maintainer, admin) and
// optionally limited to repositories, shown once, listed and revoked; and the audit log of who
// did what. Flags and rendering; the calls are remote/api_client.h's.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/remote_view.h"
#include "model/error.h"
#include "remote/api_client.h"

namespace strata::cli {

namespace {

struct TokenFlags {
  remote::NewToken token;
  std::string expires = "never";
  std::string id;
  remote::AuditQuery audit;
  std::string audit_account;
  // accounts create
  std::string account_name, account_kind = "local", account_rate_limit;
};

// "90d", "90" or "never" → days (0 = never).
int expiry_days(const std::string& text) {
  if (text == "never") return 0;
  std::string digits = text.ends_with("d") ? text.substr(0, text.size() - 1) : text;
  char* end = nullptr;
  long n = std::strtol(digits.c_str(), &end, 10);
  if (digits.empty() || *end || n < 1 || n > 3650)
    throw Error("--expires " + text + " is not a number of days from 1 to 3650", {},
                "write --expires 90d, or --expires never");
  return static_cast<int>(n);
}

std::string when(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "-";
}

}  // namespace

void add_remote_tokens_command(CLI::App& remote, Globals& globals, Action& action) {
  auto f = std::make_shared<TokenFlags>();
  auto* tokens = remote.add_subcommand("tokens", "API tokens: create (shown once), list, revoke");
  tokens->require_subcommand(1);
  tokens->footer(
      "Roles, each allowing what the ones before it do: viewer (read runs, logs, states' summaries),\n"
      "operator (start, cancel and apply runs; Terraform's own use of the state backend),\n"
      "maintainer (register repositories, set variable sets), admin (tokens of any role, workers,\n"
      "raw state versions, restores, force-unlocks, the audit log). A token makes tokens of its own\n"
      "role or less, limited to its own repositories.");

  auto* create = tokens->add_subcommand("create", "Make a token; it is printed once and never again");
  create->add_option("--name", f->token.name, "What it is for, e.g. ci")->required();
  create->add_option("--role", f->token.role, "viewer, operator, maintainer or admin")
      ->required()
      ->check(CLI::IsMember({"viewer", "operator", "maintainer", "admin"}));
  create->add_option("--repository", f->token.repositories,
                     "Limit it to this repository (repeatable; default: every one the creator may reach)");
  create->add_option("--expires", f->expires, "When it stops working: 90d, or never")->capture_default_str();
  create->add_option("--account", f->token.account,
                     "The account it belongs to (default: the creator's; only the server's own tokens name another)");
  create->add_flag("--json", globals.json, "Print the token's record as JSON (with the token)");
  create->callback([&, f] {
    action = [&globals, f] {
      f->token.expires_in_days = expiry_days(f->expires);
      nlohmann::json made = remote_client().create_token(f->token);
      if (globals.json) {
        std::cout << made.dump(2) << "\n";
        return 0;
      }
      std::cout << field_text(made, "token") << "\n";
      std::cerr << "token " << field_text(made, "name") << " (" << field_text(made, "role") << ", id "
                << field_text(made, "id") << ", expires " << when(made, "expires_at")
                << "): shown this once; the server keeps only its hash\n";
      return 0;
    };
  });

  auto* list = tokens->add_subcommand("list", "The tokens this token may see (an admin's: every one)");
  list->add_flag("--json", globals.json, "Print JSON");
  list->callback([&, f] {
    action = [&globals] {
      nlohmann::json j = remote_client().tokens();
      if (globals.json) {
        std::cout << j.dump(2) << "\n";
        return 0;
      }
      for (const auto& t : j["tokens"]) {
        std::string repos;
        for (const auto& r : t["repositories"]) repos += (repos.empty() ? "" : ",") + r.get<std::string>();
        std::cout << field_text(t, "id") << "  " << field_text(t, "name") << "  " << field_text(t, "role") << "  "
                  << (t["account"].is_string() ? t["account"].get<std::string>() + ":" : "")
                  << (repos.empty() ? "*" : repos) << "  last used " << when(t, "last_used_at")
                  << (t["revoked_at"].is_string() ? "  revoked " + when(t, "revoked_at") : "") << "\n";
      }
      return 0;
    };
  });

  auto* audit = remote.add_subcommand("audit", "The audit log, newest first: who did what, when, from where (admin)");
  audit->add_option("--actor", f->audit.actor, "Only this actor, e.g. token:ci");
  audit->add_option("--action", f->audit.action, "Only actions starting so, e.g. state. or access.denied");
  audit->add_option("--target", f->audit.target, "Only targets starting so, e.g. a state key or infra/");
  audit->add_option("--outcome", f->audit.outcome, "ok or denied")->check(CLI::IsMember({"ok", "denied"}));
  audit->add_option("--since", f->audit.since, "A time (2026-12-07T10:00:00Z) or an age (30m, 24h, 7d)");
  audit->add_option("--limit", f->audit.limit, "How many, at most (1 to 1000)")->capture_default_str();
  auto* audit_account = audit->add_option(
      "--account", f->audit_account,
      "Only this account's entries (\"\" for the server's own); a token of an account sees only its own anyway");
  audit->add_flag("--json", globals.json, "Print JSON");
  audit->callback([&, f, audit_account] {
    if (audit_account->count()) f->audit.account = f->audit_account;
    action = [&globals, f] {
      nlohmann::json j = remote_client().audit(f->audit);
      if (globals.json) {
        std::cout << j.dump(2) << "\n";
        return 0;
      }
      for (const auto& e : j["entries"])
        std::cout << when(e, "at") << "  " << field_text(e, "actor") << "  " << field_text(e, "action") << "  "
                  << field_text(e, "target") << "  " << field_text(e, "outcome") << "\n";
      return 0;
    };
  });

  auto* accounts = remote.add_subcommand(
      "accounts", "Accounts: organisations that own repositories; their tokens see nothing of another's");
  accounts->require_subcommand(1);
  accounts->footer(
      "An account (a GitHub organisation, or a local team) owns the repositories registered with its\n"
      "tokens (or with repos add --account). Its tokens and sign-ins see and act on its repositories'\n"
      "runs, states, variables, its own tokens and audit entries, nothing else, and share one rate\n"
      "limit. Tokens of no account are the server's own: they create accounts and see them all.");
  auto* account_create = accounts->add_subcommand("create", "Create an account (the server's own admin tokens)");
  account_create->add_option("name", f->account_name, "Lower-case letters, digits and '-', e.g. acme")->required();
  account_create->add_option("--kind", f->account_kind,
                             "local, or github: a GitHub organisation whose members sign in with GitHub")
      ->check(CLI::IsMember({"local", "github"}))
      ->capture_default_str();
  account_create->add_option("--rate-limit", f->account_rate_limit,
                             "Requests of all its tokens together, e.g. 20/s:100 or off (default: the server's "
                             "--rate-limit account=…)");
  account_create->add_flag("--json", globals.json, "Print the account as JSON");
  account_create->callback([&, f] {
    action = [&globals, f] {
      nlohmann::json a = remote_client().create_account(f->account_name, f->account_kind, f->account_rate_limit);
      if (globals.json)
        std::cout << a.dump(2) << "\n";
      else if (!globals.quiet)
        std::cout << "created account " << field_text(a, "name") << " (" << field_text(a, "kind") << ")\n";
      return 0;
    };
  });
  auto* account_list = accounts->add_subcommand("list", "The accounts this token sees (its own, or every one)");
  account_list->add_flag("--json", globals.json, "Print JSON");
  account_list->callback([&, f] {
    action = [&globals] {
      nlohmann::json j = remote_client().accounts();
      if (globals.json) {
        std::cout << j.dump(2) << "\n";
        return 0;
      }
      for (const auto& a : j["accounts"])
        std::cout << field_text(a, "name") << "  " << field_text(a, "kind") << "  rate limit "
                  << (a["rate_limit"].is_string() ? a["rate_limit"].get<std::string>() : "server default") << "\n";
      return 0;
    };
  });

  auto* revoke = tokens->add_subcommand("revoke", "Revoke a token: every replica refuses it within seconds");
  revoke->add_option("id", f->id, "The token's id (tokens list shows it)")->required();
  revoke->callback([&, f] {
    action = [&globals, f] {
      nlohmann::json t = remote_client().revoke_token(f->id);
      if (!globals.quiet) std::cout << "revoked token " << field_text(t, "name") << " (" << field_text(t, "id") << ")\n";
      return 0;
    };
  });
}

}  // namespace strata::cli

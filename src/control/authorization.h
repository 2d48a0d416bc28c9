// Who may do what (DESIGN §11.6, #25): the four roles and the one table that says what each
// request of the server's API needs. Every route of /api/v1, the worker protocol and the state
// backend is checked against it in one place (server/api/api.cc's who_asks); a route missing
// from the table is refused to everyone, and a test keeps the router and the table in step.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace strata::control {

// Each role may do everything the ones before it may.
//   viewer:     read runs, logs, workers, repositories, what states hold (not their data),
//               stack states, events, webhook deliveries
//   operator:   start, cancel and apply runs; read and write Terraform state (Terraform's own use)
//   maintainer: register repositories, set variable sets, re-associate loose stack states
//   admin:      tokens of any role, workers, raw state versions, restores, force-unlocks, audit
// kNone: a worker's token, which has no role in the API at all.
enum class Role { kNone = 0, kViewer = 1, kOperator = 2, kMaintainer = 3, kAdmin = 4 };

// What a token is for: the API (with a role), registering workers (a join token: admin-made,
// expiring), or speaking for one registered worker (the credential registering hands it).
enum class TokenKind { kApi, kWorkerJoin, kWorker };
TokenKind kind_of(const store::ApiToken& token);
inline constexpr const char* kWorkerJoinRole = "worker-join";
inline constexpr const char* kWorkerRole = "worker";

std::optional<Role> parse_role(std::string_view name);
const char* role_name(Role role);
// A token's role (an older record without one: admin when marked admin, else operator); kNone
// for a worker's token.
Role role_of(const store::ApiToken& token);
// The role as the API shows it: "operator", …, "worker-join", "worker".
std::string role_label(const store::ApiToken& token);

struct RouteRule {
  std::string_view method;  // as the router has it; the state backend's forced acts are named
                            // "UNLOCK!" (an UNLOCK without LockInfo) and "POST!" (?force=true)
  std::string_view route;   // the router's pattern ("/api/v1/runs/{id}"), or "/tfstate/{key}"
  Role role;
  // Which worker tokens may call it besides API tokens of `role`: a join token only registers;
  // a worker's credential only speaks the worker protocol (as its own worker).
  bool worker_join = false;
  bool worker = false;
  // The server's own business (accounts, workers): refused to a token of an account, whatever
  // its role.
  bool server_only = false;
};
// Every route the server answers with a token, and the least role that may call it.
const std::vector<RouteRule>& route_rules();
// nullopt for a route the table does not name.
std::optional<Role> required_role(std::string_view method, std::string_view route);
const RouteRule* rule_for(std::string_view method, std::string_view route);

// Accounts (store::Account): a token of an account acts only on the repositories its account
// owns, and never on the server's own business (RouteRule::server_only); a token of no account
// is the server's own and may act on every account's. Below, `account` is the account that
// owns `repository` ("" = the server's own, or no such repository: a token of an account is
// refused either way, so an answer never tells whether another account's repository exists).

// Why `token` may not call the route `rule` names on `repository`, for a 403; nullopt when it
// may. A worker's token is checked by kind; an API token by role, account and repositories.
std::optional<std::string> route_refusal(const store::ApiToken& token, const RouteRule& rule,
                                         std::string_view repository = "", std::string_view account = "");

// Why `token` may not do what needs `needed` on `repository` ("" = nothing repository-specific),
// for a 403; nullopt when it may. Names the role needed and the one the token has, its account,
// or the repositories it is limited to.
std::optional<std::string> refusal(const store::ApiToken& token, Role needed, std::string_view repository = "",
                                   std::string_view account = "");

// Whether `token` may give a new token `role` limited to `repositories` (empty = every one):
// never more than it has itself. nullopt when it may; else why not.
std::optional<std::string> grant_refusal(const store::ApiToken& token, Role role,
                                         const std::vector<std::string>& repositories);

// Whether `repository` (owned by `account`) is outside what `token` may act on: another
// account's, or not among the repositories the token is limited to.
bool outside_scope(const store::ApiToken& token, std::string_view repository, std::string_view account = "");

// Whether `token` may see `account`'s records that name no repository (tokens, audit entries,
// the account itself): its own account's, or every one for the server's own tokens.
bool sees_account(const store::ApiToken& token, std::string_view account);

// Why `name` cannot name an account (nullopt when it can): lower-case letters, digits and '-',
// 1 to 39 characters, not starting or ending with '-' (a GitHub organisation's login, lower-cased).
std::optional<std::string> bad_account_name(std::string_view name);

}  // namespace strata::control

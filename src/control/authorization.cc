#include "control/authorization.h"

#include <algorithm>

namespace strata::control {

std::optional<Role> parse_role(std::string_view name) {
  if (name == "viewer") return Role::kViewer;
  if (name == "operator") return Role::kOperator;
  if (name == "maintainer") return Role::kMaintainer;
  if (name == "admin") return Role::kAdmin;
  return std::nullopt;
}

const char* role_name(Role role) {
  switch (role) {
    case Role::kNone: return "none";
    case Role::kViewer: return "viewer";
    case Role::kOperator: return "operator";
    case Role::kMaintainer: return "maintainer";
    case Role::kAdmin: return "admin";
  }
  return "?";
}

TokenKind kind_of(const store::ApiToken& token) {
  if (token.role == kWorkerJoinRole) return TokenKind::kWorkerJoin;
  if (token.role == kWorkerRole) return TokenKind::kWorker;
  return TokenKind::kApi;
}

std::string role_label(const store::ApiToken& token) {
  return kind_of(token) == TokenKind::kApi ? role_name(role_of(token)) : token.role;
}

Role role_of(const store::ApiToken& token) {
  if (kind_of(token) != TokenKind::kApi) return Role::kNone;
  if (std::optional<Role> r = parse_role(token.role)) return *r;
  return token.admin ? Role::kAdmin : Role::kOperator;
}

const std::vector<RouteRule>& route_rules() {
  using enum Role;
  static const std::vector<RouteRule> rules = {
      // Accounts are the server's own: its admins create them; a token of an account sees its
      // own (GET filters).
      {"GET", "/api/v1/accounts", kViewer},
      {"POST", "/api/v1/accounts", kAdmin, false, false, true},
      {"GET", "/api/v1/repositories", kViewer},
      {"POST", "/api/v1/repositories", kMaintainer},
      {"GET", "/api/v1/repositories/{repository}/variables", kViewer},
      {"PUT", "/api/v1/repositories/{repository}/variables/{name}", kMaintainer},
      {"DELETE", "/api/v1/repositories/{repository}/variables/{name}", kMaintainer},
      {"GET", "/api/v1/runs", kViewer},
      {"POST", "/api/v1/runs", kOperator},
      {"GET", "/api/v1/runs/{id}", kViewer},
      {"POST", "/api/v1/runs/{id}/cancel", kOperator},
      {"POST", "/api/v1/runs/{id}/apply", kOperator},
      {"GET", "/api/v1/runs/{id}/logs", kViewer},
      {"GET", "/api/v1/workers", kViewer},
      {"GET", "/api/v1/stack-states", kViewer},
      {"POST", "/api/v1/stack-states/{id}/associate", kMaintainer},
      {"GET", "/api/v1/events", kViewer},
      {"GET", "/api/v1/webhook-deliveries", kViewer},
      {"GET", "/api/v1/states", kViewer},
      {"GET", "/api/v1/states/{key}", kViewer},
      {"GET", "/api/v1/states/{key}/versions", kViewer},
      // A state's data holds its secrets in clear.
      {"GET", "/api/v1/states/{key}/versions/{version}", kAdmin},
      {"POST", "/api/v1/states/{key}/versions/{version}/restore", kAdmin},
      {"DELETE", "/api/v1/states/{key}/lock", kAdmin},
      {"GET", "/api/v1/audit", kAdmin},
      // Any token makes tokens of its own role or less (grant_refusal), and sees and revokes
      // those it made; an admin sees and revokes every one.
      {"GET", "/api/v1/tokens", kViewer},
      {"POST", "/api/v1/tokens", kViewer},
      {"DELETE", "/api/v1/tokens/{id}", kViewer},
      // The worker protocol: a join token registers a worker and gets back the worker's own
      // credential, which then leases and reports as that worker only (server/api/worker_api.cc
      // checks the worker id). An admin's API token of no account may still do all of it:
      // workers are shared by every account, the server's own.
      {"POST", "/api/v1/worker/join-tokens", kAdmin, false, false, true},
      {"POST", "/api/v1/worker/register", kAdmin, true, true, true},
      {"POST", "/api/v1/worker/lease", kAdmin, false, true, true},
      {"GET", "/api/v1/worker/activities/{id}/code", kAdmin, false, true, true},
      {"GET", "/api/v1/worker/activities/{id}/outputs", kAdmin, false, true, true},
      {"GET", "/api/v1/worker/activities/{id}/lock", kAdmin, false, true, true},
      {"POST", "/api/v1/worker/activities/{id}/start", kAdmin, false, true, true},
      {"POST", "/api/v1/worker/activities/{id}/heartbeat", kAdmin, false, true, true},
      {"POST", "/api/v1/worker/activities/{id}/logs", kAdmin, false, true, true},
      {"POST", "/api/v1/worker/activities/{id}/release", kAdmin, false, true, true},
      {"POST", "/api/v1/worker/activities/{id}/plan", kAdmin, false, true, true},
      {"POST", "/api/v1/worker/activities/{id}/finish", kAdmin, false, true, true},
      // Terraform's http backend, with an API token (an activity's credential is checked apart:
      // it reaches only its own run's repository).
      {"GET", "/tfstate/{key}", kOperator},
      {"POST", "/tfstate/{key}", kOperator},
      {"LOCK", "/tfstate/{key}", kOperator},
      {"UNLOCK", "/tfstate/{key}", kOperator},
      {"POST!", "/tfstate/{key}", kAdmin},
      {"UNLOCK!", "/tfstate/{key}", kAdmin},
      {"DELETE", "/tfstate/{key}", kAdmin},
  };
  return rules;
}

const RouteRule* rule_for(std::string_view method, std::string_view route) {
  for (const RouteRule& r : route_rules())
    if (r.method == method && r.route == route) return &r;
  return nullptr;
}

std::optional<Role> required_role(std::string_view method, std::string_view route) {
  const RouteRule* r = rule_for(method, route);
  return r ? std::optional<Role>(r->role) : std::nullopt;
}

bool outside_scope(const store::ApiToken& token, std::string_view repository, std::string_view account) {
  if (repository.empty()) return false;
  if (!token.account.empty() && token.account != account) return true;
  if (token.repositories.empty()) return false;
  return std::find(token.repositories.begin(), token.repositories.end(), repository) == token.repositories.end();
}

bool sees_account(const store::ApiToken& token, std::string_view account) {
  return token.account.empty() || token.account == account;
}

std::optional<std::string> bad_account_name(std::string_view name) {
  if (name.empty()) return "the name is empty";
  if (name.size() > 39) return "the name is longer than 39 characters";
  if (name.front() == '-' || name.back() == '-') return "the name starts or ends with '-'";
  for (char c : name)
    if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-')
      return std::string("the name holds '") + c + "'";
  return std::nullopt;
}

namespace {
// "a viewer's", "an operator's", …
std::string whose(Role role) {
  std::string name = role_name(role);
  return (name[0] == 'a' || name[0] == 'o' ? "an " : "a ") + name + "'s";
}

std::string list(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}
}  // namespace

namespace {
// What a worker's token is for, when it is asked for something else.
std::string worker_token_refusal(const store::ApiToken& token) {
  if (kind_of(token) == TokenKind::kWorkerJoin)
    return "token \"" + token.name + "\" is a worker join token: it only registers a worker (strata worker --join-token)";
  return "token \"" + token.name +
         "\" is a worker's credential: it only leases, heartbeats, fetches code and reports for its worker";
}
}  // namespace

std::optional<std::string> route_refusal(const store::ApiToken& token, const RouteRule& rule,
                                         std::string_view repository, std::string_view account) {
  switch (kind_of(token)) {
    case TokenKind::kApi:
      if (rule.server_only && !token.account.empty())
        return "token \"" + token.name + "\" belongs to account " + token.account + ": " + std::string(rule.method) +
               " " + std::string(rule.route) + " is the server's own (its admins' tokens, of no account)";
      return refusal(token, rule.role, repository, account);
    case TokenKind::kWorkerJoin: return rule.worker_join ? std::nullopt : std::optional(worker_token_refusal(token));
    case TokenKind::kWorker: return rule.worker ? std::nullopt : std::optional(worker_token_refusal(token));
  }
  return worker_token_refusal(token);
}

std::optional<std::string> refusal(const store::ApiToken& token, Role needed, std::string_view repository,
                                   std::string_view account) {
  if (kind_of(token) != TokenKind::kApi) return worker_token_refusal(token);
  Role has = role_of(token);
  if (has < needed)
    return std::string("this needs the ") + role_name(needed) + " role; token \"" + token.name + "\" is " + whose(has);
  if (!repository.empty() && !token.account.empty() && token.account != account)
    return "token \"" + token.name + "\" belongs to account " + token.account + ", which has no repository " +
           std::string(repository);
  if (outside_scope(token, repository, account))
    return "token \"" + token.name + "\" is limited to " + list(token.repositories) + ", not " +
           std::string(repository);
  return std::nullopt;
}

std::optional<std::string> grant_refusal(const store::ApiToken& token, Role role,
                                         const std::vector<std::string>& repositories) {
  Role has = role_of(token);
  if (role > has)
    return whose(has) + " token cannot make a token with the " + role_name(role) + " role";
  if (token.repositories.empty()) return std::nullopt;
  if (repositories.empty())
    return "token \"" + token.name + "\" is limited to " + list(token.repositories) +
           ": a token it makes must name repositories among those";
  for (const std::string& r : repositories)
    if (outside_scope(token, r)) return "token \"" + token.name + "\" is limited to " + list(token.repositories) + ", not " + r;
  return std::nullopt;
}

}  // namespace strata::control

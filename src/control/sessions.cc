#include "control/sessions.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "secrets/crypto.h"

namespace strata::control {

std::string base64url(const std::string& bytes) { return secrets::base64url_encode(bytes); }

namespace {

std::optional<std::string> from_base64url(std::string s) {
  if (s.find_first_of("+/=") != std::string::npos) return std::nullopt;
  std::replace(s.begin(), s.end(), '-', '+');
  std::replace(s.begin(), s.end(), '_', '/');
  return secrets::base64_decode_unpadded(s);
}

// "PART.PART.MAC" with MAC = HMAC-SHA256(key, "PART.PART"): the two parts, when it is one.
std::optional<std::pair<std::string, std::string>> signed_parts(const std::string& text, const std::string& key) {
  size_t first = text.find('.');
  size_t second = first == std::string::npos ? std::string::npos : text.find('.', first + 1);
  if (second == std::string::npos || text.find('.', second + 1) != std::string::npos) return std::nullopt;
  std::optional<std::string> mac = from_base64url(text.substr(second + 1));
  if (!mac || !secrets::equal_in_constant_time(*mac, secrets::hmac_sha256(key, text.substr(0, second))))
    return std::nullopt;
  std::optional<std::string> a = from_base64url(text.substr(0, first));
  std::optional<std::string> b = from_base64url(text.substr(first + 1, second - first - 1));
  if (!a || !b) return std::nullopt;
  return std::pair{*a, *b};
}

std::string sign(const std::string& a, const std::string& b, const std::string& key) {
  std::string body = base64url(a) + "." + base64url(b);
  return body + "." + base64url(secrets::hmac_sha256(key, body));
}

const char* const kJwtHeader = R"({"alg":"HS256","typ":"JWT"})";

}  // namespace

std::string sign_session(const SessionClaims& c, const std::string& key) {
  nlohmann::json claims = {{"sub", c.subject}, {"name", c.name}, {"role", c.role},
                           {"iat", c.issued_at}, {"exp", c.expires_at}, {"jti", c.id}};
  return sign(kJwtHeader, claims.dump(), key);
}

std::optional<SessionClaims> read_session(const std::string& jwt, const std::string& key) {
  std::optional<std::pair<std::string, std::string>> parts = signed_parts(jwt, key);
  if (!parts) return std::nullopt;
  nlohmann::json header = nlohmann::json::parse(parts->first, nullptr, false);
  if (!header.is_object() || header.value("alg", "") != "HS256") return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(parts->second, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  for (const char* field : {"sub", "name", "role", "jti"})
    if (!j.contains(field) || !j[field].is_string()) return std::nullopt;
  for (const char* field : {"iat", "exp"})
    if (!j.contains(field) || !j[field].is_number_integer()) return std::nullopt;
  SessionClaims c;
  c.subject = j["sub"];
  c.name = j["name"];
  c.role = j["role"];
  c.id = j["jti"];
  c.issued_at = j["iat"];
  c.expires_at = j["exp"];
  return c;
}

std::string sign_login(const LoginTicket& t, const std::string& key) {
  nlohmann::json j = {{"state", t.state},       {"verifier", t.verifier},   {"exp", t.expires_at},
                      {"cli_port", t.cli_port}, {"cli_state", t.cli_state}, {"cli_challenge", t.cli_challenge},
                      {"account", t.account}};
  return sign("login", j.dump(), key);
}

namespace {
// The signed JSON object of kind `kind` in `text`, when it has every string and integer field named.
std::optional<nlohmann::json> signed_object(const std::string& text, const std::string& key, const char* kind,
                                            std::initializer_list<const char*> strings,
                                            std::initializer_list<const char*> integers) {
  std::optional<std::pair<std::string, std::string>> parts = signed_parts(text, key);
  if (!parts || parts->first != kind) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(parts->second, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  for (const char* f : strings)
    if (!j.contains(f) || !j[f].is_string()) return std::nullopt;
  for (const char* f : integers)
    if (!j.contains(f) || !j[f].is_number_integer()) return std::nullopt;
  return j;
}
}  // namespace

std::optional<LoginTicket> read_login(const std::string& text, const std::string& key) {
  std::optional<nlohmann::json> j =
      signed_object(text, key, "login", {"state", "verifier", "cli_state", "cli_challenge", "account"},
                    {"exp", "cli_port"});
  if (!j) return std::nullopt;
  return LoginTicket{(*j)["state"],     (*j)["verifier"],      (*j)["exp"],    (*j)["cli_port"],
                     (*j)["cli_state"], (*j)["cli_challenge"], (*j)["account"]};
}

std::string sign_cli_grant(const CliGrant& g, const std::string& key) {
  nlohmann::json j = {{"sub", g.subject},        {"name", g.name},   {"role", g.role},
                      {"challenge", g.challenge}, {"nonce", g.nonce}, {"exp", g.expires_at},
                      {"account", g.account}};
  return sign("cli", j.dump(), key);
}

std::optional<CliGrant> read_cli_grant(const std::string& text, const std::string& key) {
  std::optional<nlohmann::json> j =
      signed_object(text, key, "cli", {"sub", "name", "role", "challenge", "nonce", "account"}, {"exp"});
  if (!j) return std::nullopt;
  return CliGrant{(*j)["sub"],   (*j)["name"], (*j)["role"],   (*j)["challenge"],
                  (*j)["nonce"], (*j)["exp"],  (*j)["account"]};
}

std::string pkce_challenge(const std::string& verifier) { return secrets::pkce_s256(verifier); }

namespace {
// GitHub's organisation and team names are matched in any case, as GitHub does.
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}
}  // namespace

std::optional<Role> role_for_groups(const std::vector<std::string>& groups,
                                    const std::map<std::string, std::string>& rules) {
  std::optional<Role> best;
  for (const std::string& g : groups) {
    const std::string name = lower(g);
    for (const auto& [group, role] : rules) {
      if (lower(group) != name) continue;
      std::optional<Role> r = parse_role(role);
      if (r && (!best || *r > *best)) best = r;
    }
  }
  return best;
}

std::optional<SignInScope> sign_in_scope(const std::vector<std::string>& groups,
                                         const std::map<std::string, std::string>& rules,
                                         const std::vector<std::string>& accounts, const std::string& wanted) {
  auto account_of = [&](const std::string& group) -> std::string {
    std::string org = lower(group.substr(0, group.find('/')));
    return std::find(accounts.begin(), accounts.end(), org) != accounts.end() ? org : "";
  };
  std::map<std::string, std::vector<std::string>> by_account;  // "" first, then by name
  for (const std::string& g : groups) by_account[account_of(g)].push_back(g);
  auto scope_in = [&](const std::string& account) -> std::optional<SignInScope> {
    auto it = by_account.find(account);
    if (it == by_account.end()) return std::nullopt;
    std::optional<Role> role = role_for_groups(it->second, rules);
    if (!role) return std::nullopt;
    return SignInScope{account, *role};
  };
  if (!wanted.empty()) return scope_in(wanted);
  for (const auto& [account, _] : by_account)
    if (std::optional<SignInScope> s = scope_in(account)) return s;
  return std::nullopt;
}

}  // namespace strata::control

// Sign-in sessions (DESIGN §11.6, #25): what the server hands a person who signed in with
// GitHub (or another OAuth2 provider) — a JWT (HS256 under a key every replica derives from the
// key ring; sub, name, role, iat, exp, jti) in an HttpOnly cookie, short-lived, refreshed while
// its session lasts, and revocable: the jti names a session record (an api_tokens row with
// session_of set), so logout or an admin's revocation stops it on every replica within a second.
// Also the signed cookie that carries an OAuth login's state and PKCE verifier from /auth/login
// to /auth/callback, and the rules that turn a user's organisations and teams into a role.
// No HTTP here: server/api/auth_api.cc speaks to the provider.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "control/authorization.h"

namespace strata::control {

// The provider and the rules, from the server's configuration (`oauth = { … }`).
struct OAuthSettings {
  std::string client_id;
  std::string client_secret;  // from STRATA_OAUTH_CLIENT_SECRET or client_secret_file; never logged
  std::string authorize_url = "https://github.com/login/oauth/authorize";
  std::string token_url = "https://github.com/login/oauth/access_token";
  std::string api_url = "https://api.github.com";
  std::string external_url;  // the server as browsers reach it ("" = its listen URL)
  // "ORG" or "ORG/TEAM" (team slug) -> role; a user gets the highest role any of theirs names.
  std::map<std::string, std::string> roles;
  int64_t token_seconds = 15 * 60;        // a session JWT's life; refreshed while the session lasts
  int64_t session_seconds = 12 * 3600;    // a session's life from sign-in
  bool on() const { return !client_id.empty(); }
};

struct SessionClaims {
  std::string subject;  // "github:alice"
  std::string name;     // "alice"
  std::string role;     // viewer | operator | maintainer | admin
  int64_t issued_at = 0;   // seconds since the epoch
  int64_t expires_at = 0;
  std::string id;       // jti: the session's secret id
};

// "HEADER.PAYLOAD.SIGNATURE", HS256 under `key`.
std::string sign_session(const SessionClaims& claims, const std::string& key);
// The claims of a JWT this server signed, whatever its expiry (the caller checks expires_at
// against now: a refresh accepts an expired one); nullopt for anything else — another
// algorithm ("none" included), a bad signature, a malformed token.
std::optional<SessionClaims> read_session(const std::string& jwt, const std::string& key);

// The login cookie: the OAuth state and PKCE verifier, signed, until `expires_at` (seconds).
// A sign-in for `strata remote login` (RFC 8252: a loopback redirect) also carries the CLI's
// port, its state and its S256 challenge.
struct LoginTicket {
  std::string state;
  std::string verifier;
  int64_t expires_at = 0;
  int cli_port = 0;  // 0: a browser sign-in
  std::string cli_state;
  std::string cli_challenge;
  std::string account;  // asked for with /auth/login?account=NAME; "" = sign_in_scope's choice
};
std::string sign_login(const LoginTicket& ticket, const std::string& key);
std::optional<LoginTicket> read_login(const std::string& text, const std::string& key);

// What the callback hands `strata remote login` (through the browser, to its loopback port): a
// signed grant the CLI trades, with the verifier behind `challenge`, for an API token of `role`.
struct CliGrant {
  std::string subject;  // "github:alice"
  std::string name;     // "alice"
  std::string role;
  std::string challenge;
  std::string nonce;    // the token it becomes is named by it: a grant is traded once
  int64_t expires_at = 0;
  std::string account;  // the account the token belongs to ("" = the server's own)
};
std::string sign_cli_grant(const CliGrant& grant, const std::string& key);
std::optional<CliGrant> read_cli_grant(const std::string& text, const std::string& key);

// base64url without padding (JWTs, PKCE).
std::string base64url(const std::string& bytes);
// The PKCE S256 challenge of `verifier` (RFC 7636).
std::string pkce_challenge(const std::string& verifier);

// The highest role `groups` ("acme", "acme/platform") earn under `rules` (names matched in any
// case, as GitHub's are); nullopt when none.
std::optional<Role> role_for_groups(const std::vector<std::string>& groups,
                                    const std::map<std::string, std::string>& rules);

// Where a person signing in lands: an account ("" = the server's own) and the role they have
// there.
struct SignInScope {
  std::string account;
  Role role = Role::kNone;
  bool operator==(const SignInScope&) const = default;
};
// `groups` are the person's organisations and teams as the provider names them ("Acme",
// "Acme/platform"); `accounts` the names of the server's accounts of kind github. A group
// belongs to account A when its organisation, lower-cased, is A; its role there is what
// `rules` give that group. With `wanted` (/auth/login?account=A): account A, with the highest
// role A's groups earn, nullopt when they earn none. Without: the server's own, with the
// highest role the groups of no account earn, when they earn one; else the first account (by
// name) whose groups earn a role. A session belongs to one account; a member of several picks
// with ?account=.
std::optional<SignInScope> sign_in_scope(const std::vector<std::string>& groups,
                                         const std::map<std::string, std::string>& rules,
                                         const std::vector<std::string>& accounts, const std::string& wanted);

}  // namespace strata::control

// `strata server --config FILE`: the server's settings in HCL, like the rest of Stackly's
// configuration (DESIGN §11.1). Every setting a flag has:
//
//   listen    = "0.0.0.0:8470"
//   data_dir  = "/var/lib/strata"          # relative paths are relative to this file's folder
//   database  = "postgres://strata@db/strata"
//   workers   = 2                          # in-process workers
//   lease     = 60                         # seconds
//   tls_cert  = "tls/cert.pem"
//   tls_key   = "tls/key.pem"
//   metrics   = true
//   rate_limits = { api = "50/s:200", worker = "off" }   # the rest keep their defaults
//   github = {                             # pull requests: check runs and comments (control/pull_requests.h)
//     token_file = "github-token"          # or STRATA_GITHUB_TOKEN; or as a GitHub App:
//     # app_id = "123456"  private_key_file = "app.pem"
//     api_url    = "https://github.example.com/api/v3"   # GitHub Enterprise; default api.github.com
//     external_url = "https://strata.example.com"       # links in check runs
//     fork_pull_requests = "comment"       # or "plan": plan forks' pull requests without a maintainer
//   }
//   oauth = {                              # sign-in with GitHub (control/sessions.h)
//     client_id = "Iv1.0123"               # the secret: STRATA_OAUTH_CLIENT_SECRET or client_secret_file
//     roles     = { acme = "viewer", "acme/platform" = "operator" }
//   }
//
// Flags given on the command line win over the file. An unknown setting, a wrong type or a
// value out of range is an Error with file:line:col and what to write instead.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "server/server.h"

namespace strata::server {

// Reads `path` over `options` (the defaults): what the file sets replaces them. Throws an
// Error listing every problem found.
void load_server_config(const std::string& path, ServerOptions& options);

// One class's rate limit ("api", "20/s:100"; "off"), from the file or `--rate-limit CLASS=LIMIT`:
// an Error saying what is wrong and what to write.
void set_rate_limit(control::RateLimits& limits, const std::string& name, const std::string& text);
// The same from `--rate-limit CLASS=LIMIT` as given (the Error names the flag).
void set_rate_limit_flag(control::RateLimits& limits, const std::string& given);

// The ranges the file and the flags share: an Error naming the flag when one is out of range.
void check_server_options(const ServerOptions& options);

// `strata server`'s settings: the defaults, then the `config` file's (when given), then the
// command line's — `flags` holds every flag's value, `given` names the flags the command line
// set ("--listen", …), and without a config file every flag counts — then each --rate-limit
// CLASS=LIMIT. Checked (check_server_options); Errors as load_server_config's.
ServerOptions merged_server_options(const std::string& config, const ServerOptions& flags,
                                    const std::set<std::string>& given, const std::vector<std::string>& rate_limits);

// STRATA_SERVER_ADMIN_TOKEN (the admin token a first start creates), taken out of `env` so engines
// and stack files never see it; "" when unset.
std::string take_admin_token(workspace::Environment& env);
// STRATA_OAUTH_CLIENT_SECRET, taken out of `env` like the admin token (over client_secret_file).
// An Error when sign-in is set without a secret, or would send sessions over plain http off
// loopback.
void take_oauth_secret(workspace::Environment& env, ServerOptions& options);
// STRATA_GITHUB_TOKEN (the API token for check runs and comments), taken out of `env` like the
// admin token (over github.token_file).
void take_github_token(workspace::Environment& env, ServerOptions& options);
// STRATA_SERVER_KEYRING (the key ring's text), taken out of `env` like the admin token: no
// engine or hook the server starts sees it.
std::string take_keyring_text(workspace::Environment& env);

}  // namespace strata::server

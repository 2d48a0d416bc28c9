#include "server/server_config.h"

#include <algorithm>
#include <filesystem>
#include <memory>

#include "base/atomic_file.h"
#include "base/duration.h"
#include "base/suggest.h"
#include "hcl/eval.h"
#include "hcl/functions.h"
#include "hcl/parser.h"
#include "hcl/source_range.h"
#include "model/error.h"

namespace strata::server {

namespace {

constexpr int kMaxWorkers = 256;
constexpr int kMinLeaseSeconds = 3, kMaxLeaseSeconds = 86400;

constexpr int kMaxStateVersions = 1000000, kMaxLogDays = 36500;

const std::vector<std::string> kSettings = {"listen",  "data_dir", "database", "workers",
                                            "lease",   "tls_cert", "tls_key",  "metrics",
                                            "keyring", "keep_state_versions", "keep_logs_days",
                                            "rate_limits", "oauth", "github"};

const std::vector<std::string> kRateClasses = {"api", "worker", "state", "auth_failures", "account", "webhook"};

// Why `n` cannot be the retention setting `name`; "" when it can.
std::string bad_retention(const std::string& name, int64_t n) {
  int64_t most = name == "keep_state_versions" ? kMaxStateVersions : kMaxLogDays;
  if (n < 0 || n > most) return name + " must be from 0 (keep everything) to " + std::to_string(most);
  return "";
}

const std::vector<std::string> kGitHubSettings = {"api_url",      "token_file", "external_url", "fork_pull_requests",
                                                  "app_id",       "private_key_file"};

const std::vector<std::string> kOAuthSettings = {"client_id",   "client_secret_file", "authorize_url", "token_url",
                                                 "api_url",     "external_url",       "roles",         "token_lifetime",
                                                 "session_lifetime"};

bool loopback_url(const std::string& url) {
  for (const char* prefix : {"http://127.0.0.1", "http://localhost", "http://[::1]"})
    if (url.rfind(prefix, 0) == 0) return true;
  return false;
}

// `github = { … }`: each mistake reported through `problem(why, hint)`.
template <typename Relative, typename Problem>
void read_github(const Value& v, control::GitHubOptions& github, Relative relative, Problem problem) {
  for (const auto& [name, item] : v.as_map()) {
    if (std::find(kGitHubSettings.begin(), kGitHubSettings.end(), name) == kGitHubSettings.end()) {
      std::string guess = closest_match(name, kGitHubSettings);
      problem("unknown setting \"" + name + "\"", guess.empty() ? "the settings are api_url, token_file, external_url, "
                                                                   "fork_pull_requests, app_id, private_key_file"
                                                                 : "did you mean \"" + guess + "\"?");
      continue;
    }
    if (!item.is_string()) {
      problem(name + " must be a string, not " + std::string(item.kind_name()), "");
      continue;
    }
    const std::string& text = item.as_string();
    if (name == "app_id") {
      github.app_id = text;
    } else if (name == "private_key_file") {
      std::optional<std::string> key = read_file_if_exists(relative(text));
      if (!key) {
        problem("private_key_file " + relative(text) + " cannot be read", "");
        continue;
      }
      github.app_private_key = *key;
    } else if (name == "token_file") {
      std::optional<std::string> token = read_file_if_exists(relative(text));
      if (!token) {
        problem("token_file " + relative(text) + " cannot be read", "");
        continue;
      }
      while (!token->empty() && (token->back() == '\n' || token->back() == '\r')) token->pop_back();
      github.token = *token;
    } else if (name == "fork_pull_requests") {
      if (text != "comment" && text != "plan") {
        problem("fork_pull_requests must be \"comment\" or \"plan\", not \"" + text + "\"",
                "comment (the default): a fork's pull request is planned when a maintainer comments `strata plan`");
        continue;
      }
      github.fork_policy = text;
    } else if (text.rfind("https://", 0) != 0 && !loopback_url(text)) {
      problem(name + " must be an https:// URL (or http:// on loopback), not \"" + text + "\"",
              "the GitHub token would cross the network in clear");
    } else if (name == "api_url") {
      github.api_url = text;
    } else {
      github.external_url = text;
    }
  }
}

// `oauth = { … }`: each mistake reported through `problem(why, hint)`.
template <typename Relative, typename Problem>
void read_oauth(const Value& v, control::OAuthSettings& oauth, Relative relative, Problem problem) {
  for (const auto& [name, item] : v.as_map()) {
    if (std::find(kOAuthSettings.begin(), kOAuthSettings.end(), name) == kOAuthSettings.end()) {
      std::string guess = closest_match(name, kOAuthSettings);
      problem("unknown setting \"" + name + "\"", guess.empty() ? "the settings are client_id, client_secret_file, "
                                                                   "authorize_url, token_url, api_url, external_url, "
                                                                   "roles, token_lifetime, session_lifetime"
                                                                 : "did you mean \"" + guess + "\"?");
      continue;
    }
    if (name == "roles") {
      if (!item.is_map()) {
        problem("roles must be an object such as { \"acme/platform\" = \"operator\" }", "");
        continue;
      }
      for (const auto& [group, role] : item.as_map()) {
        if (!role.is_string() || !control::parse_role(role.as_string())) {
          problem("roles.\"" + group + "\" must be viewer, operator, maintainer or admin", "");
          continue;
        }
        oauth.roles[group] = role.as_string();
      }
      continue;
    }
    if (!item.is_string()) {
      problem(name + " must be a string, not " + std::string(item.kind_name()), "");
      continue;
    }
    const std::string& text = item.as_string();
    if (name == "token_lifetime" || name == "session_lifetime") {
      std::optional<std::chrono::milliseconds> d = parse_duration(text);
      if (!d || d->count() < 1000) {
        problem(name + " must be a duration such as 15m or 12h, not \"" + text + "\"", "");
        continue;
      }
      (name == "token_lifetime" ? oauth.token_seconds : oauth.session_seconds) =
          std::chrono::duration_cast<std::chrono::seconds>(*d).count();
      continue;
    }
    if (name == "client_secret_file") {
      std::optional<std::string> secret = read_file_if_exists(relative(text));
      if (!secret) {
        problem("client_secret_file " + relative(text) + " cannot be read", "");
        continue;
      }
      while (!secret->empty() && (secret->back() == '\n' || secret->back() == '\r')) secret->pop_back();
      oauth.client_secret = *secret;
      continue;
    }
    if (name != "client_id" && text.rfind("https://", 0) != 0 && !loopback_url(text)) {
      problem(name + " must be an https:// URL (or http:// on loopback), not \"" + text + "\"",
              "sessions and codes sent over plain http can be read on the network");
      continue;
    }
    if (name == "client_id") oauth.client_id = text;
    if (name == "authorize_url") oauth.authorize_url = text;
    if (name == "token_url") oauth.token_url = text;
    if (name == "api_url") oauth.api_url = text;
    if (name == "external_url") oauth.external_url = text;
  }
  if (oauth.client_id.empty()) problem("client_id is missing", "the OAuth app's client id, from the provider");
  if (oauth.roles.empty())
    problem("roles is empty: nobody could sign in", "e.g. roles = { \"acme/platform\" = \"operator\" }");
}

}  // namespace

void set_rate_limit(control::RateLimits& limits, const std::string& name, const std::string& text) {
  std::optional<control::RateClass> c = control::parse_rate_class(name);
  if (!c) {
    std::string guess = closest_match(name, kRateClasses);
    throw Error(ErrorKind::kUserInput, "no rate limit class \"" + name + "\"", {},
                guess.empty() ? "the classes are api, worker, state, auth_failures, account and webhook"
                              : "did you mean \"" + guess +
                                    "\"? (the classes are api, worker, state, auth_failures, account, webhook)");
  }
  limits.of(*c) = control::rate_limit_from(text);
}

void set_rate_limit_flag(control::RateLimits& limits, const std::string& given) {
  size_t eq = given.find('=');
  if (eq == std::string::npos)
    throw Error(ErrorKind::kUserInput, "--rate-limit " + given + " is not CLASS=LIMIT", {},
                "write --rate-limit CLASS=LIMIT, e.g. --rate-limit api=20/s:100 (classes: api, worker, state, "
                "auth_failures, account)");
  try {
    set_rate_limit(limits, given.substr(0, eq), given.substr(eq + 1));
  } catch (const Error& e) {
    throw Error(ErrorKind::kUserInput, "--rate-limit " + given + ": " + e.message(), {}, e.hint());
  }
}

void load_server_config(const std::string& path, ServerOptions& options) {
  std::optional<std::string> source = read_file_if_exists(path);
  if (!source)
    throw Error(ErrorKind::kUserInput, "no server configuration at " + path, {},
                "pass --config the path of an HCL file (see `strata server --help`)");
  auto file_name = std::make_shared<const std::string>(path);
  hcl::File file = hcl::parse_config(*source, path);
  Diagnostics diags;
  auto at = [&](const hcl::Range& r) { return hcl::origin_of(file_name, r); };
  for (const auto& d : file.diagnostics.items())
    if (d.severity == Severity::kError) diags.error(at(d.subject), d.summary + (d.detail.empty() ? "" : ": " + d.detail));
  diags.throw_if_errors();

  std::string folder = std::filesystem::path(path).parent_path().string();
  auto relative = [&](const std::string& p) {
    return p.empty() || p.front() == '/' || folder.empty() ? p : folder + "/" + p;
  };
  hcl::FunctionTable functions = hcl::standard_functions();
  hcl::EvalContext ctx;
  ctx.functions = &functions;
  for (const auto& block : file.body.blocks)
    diags.error(at(block.type_range), "the server configuration has no \"" + block.type + "\" block",
                "write settings as name = value (" + [] {
                  std::string all;
                  for (const auto& s : kSettings) all += (all.empty() ? "" : ", ") + s;
                  return all;
                }() + ")");
  for (const auto& a : file.body.attributes) {
    if (std::find(kSettings.begin(), kSettings.end(), a.name) == kSettings.end()) {
      std::string guess = closest_match(a.name, kSettings);
      diags.error(at(a.name_range), "unknown setting \"" + a.name + "\" in the server configuration",
                  guess.empty() ? "the settings are the flags' names with '_' for '-'"
                                : "did you mean \"" + guess + "\"?");
      continue;
    }
    hcl::HclDiagnostics d;
    Value v = hcl::evaluate(*a.expr, &ctx, d);
    for (const auto& item : d.items())
      if (item.severity == Severity::kError) diags.error(at(item.subject), a.name + ": " + item.summary);
    if (d.has_errors()) continue;
    auto want = [&](const char* kind) {
      diags.error(at(a.expr->range), a.name + " must be " + kind + ", not " + v.kind_name());
    };
    if (a.name == "workers" || a.name == "lease" || a.name.rfind("keep_", 0) == 0) {
      std::optional<int64_t> whole = v.is_number() ? v.as_number().as_int() : std::nullopt;
      if (!whole) {
        want("a whole number");
        continue;
      }
      int64_t n = *whole;
      if (a.name.rfind("keep_", 0) == 0) {
        if (std::string why = bad_retention(a.name, n); !why.empty()) {
          diags.error(at(a.expr->range), why, "the default, 0, keeps everything");
          continue;
        }
        (a.name == "keep_state_versions" ? options.keep_state_versions : options.keep_logs_days) = static_cast<int>(n);
      } else if (a.name == "workers") {
        if (n < 0 || n > kMaxWorkers) {
          diags.error(at(a.expr->range), "workers must be from 0 to 256", "0 runs activities only on `strata worker`s");
          continue;
        }
        options.workers = static_cast<int>(n);
      } else {
        if (n < kMinLeaseSeconds || n > kMaxLeaseSeconds) {
          diags.error(at(a.expr->range), "lease must be from 3 to 86400 seconds", "the default is 60");
          continue;
        }
        options.lease = std::chrono::seconds(n);
      }
    } else if (a.name == "rate_limits") {
      if (!v.is_map()) {
        want("an object such as { api = \"20/s:100\" }");
        continue;
      }
      for (const auto& [name, limit] : v.as_map()) {
        if (!limit.is_string()) {
          diags.error(at(a.expr->range), "rate_limits." + name + " must be a string such as \"20/s:100\", not " +
                                             limit.kind_name());
          continue;
        }
        try {
          set_rate_limit(options.rate_limits, name, limit.as_string());
        } catch (const Error& e) {
          diags.error(at(a.expr->range), "rate_limits." + name + ": " + e.message(), e.hint());
        }
      }
    } else if (a.name == "oauth") {
      if (!v.is_map()) {
        want("an object such as { client_id = \"…\", roles = { acme = \"viewer\" } }");
        continue;
      }
      read_oauth(v, options.oauth, relative, [&](const std::string& why, const std::string& hint) {
        diags.error(at(a.expr->range), "oauth: " + why, hint);
      });
    } else if (a.name == "github") {
      if (!v.is_map()) {
        want("an object such as { token_file = \"github-token\" }");
        continue;
      }
      read_github(v, options.github, relative, [&](const std::string& why, const std::string& hint) {
        diags.error(at(a.expr->range), "github: " + why, hint);
      });
      if (options.github.app_id.empty() != options.github.app_private_key.empty())
        diags.error(at(a.expr->range), "github: app_id and private_key_file go together",
                    "a GitHub App is its id and the private key GitHub made for it");
    } else if (a.name == "metrics") {
      if (!v.is_bool()) {
        want("true or false");
        continue;
      }
      options.metrics = v.as_bool();
    } else {
      if (!v.is_string()) {
        want("a string");
        continue;
      }
      const std::string& text = v.as_string();
      if (a.name == "listen") options.listen = text;
      if (a.name == "data_dir") options.data_dir = relative(text);
      if (a.name == "tls_cert") options.tls_cert = relative(text);
      if (a.name == "tls_key") options.tls_key = relative(text);
      if (a.name == "keyring") options.keyring = relative(text);
      if (a.name == "database") {
        bool url = text.find("://") != std::string::npos || text.rfind("sqlite:", 0) == 0;
        options.database = url ? text : relative(text);
      }
    }
  }
  diags.throw_if_errors();
}

void check_server_options(const ServerOptions& options) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(options.lease).count();
  if (seconds < kMinLeaseSeconds || seconds > kMaxLeaseSeconds)
    throw Error(ErrorKind::kUserInput, "--lease must be from 3 to 86400 seconds", {}, "the default is 60");
  for (auto [name, n] : {std::pair<const char*, int>{"keep_state_versions", options.keep_state_versions},
                         {"keep_logs_days", options.keep_logs_days}}) {
    if (std::string why = bad_retention(name, n); !why.empty()) {
      std::string flag = "--" + std::string(name);
      std::replace(flag.begin(), flag.end(), '_', '-');
      throw Error(ErrorKind::kUserInput, flag + why.substr(std::string(name).size()), {}, "the default, 0, keeps everything");
    }
  }
  if (options.workers < 0 || options.workers > kMaxWorkers)
    throw Error(ErrorKind::kUserInput, "--workers must be from 0 to 256", {},
                "0 runs no activity here: only `strata worker`s do");
}

namespace {

// The variable's value, taken out of `env` (nothing the server starts sees it); "" when unset.
std::string take_variable(workspace::Environment& env, const char* name) {
  std::string value;
  if (auto it = env.find(name); it != env.end()) {
    value = it->second;
    env.erase(it);
  }
  return value;
}

}  // namespace

std::string take_keyring_text(workspace::Environment& env) { return take_variable(env, "STRATA_SERVER_KEYRING"); }

std::string take_admin_token(workspace::Environment& env) { return take_variable(env, "STRATA_SERVER_ADMIN_TOKEN"); }

void take_github_token(workspace::Environment& env, ServerOptions& options) {
  std::string token = take_variable(env, "STRATA_GITHUB_TOKEN");
  if (!token.empty()) options.github.token = token;
}

void take_oauth_secret(workspace::Environment& env, ServerOptions& options) {
  std::string secret = take_variable(env, "STRATA_OAUTH_CLIENT_SECRET");
  if (!secret.empty()) options.oauth.client_secret = secret;
  if (!options.oauth.on()) return;
  if (options.oauth.client_secret.empty())
    throw Error(ErrorKind::kUserInput, "oauth is set but its client secret is not", {},
                "set STRATA_OAUTH_CLIENT_SECRET, or client_secret_file in oauth = { … }");
  std::string external = options.oauth.external_url;
  bool tls = !options.tls_cert.empty();
  if (external.empty() && !tls && options.listen.rfind("127.0.0.1:", 0) != 0 && options.listen.rfind("localhost:", 0) != 0)
    throw Error(ErrorKind::kUserInput, "sign-in needs HTTPS: this server listens on " + options.listen + " without TLS",
                {}, "serve HTTPS (--tls-cert, --tls-key) or set oauth.external_url to the https:// URL of a proxy");
}

ServerOptions merged_server_options(const std::string& config, const ServerOptions& flags,
                                    const std::set<std::string>& given, const std::vector<std::string>& rate_limits) {
  ServerOptions options;
  if (!config.empty()) load_server_config(config, options);
  auto flag = [&](const char* name) { return config.empty() || given.count(name) > 0; };
  if (flag("--listen")) options.listen = flags.listen;
  if (flag("--data-dir")) options.data_dir = flags.data_dir;
  if (flag("--database")) options.database = flags.database;
  if (flag("--workers")) options.workers = flags.workers;
  if (flag("--lease")) options.lease = flags.lease;
  if (flag("--tls-cert")) options.tls_cert = flags.tls_cert;
  if (flag("--tls-key")) options.tls_key = flags.tls_key;
  if (flag("--no-metrics")) options.metrics = flags.metrics;
  if (flag("--keyring")) options.keyring = flags.keyring;
  if (flag("--keep-state-versions")) options.keep_state_versions = flags.keep_state_versions;
  if (flag("--keep-logs-days")) options.keep_logs_days = flags.keep_logs_days;
  for (const std::string& limit : rate_limits) set_rate_limit_flag(options.rate_limits, limit);
  check_server_options(options);
  return options;
}

}  // namespace strata::server

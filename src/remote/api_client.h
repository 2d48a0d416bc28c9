// ApiClient: a strata server's API as its clients call it (DESIGN §11) — the credentials
// `strata remote login` stores, one call with the server's own error message, following a run to
// its end, and the live log stream (server-sent events). `strata remote` renders what it returns;
// the rules of what a run's status means stay the server's (store/run_rules.h).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace strata::app {
class HttpClient;
struct HttpRequest;
struct HttpResponse;
}

namespace strata::remote {

using Environment = std::map<std::string, std::string>;

struct Credentials {
  std::string server;   // "https://strata.example.com:8470", no trailing slash
  std::string token;    // an API token
  std::string ca_cert;  // a PEM bundle trusted for this server's HTTPS instead of the system's
};

// $XDG_CONFIG_HOME/strata/remote.json (~/.config/… without it), in `env`.
std::string credentials_path(const Environment& env);
// STRATA_SERVER, STRATA_TOKEN and STRATA_CA_CERT in `env`, else what login stored; an Error
// saying how to log in when there is no server or no token.
Credentials load_credentials(const Environment& env);
// The same when they name the server at `url` (no trailing slash); nullopt when they name
// another server, or there are none.
std::optional<Credentials> credentials_for(const std::string& url, const Environment& env);
// Stores them for later commands (mode 0600); returns the path.
std::string store_credentials(const Credentials& credentials, const Environment& env);

// The API's error body {"error": {"code", "message", "hint"}}; the raw body (cut) as the message
// when it is not one.
struct ApiError {
  std::string code, message, hint;
};
ApiError read_api_error(const std::string& body);

// Whether a plan run's activities report changes (their change summaries).
bool run_has_changes(const nlohmann::json& run);

// What `GET /api/v1/audit` filters by ("" = anything).
struct AuditQuery {
  std::string actor;    // exactly: "token:ci"
  std::string action;   // a prefix: "state." for every state action
  std::string target;   // a prefix: a state key, a repository
  std::string outcome;  // ok | denied
  std::string since;    // "2026-12-07T10:00:00Z", or an age: "30m", "24h", "7d"
  int limit = 50;
  std::optional<std::string> account;  // one account's entries ("" = the server's own); the server's tokens only
};

// What `POST /api/v1/tokens` takes.
struct NewToken {
  std::string name;
  std::string role;  // viewer | operator | maintainer | admin
  std::vector<std::string> repositories;  // empty = every repository the creator may reach
  int expires_in_days = 0;                // 0 = never
  std::string account;                    // "" = the creator's
};

// What `POST /api/v1/runs` takes (control::RunRequest on the server).
struct RunStart {
  std::string repository;
  std::string command;  // plan | apply | destroy
  std::vector<std::string> stacks;
  std::vector<std::string> components;  // "stack/component"
  bool all = false;
  std::string commit;  // "" = the default branch's head
};

class ApiClient {
 public:
  explicit ApiClient(Credentials credentials);
  ~ApiClient();
  const Credentials& credentials() const { return credentials_; }

  // One call; the JSON answer (null when empty). Any status >= 400 throws an Error carrying the
  // server's message and hint (kNotFound for 404).
  nlohmann::json call(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr);
  // A call whose answer is text (logs, a state); `body` (a state) is sent as JSON when not
  // empty. Errors as call().
  std::string send_text(const std::string& method, const std::string& path, const std::string& body = "");
  std::string get_text(const std::string& path) { return send_text("GET", path); }

  // The API's calls, each answering the server's JSON (errors as call()).
  // `account` "" = the caller's (a server token's: none).
  // `github` ("owner/name") with the secret its webhook signs deliveries with, or neither.
  nlohmann::json add_repository(const std::string& name, const std::string& url, const std::string& account = "",
                                const std::string& github = "", const std::string& webhook_secret = "",
                                bool auto_destroy = false);
  // The stack-code registry (#23): stack states ("" = every repository; status "" = both),
  // re-associating a loose one, events, and the webhook deliveries received.
  nlohmann::json stack_states(const std::string& repository, const std::string& status);
  nlohmann::json associate_stack_state(const std::string& id, const std::string& stack);
  nlohmann::json events(const std::string& repository, const std::string& kind, int64_t after, int limit);
  nlohmann::json webhook_deliveries(const std::string& repository, int limit);
  // Accounts (the server's own admins create them; a token of an account sees its own).
  nlohmann::json create_account(const std::string& name, const std::string& kind, const std::string& rate_limit);
  nlohmann::json accounts();
  nlohmann::json repositories();
  nlohmann::json runs(int limit);
  nlohmann::json run(const std::string& id);
  nlohmann::json cancel_run(const std::string& id);
  // A run's logs as text: every activity's, or one's ("" = every one).
  std::string run_logs(const std::string& id, const std::string& activity = "");
  nlohmann::json workers();

  // Terraform states (a key as /tfstate/ addresses it: "infra/dev/network").
  nlohmann::json states(const std::string& prefix);
  nlohmann::json state(const std::string& key);
  nlohmann::json state_versions(const std::string& key);
  // A state's text as Terraform wrote it: the latest (version 0) or an older one.
  std::string state_data(const std::string& key, int64_t version = 0);
  // Writes a state as Terraform's http backend does (`force`: over a newer serial, an admin's).
  // Refuses, before sending, what is not a Terraform state (`source` names it in the message: a
  // file). Returns the state's serial.
  int64_t push_state(const std::string& key, const std::string& data, bool force,
                     const std::string& source = "the state");
  nlohmann::json restore_state(const std::string& key, int64_t version);
  // Breaks a state's lock (`lock_id` "" = whoever holds it); the answer names what was broken.
  nlohmann::json unlock_state(const std::string& key, const std::string& lock_id);

  // A repository's variable set ("" stack = every stack's entry).
  nlohmann::json set_variable(const std::string& repository, const std::string& stack, const std::string& name,
                              const std::string& value, bool sensitive);
  nlohmann::json variables(const std::string& repository);
  void unset_variable(const std::string& repository, const std::string& stack, const std::string& name);
  // An age identity file's text for REPO [STACK]: checked to hold identities age can use (an
  // Error at `where`:line otherwise), stored as the sensitive variable SOPS_AGE_KEY, which is
  // what stack files' secrets() read on workers.
  nlohmann::json set_age_identity(const std::string& repository, const std::string& stack, const std::string& text,
                                  const std::string& where);
  // Starts a run; the server's answer (the run with its activities).
  nlohmann::json start_run(const RunStart& run);
  // POST /api/v1/runs/{id}/apply: an apply run of the plans plan run `plan_run_id` saved.
  nlohmann::json apply_plan(const std::string& plan_run_id);

  // API tokens: a new one (its record with "token", shown once), the ones this token may see,
  // and a revocation.
  nlohmann::json create_token(const NewToken& token);
  // A worker join token (admin): registers workers until it expires.
  nlohmann::json create_join_token(const std::string& name, int64_t expires_in_minutes);
  nlohmann::json tokens();
  nlohmann::json revoke_token(const std::string& id);
  // The audit log, newest first (an admin's token).
  nlohmann::json audit(const AuditQuery& query);

  // Polls the run until it has ended; on_activity(activity) for each activity whose status changed.
  nlohmann::json wait_for_run(const std::string& id, const std::function<void(const nlohmann::json&)>& on_activity);

  // GET /runs/{id}/logs?follow=true: on_log(log event: stack, component, text) as the server sends
  // them; returns the run's final status. An Error when the stream ends before the run does.
  std::string follow_logs(const std::string& id, const std::string& activity,
                          const std::function<void(const nlohmann::json&)>& on_log);

 private:
  // A request to the server's `path`, with the token and (unless null) an Accept header.
  app::HttpRequest request(const std::string& method, const std::string& path, const char* accept) const;
  [[noreturn]] void fail(const app::HttpResponse& response, const std::string& body) const;
  Credentials credentials_;
  std::unique_ptr<app::HttpClient> http_;
};

}  // namespace strata::remote

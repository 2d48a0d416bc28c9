// ControlPlane: what `strata server` decides, with no HTTP in it (DESIGN §11.3) — registering
// repositories, turning a run request into one activity per component (loading the project at
// the run's commit with the CLI's own front-ends and graph), API tokens, and the credentials
// an activity's engine uses for the server's Terraform state. The HTTP handlers and the
// in-process workers call this; everything it knows is in the Store.
#pragma once

#include <atomic>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/temp_dir.h"
#include "control/git_cache.h"
#include "control/lease_broker.h"
#include "control/rate_limiter.h"
#include "control/sessions.h"
#include "control/pull_requests.h"
#include "control/stack_registry.h"
#include "control/webhook_inbox.h"
#include "model/project.h"
#include "store/store.h"
#include "workspace/server_state.h"
#include "workspace/workspace.h"

namespace strata::control {

struct ControlOptions {
  std::string data_dir;
  // Where engines reach this server's Terraform state (`http://127.0.0.1:8470`); set once the
  // listener knows its port.
  std::string server_url;
  // The environment projects load with and engines see (the server's own, for now).
  workspace::Environment env;
  store::Millis lease_ms = 60000;
  int max_attempts = 3;
  // The secret that mints the credential each lease's engine presents to /tfstate (lease_broker.h):
  // the same on every replica (the server derives it from the key ring). Empty: a random one,
  // good for this process only.
  std::string credential_key;
  // Retention (0 = keep everything), applied by tick() every kRetentionEveryMs.
  int keep_state_versions = 0;
  int keep_logs_days = 0;
  // Requests a caller may make (rate_limiter.h); per replica.
  RateLimits rate_limits;
  // Sign-in with an OAuth2 provider (sessions.h); off without a client id. Session JWTs are
  // signed with session_key (derived from the key ring: the same on every replica).
  OAuthSettings oauth;
  std::string session_key;
  // GitHub's API for pull requests (check runs, comments); off without a token.
  GitHubOptions github;
};

// POST /api/v1/runs, as the server reads it.
struct RunRequest {
  std::string repository;               // name or id
  std::string command;                  // plan | apply | destroy
  std::vector<std::string> stacks;      // every component of these stacks
  std::vector<std::string> components;  // "stack/component"
  bool all = false;
  std::string commit;                   // commit, branch or tag; "" = the default branch's head
  bool dependents = false;              // and every component that depends on the selection
};

// The project at one commit of a repository, loaded as a run loads it (with the repository's
// variable set); its checkout lives as long as this.
struct ProjectAtCommit {
  TempDir checkout{"strata-load"};
  std::unique_ptr<workspace::Workspace> ws;  // null when it did not load at all
  // Why it did not load ("" when it did): the loader's errors, file:line:col relative to the
  // repository root, sensitive values redacted.
  std::string error;
  Redactor sensitive;  // the variable set's sensitive values
  // `text` as a record may keep it: redacted, paths relative to the repository root.
  std::string shown(const std::string& text) const;
};

// Terraform state keys, and pointing a project at the server's state (workspace/server_state.h).
using workspace::state_key;
using workspace::use_server_state;

// `text` with "<root>/" taken out of every path in it: messages about files of a checkout name
// them as the repository does ("stacks/dev.js:3:5").
std::string relative_to(std::string text, const std::string& root);


class ControlPlane {
 public:
  ControlPlane(store::Store& store, ControlOptions options);

  store::Store& store() { return store_; }
  GitCache& git() { return git_; }
  // Workers waiting for an activity; start_run() and tick() wake them.
  LeaseBroker& leases() { return leases_; }
  RateLimiter& rate_limiter() { return rate_limiter_; }
  // The stack-code registry and the GitHub webhook inbox (DESIGN §11.4).
  StackRegistry& registry() { return registry_; }
  WebhookInbox& webhooks() { return webhooks_; }
  PullRequests& pull_requests() { return pull_requests_; }
  const ControlOptions& options() const { return options_; }
  void set_server_url(std::string url) { options_.server_url = std::move(url); }

  // Registers and fetches a repository. Throws an Error: user input for a bad name or a URL
  // that cannot be fetched (nothing is stored then), conflict for a name taken.
  // `account` ("" = the server's own) must exist.
  // `github` ("owner/name", kept in lower case) ties it to a GitHub repository whose webhook
  // deliveries are checked with `webhook_secret` (both or neither).
  // `auto_destroy`: a stack whose code is removed is destroyed rather than kept loose.
  store::Repository add_repository(const std::string& name, const std::string& url, const std::string& account = "",
                                   const std::string& github = "", const std::string& webhook_secret = "",
                                   bool auto_destroy = false);
  // The account that owns repository `name` ("" = the server's own, or no such repository).
  // A repository never changes account: what is found is remembered.
  std::string repository_account(std::string_view name);

  // Creates an account (store::Account). Throws an Error: user input for a bad name, kind or
  // rate limit, a conflict when the name is taken.
  store::Account create_account(const std::string& name, const std::string& kind, const std::string& rate_limit,
                                const std::string& created_by);
  // Spends one request of `account` ("" = none: never limited): zero when it may go, else how
  // long until it may. An account's own rate limit, else the server's for accounts; an account's
  // limit is read again every kCacheMs * 5.
  std::chrono::milliseconds take_account_request(const std::string& account);

  // Starts a run: fetches the repository, resolves the commit, loads the project there and
  // writes one activity per selected component (dependencies first; dependents first for
  // destroy). Throws an Error for a request that names nothing valid (unknown repository,
  // command, commit, stack or component) — nothing is stored then. A project that fails to
  // load at that commit gives a run that failed at once, its reason the loader's messages
  // (file:line:col relative to the repository root).
  store::Run start_run(const RunRequest& request, const std::string& created_by);
  // The project at `commit` (a full hash the cache holds) of `repo`.
  std::unique_ptr<ProjectAtCommit> load_at(const store::Repository& repo, const std::string& commit);

  // POST /api/v1/runs/{id}/apply: an apply run that applies exactly the plans plan run `plan_run_id`
  // saved, on any worker — never a fresh plan. Same commit, components and order as the plan
  // run; each activity names its plan activity. Throws an Error, storing nothing, when the run
  // is not a plan run that succeeded (conflict), when a plan is gone (retention), and when a
  // component's state has moved since its plan (its serial changed: stale, plan again).
  store::Run apply_plan(const std::string& plan_run_id, const std::string& created_by);
  // A worker's plan activity saved its plan (plan_file in base64): kept, sealed, with the serial
  // of the component's state now. kLost when `activity` (id, fencing token) no longer holds its
  // lease.
  store::LeaseCheck save_plan(const store::Activity& activity, const std::string& plan_file,
                              const std::string& stamp);

  // The files of `commit` of repository `repository_id` as a .tar.gz (what `strata worker`
  // fetches), or written into `dest`. A replica whose cache lacks the repository or the commit
  // (another replica started the run) fetches it first. Throws kNotFound for a commit the
  // repository does not have. The last few archives are kept: every activity of a run asks for
  // the same one.
  std::string code_archive(const std::string& repository_id, const std::string& commit);
  void export_code(const std::string& repository_id, const std::string& commit, const std::string& dest);

  // The outputs of component stack/component of the repository of `activity`'s run, read from
  // the state this server holds: the "outputs" object of its latest state, as `output -json`
  // prints it ("{}" when it has no state yet). nullopt when the activity's lease is over (its
  // fencing token is not the current one). A worker asks instead of initialising a dependency's
  // workdir to run `output -json` against this same state.
  // The activity `id` as stored, when `fencing_token` still holds its lease (leased or running);
  // nullopt when the lease is lost or there is no such activity.
  std::optional<store::Activity> held_activity(const std::string& id, int64_t fencing_token);

  std::optional<std::string> state_outputs(const store::Activity& activity, const std::string& stack,
                                           const std::string& component);
  // Who holds the state lock of component stack/component of `activity`'s repository
  // (control/lock_text.h); nullopt when none does, or the activity's lease is over.
  std::optional<std::string> lock_holder(const store::Activity& activity, const std::string& stack,
                                         const std::string& component);

  // After an activity of run `run_id` finished: waiting workers look again (its dependents may
  // be ready), and when the run ended, the runs waiting for its stacks may start. Cheaper than
  // tick(), which also walks the leases.
  void activity_finished(const std::string& run_id);

  // The periodic work every replica does: expired leases go back to the queue, waiting runs
  // start when their stacks are free, waiting workers look again. Call it after an activity
  // finishes too. Safe to call from several threads and replicas.
  void tick();
  // Retention now: the state versions and log chunks older than the options keep are removed,
  // and the audit log says how many (actor "server"). Returns the total removed.
  size_t apply_retention(store::Millis now);
  static constexpr store::Millis kRetentionEveryMs = 10 * 60 * 1000;

  // A worker asked for work: its last-seen time is written, at most once every
  // kWorkerSeenEveryMs per worker (a write per lease request would be a commit per activity).
  void worker_seen(const std::string& worker_id);
  static constexpr store::Millis kWorkerSeenEveryMs = 2000;

  // Tokens: the bearer token's record, when it is known, not expired and not revoked. A token found is
  // remembered for kCacheMs (every request of a worker names one: three reads per activity
  // otherwise); an unknown one is looked up every time.
  std::optional<store::ApiToken> authenticate(const std::string& token);
  // A sign-in session's record, from its JWT (control/sessions.h): signed with this server's
  // key, not expired (unless `expired_too`: a refresh), its session neither revoked nor over.
  std::optional<store::ApiToken> authenticate_session(const std::string& jwt, bool expired_too = false,
                                                      SessionClaims* claims = nullptr);
  // A new session for a person who signed in: its record, and its JWT.
  std::pair<store::ApiToken, std::string> start_session(const std::string& subject, const std::string& name, Role role,
                                                        const std::string& account = "");
  // A fresh JWT for a session that still lasts (its JWT may have expired); nullopt otherwise.
  std::optional<std::string> refresh_session(const std::string& jwt);
  // A registered worker's record, remembered for kCacheMs on this replica; register_worker()
  // here replaces it at once.
  std::optional<store::WorkerRecord> registered_worker(const std::string& id);
  void register_worker(const store::WorkerRecord& worker);
  static constexpr store::Millis kCacheMs = 1000;
  // A new random token as `record` describes it (name, role, repositories, expires_at,
  // created_by; its id when given, else a new one); only its hash is stored. Returns the stored record and the token itself (shown
  // once).
  std::pair<store::ApiToken, std::string> create_token(store::ApiToken record);
  // Revokes token `id`: refused at once on this replica, on every other within kCacheMs. False
  // when there is none or it was revoked already.
  bool revoke_token(const std::string& id);
  // A worker registered with join token `join`: its own credential (role "worker", bound to its
  // id), returned this once. The worker's earlier credentials are revoked.
  std::string issue_worker_credential(const store::WorkerRecord& worker, const store::ApiToken& join);
  // A token's last use is written at most this often (a write per request would be a commit
  // per request).
  static constexpr store::Millis kTokenUsedEveryMs = 60000;
  // First start: when the store holds no token, creates the admin token — `preset` when given
  // (STRATA_SERVER_ADMIN_TOKEN), else a random one — and writes it to <data-dir>/admin-token
  // (0600). Returns whether it created one. Never logs the token.
  bool bootstrap_admin_token(const std::string& preset);

  // Which activity an /tfstate credential belongs to, while its lease holds; nullopt otherwise.
  std::optional<store::Activity> activity_for_credential(const std::string& credential);

 private:
  // The token whose hash is `hash`, unless it expired or was revoked (cached for kCacheMs; its
  // last use noted at most every kTokenUsedEveryMs).
  std::optional<store::ApiToken> live_token(const std::string& hash);

  store::Store& store_;
  ControlOptions options_;
  GitCache git_;
  LeaseBroker leases_;
  RateLimiter rate_limiter_;
  StackRegistry registry_{*this};
  PullRequests pull_requests_{*this};
  WebhookInbox webhooks_{*this, registry_};
  template <typename T>
  struct Cached {
    T value;
    store::Millis at = 0;
  };
  std::mutex cache_mutex_;
  std::map<std::string, Cached<store::ApiToken>> tokens_;       // by hash
  std::map<std::string, Cached<store::WorkerRecord>> workers_;  // by id
  std::map<std::string, std::string, std::less<>> repository_accounts_;  // repository name -> account
  std::map<std::string, Cached<std::optional<RateLimit>>> account_limits_;  // by account
  std::atomic<store::Millis> retention_at_{0};  // when tick() last applied retention
  std::mutex seen_mutex_;
  std::map<std::string, store::Millis> seen_written_;  // worker id -> when its last_heartbeat was written
  std::map<std::string, store::Millis> used_written_;  // token id -> when its last_used_at was written
  std::mutex archives_mutex_;
  std::list<std::pair<std::string, std::string>> archives_;  // (repository id + commit, .tar.gz), newest first
};

}  // namespace strata::control

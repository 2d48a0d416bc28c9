// Store: every record the control plane keeps (DESIGN §11.2), behind one interface with two
// implementations — SQLite (a file in the server's data dir, the embedded default) and
// PostgreSQL (several replicas share it). Nothing the server knows lives only in its memory:
// a second replica, or the same server after a restart, sees exactly what the store holds.
//
// The activity state machine is the store's job, because it must be atomic across replicas:
// leasing (FOR UPDATE SKIP LOCKED on PostgreSQL, one writer on SQLite), fencing tokens, lease
// expiry, skipping the dependents of a failed activity and finishing the run when its last
// activity ends all happen inside one transaction each.
//
// Times are milliseconds since the Unix epoch, UTC. Ids are UUIDs (text). Every method is safe
// to call from several threads; failures of the database itself throw strata::Error
// (ErrorKind::kEnvironment) naming the operation.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace strata::store {

using Millis = int64_t;
Millis now_millis();
// A random version-4 UUID.
std::string new_uuid();

struct Repository {
  std::string id;
  std::string name;            // unique; what the API and CLI call it
  std::string url;             // what libgit2 fetches (a path or file:// here, https/ssh for users)
  std::string default_branch;  // "main" when the repository does not say
  Millis created_at = 0;
  Millis updated_at = 0;
  std::string account;         // the account that owns it; "" = the server's own
  // Its GitHub repository, "owner/name" in lower case ("" = none): webhook payloads are matched
  // against it.
  std::string github;
  // The secret GitHub signs its webhook deliveries with (sealed at rest; never shown); "" = none,
  // and deliveries for it are refused.
  std::string webhook_secret;
  // The default branch's commit the stack-code registry was last brought up to ("" = none yet).
  std::string registry_commit;
  // A stack whose code is removed is destroyed (with the code of the commit before), not kept loose.
  bool auto_destroy = false;
};

// Run states: queued, waiting (status_reason says for what), running, succeeded, failed,
// cancelled.
struct Run {
  std::string id;
  std::string repository_id;
  std::string command;        // plan | apply | destroy
  std::string commit;         // full hash the run loads the project at
  std::string selection_json; // {"stacks":[...],"components":[...]} as asked
  std::string status = "queued";
  std::string status_reason;  // why waiting, or why it failed before any activity ran
  std::string created_by;     // api token id
  // Stacks whose state this run changes (apply/destroy): one such run at a time per
  // (repository, stack); plans may run side by side.
  std::vector<std::string> locked_stacks;
  Millis created_at = 0;
  Millis updated_at = 0;
  Millis finished_at = 0;     // 0 while not finished
  bool cancel_requested = false;
  std::string plan_run_id;    // an apply of a plan run's saved plans: that plan run
};

// Activity states: queued, leased, running, succeeded, failed, skipped, cancelled.
struct Activity {
  std::string id;
  std::string run_id;
  std::string stack;
  std::string component;
  std::string command;                      // the run's command
  std::string status = "queued";
  std::vector<std::string> depends_on;      // activity ids of the same run
  std::vector<std::string> required_capabilities;  // features ("terraform") and labels ("k=v")
  std::string lease_owner;                  // worker id while leased/running
  Millis lease_until = 0;
  int64_t fencing_token = 0;                // new on every lease; older tokens are refused
  int attempt = 0;                          // leases so far
  std::string outputs_json;                 // after success: the component's outputs
  std::string changes_json;                 // after a plan: its changes summary
  std::string error;                        // after failure or skip: why
  Millis started_at = 0;
  Millis finished_at = 0;
  Millis created_at = 0;
  Millis updated_at = 0;
  std::string plan_activity_id;             // apply: the plan activity whose saved plan it applies
};

// The plan a plan activity saved (execute/saved_plan.h), kept for the apply made from its run.
struct SavedPlan {
  std::string activity_id;  // the plan activity
  std::string state_key;    // the component's Terraform state on this server
  int64_t state_serial = -1;  // that state's serial when the plan was saved; -1: it had none
  std::string plan_file;    // the engine's plan file, base64 (sealed at rest)
  std::string stamp;        // what the plan was made from (sealed at rest)
  Millis created_at = 0;
};

struct LogChunk {
  std::string activity_id;
  int64_t seq = 0;     // 0, 1, 2 … per activity, in the order the worker sent them
  std::string data;    // lines, already redacted by the worker
  Millis created_at = 0;
};

struct WorkerRecord {
  std::string id;
  std::string name;
  std::string version;
  std::vector<std::string> capabilities;  // features and "k=v" labels
  Millis registered_at = 0;
  Millis last_heartbeat = 0;
};

// An account (DESIGN §11.6, #25): an organisation — a GitHub organisation or a local team —
// that owns repositories (Repository::account) and so their runs, states and variables, with
// its own tokens, sign-ins, audit entries and rate limit.
// One server holds several; a token of one account sees nothing of another's. A token of no
// account is the server's own: its operators see and manage every account.
struct Account {
  std::string name;            // lower-case letters, digits and '-' (a GitHub organisation's login)
  std::string kind = "local";  // "local" | "github"
  std::string rate_limit;      // "" = the server's --rate-limit account=…; else "20/s:100" or "off"
  std::string created_by;      // the id of the token that created it
  Millis created_at = 0;
};

struct ApiToken {
  std::string id;
  std::string name;
  std::string hash;  // hex SHA-256 of the token; the token itself is never stored
  bool admin = false;  // role == "admin"
  Millis created_at = 0;
  Millis expires_at = 0;  // 0 = never
  // viewer | operator | maintainer | admin (control/authorization.h); "" when written by an
  // older caller: admin when `admin`, else operator. Or a worker's: "worker-join" (registers
  // workers, nothing else) or "worker" (a registered worker's credential, bound to worker_id).
  std::string role;
  std::vector<std::string> repositories;  // repository names it may act on; empty = every one
  std::string created_by;                 // the id of the token that created it; "" = the server
  Millis last_used_at = 0;
  Millis revoked_at = 0;                  // 0 = not revoked; a revoked token authenticates nothing
  std::string worker_id;                  // role "worker": the worker it speaks for
  std::string session_of;                 // a sign-in session: whose ("github:alice"); see control/sessions.h
  std::string account;                    // the account it belongs to; "" = the server's own
};

struct StateVersion {
  std::string key;
  int64_t version = 0;  // 1, 2 … per key
  std::string data;     // the state JSON as Terraform sent it (empty in listings)
  Millis created_at = 0;
  int64_t serial = 0;   // Terraform's, read from the state when it was stored
  std::string lineage;
  bool deleted = false; // a DELETE marks every version of the key; history is kept
};

struct StateLock {
  std::string key;
  std::string lock_id;
  std::string info_json;  // Terraform's LockInfo, as sent
  Millis created_at = 0;
  // Who took it: "activity:ID:FENCING_TOKEN" for an activity's engine (so the activity's next
  // lease can take over a lock its dead worker left), "token:NAME" for an API token.
  std::string owner;
};

// One line of the audit log (append-only): who did what to what, and how it ended. The identity
// issue's sign-ins, denials and token changes join the state backend's force-unlocks, restores
// and forced writes here.
struct AuditEntry {
  std::string id;
  std::string actor;        // "token:NAME" (its id after a space), "activity:ID"
  std::string action;       // "state.force_unlock", "state.restore", "state.force_write", …
  std::string target;       // what it acted on: a state key, a run id
  std::string detail_json;  // a JSON object: what else matters (the lock broken, the version)
  std::string outcome = "ok";
  std::string remote_address;
  Millis created_at = 0;
  std::string account;      // the acting token's account ("" = the server's own)
};

// Which audit entries to read; "" (or 0) lets everything through.
struct AuditFilter {
  std::string actor;    // exactly ("token:ci")
  std::string action;   // by prefix ("state." = every state action)
  std::string target;   // by prefix (a state key's repository, a route)
  std::string outcome;  // "ok", "denied"
  Millis since = 0;     // at or after
  // Exactly; nullopt lets every account through, "" is the server's own entries.
  std::optional<std::string> account;
};

// A variable set's entry: an environment variable every activity of the repository's runs gets
// (of one stack when `stack` is set; that one wins over the repository's).
struct Variable {
  std::string repository_id;
  std::string stack;        // "" = every stack
  std::string name;
  std::string value;        // sealed at rest
  bool sensitive = false;   // never shown by the API, redacted from logs
  Millis created_at = 0;
  Millis updated_at = 0;
};

// One GitHub webhook delivery whose signature held (DESIGN §11.4): the outbox the server answers
// from at once and processes later. Status: queued, processing, done, failed, ignored.
struct WebhookDelivery {
  std::string id;             // X-GitHub-Delivery
  std::string repository_id;
  std::string event;          // X-GitHub-Event
  std::string action;         // the payload's "action", when it has one
  std::string payload;        // the body as received (sealed at rest; empty in listings)
  std::string status = "queued";
  std::string outcome;        // what processing did, or why it failed or was ignored
  int attempt = 0;            // claims so far
  Millis claimed_until = 0;   // while processing: another replica may take it over after this
  Millis received_at = 0;
  Millis finished_at = 0;
};

// The stack-code registry (DESIGN §11.4): one stack code per component of a stack, as found on
// the repository's default branch.
struct StackCode {
  std::string id;
  std::string repository_id;
  std::string stack;
  std::string component;
  std::string path;         // its module's folder, relative to the repository root
  std::string commit;       // the commit it was registered or last changed at
  Millis created_at = 0;
  Millis updated_at = 0;
};

// A deployed stack's state: "active" while its stack code is registered, "loose" once the code
// is gone (a module folder deleted or moved, its stack config removed). A loose stack state keeps
// its Terraform state until it is re-associated with stack code or destroyed. With its
// repository's auto_destroy it is "destroying" (destroy_run) instead, then "destroyed".
struct StackState {
  std::string id;
  std::string repository_id;
  std::string stack;
  std::string status = "active";
  std::string commit;                     // the commit its stack code was last registered at
  std::string state_key;                  // the prefix of its components' Terraform state keys
  std::vector<std::string> components;    // the components it holds state for
  std::string alert;                      // why it needs a look ("" = none): a force-push dropped its commit
  Millis created_at = 0;
  Millis updated_at = 0;
  std::string destroy_run;                // destroying, destroyed: the run that destroys it
};

// An event (DESIGN §11.2: the outbox hooks and notifications read): what happened, in order.
struct Event {
  std::string id;
  int64_t seq = 0;            // given by the store: later events have greater ones
  std::string account;        // the repository's account ("" = the server's own)
  std::string repository_id;
  std::string kind;           // "module_registered", "module_deregistered", "force_push_alert", …
  std::string subject;        // what it is about: "stack/component", a stack state id
  std::string detail_json = "{}";
  Millis created_at = 0;
};

// Which events to read; "" lets everything through.
struct EventFilter {
  std::optional<std::string> account;  // exactly; nullopt = every account
  std::string repository_id;
  std::string kind;                    // by prefix ("module_")
  int64_t after_seq = 0;
};

// One push's changes to the registry, written in one transaction.
struct RegistryUpdate {
  std::string repository_id;
  std::string commit;  // the repository's registry_commit afterwards
  std::vector<StackCode> codes;  // added, or replaced by (stack, component)
  std::vector<std::pair<std::string, std::string>> removed_codes;  // (stack, component)
  std::vector<StackState> states;  // added, or replaced by id
  std::vector<std::string> removed_states;  // ids
  std::vector<Event> events;
};

// A GitHub pull request as strata follows it (#23).
struct PullRequest {
  std::string repository_id;
  int64_t number = 0;
  std::string state = "open";   // open | closed | merged
  std::string head_sha;
  std::string head_ref;
  std::string base_ref;
  bool from_fork = false;
  int64_t check_run_id = 0;     // the check run of check_sha (0 = none yet)
  std::string check_sha;
  std::string check_status;     // what the check run shows: queued, in_progress, completed
  int64_t comment_id = 0;       // the one comment strata edits (0 = none yet)
  std::string plan_run_id;      // the latest plan of the head
  std::string apply_run_id;
  std::string pending_run;      // a run whose end is still to be reported to GitHub
  Millis created_at = 0;
  Millis updated_at = 0;
};

// What a lease call asks for.
struct LeaseRequest {
  std::string worker_id;
  std::vector<std::string> capabilities;
  Millis lease_ms = 60000;
  Millis now = 0;
};

// The answer to a heartbeat or a finish: whether the caller still holds the lease.
enum class LeaseCheck { kHeld, kLost };

struct Finish {
  std::string status;        // succeeded | failed | cancelled
  std::string outputs_json;
  std::string changes_json;
  std::string error;
};

// Word from the store that activities may have become ready to lease (a run created or
// started, an activity finished, released or expired, a run cancelled) — from this process or
// another replica — so lease waiters look again at once instead of at their next poll. A hint
// only: a caller still looks on its own every so often, and a wakeup may find nothing.
// One object belongs to one waiting thread.
class StoreNotifications {
 public:
  virtual ~StoreNotifications() = default;
  // Waits up to `timeout` for a notification that activities may be ready; true when one came
  // (or when the store lost and regained its connection, and notifications may have been
  // missed): look again. Never throws.
  virtual bool wait(std::chrono::milliseconds timeout) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Notifications across processes, where the store has them (PostgreSQL's LISTEN/NOTIFY);
  // nullptr where it has none (SQLite: one server owns the file and knows what it changed).
  virtual std::unique_ptr<StoreNotifications> listen() { return nullptr; }

  // Applies the numbered migrations not yet applied (src/store/migrations/NNN_name.sql, the
  // same files for both stores); idempotent, safe when replicas start together.
  virtual void migrate() = 0;
  // The migrations applied, in order ("001_initial", …).
  virtual std::vector<std::string> applied_migrations() = 0;

  // --- repositories
  // Throws strata::Error (ErrorKind::kUserInput) when the name is taken.
  virtual Repository add_repository(Repository repo) = 0;
  virtual std::optional<Repository> repository(const std::string& id_or_name) = 0;
  virtual std::vector<Repository> repositories() = 0;
  // The repository whose `github` is `full_name` (compared in lower case).
  virtual std::optional<Repository> repository_by_github(const std::string& full_name) = 0;

  // --- accounts
  // Throws strata::Error (ErrorKind::kConflict) when the name is taken.
  virtual Account add_account(Account account) = 0;
  virtual std::optional<Account> account(const std::string& name) = 0;
  // By name.
  virtual std::vector<Account> accounts() = 0;

  // --- API tokens
  virtual ApiToken add_token(ApiToken token) = 0;
  // By id, revoked ones too.
  virtual std::optional<ApiToken> token(const std::string& id) = 0;
  // Revoked tokens too (the caller refuses them).
  virtual std::optional<ApiToken> token_by_hash(const std::string& hash) = 0;
  virtual size_t token_count() = 0;
  // Every token, oldest first (revoked ones too).
  virtual std::vector<ApiToken> tokens() = 0;
  // Marks the token revoked; false when there is none or it was already revoked.
  virtual bool revoke_token(const std::string& id, Millis now) = 0;
  virtual void token_used(const std::string& id, Millis now) = 0;

  // --- runs and their activities
  // Writes the run and all its activities in one transaction (ids filled in when empty;
  // activity depends_on may name the ids given here).
  virtual Run create_run(Run run, std::vector<Activity> activities) = 0;
  virtual std::optional<Run> run(const std::string& id) = 0;
  // Newest first; at most `limit`.
  virtual std::vector<Run> runs(size_t limit) = 0;
  virtual std::vector<Activity> activities(const std::string& run_id) = 0;
  virtual std::optional<Activity> activity(const std::string& id) = 0;
  // Sets a run's status and reason (queued → waiting → running, or failed before activities).
  virtual void set_run_status(const std::string& run_id, const std::string& status,
                              const std::string& reason) = 0;
  // Promotes queued/waiting runs to running when no running run holds one of their
  // locked_stacks (oldest first); a run that must wait gets status "waiting" with the run it
  // waits for named in status_reason. Returns the runs that became running.
  virtual std::vector<Run> start_ready_runs(Millis now) = 0;
  // Marks the run cancel_requested; queued activities become cancelled at once, leased and
  // running ones see it at their next heartbeat. A run with no activity left running ends
  // "cancelled".
  virtual void request_cancel(const std::string& run_id, Millis now) = 0;

  // The oldest queued activity of a running run whose dependencies all succeeded and whose
  // required capabilities are all in the request's, now leased to the worker: status leased,
  // lease_until = now + lease_ms, a new fencing token (greater than every earlier one), attempt
  // + 1. nullopt when none is ready.
  virtual std::optional<Activity> lease(const LeaseRequest& request) = 0;
  // leased → running (started_at set), and the lease extended, when `token` still holds it.
  virtual LeaseCheck start(const std::string& activity_id, int64_t token, Millis lease_until,
                           Millis now) = 0;
  // Extends the lease when `token` still holds it; *cancel receives whether the run was asked
  // to cancel.
  virtual LeaseCheck heartbeat(const std::string& activity_id, int64_t token, Millis lease_until,
                               Millis now, bool* cancel) = 0;
  // Ends the activity when `token` still holds it. A failed (or cancelled) activity skips every
  // activity that depends on it, transitively (error names the failed one); when no activity of
  // the run is left queued, leased or running, the run ends: succeeded when all succeeded,
  // cancelled when cancel was requested, else failed.
  virtual LeaseCheck finish(const std::string& activity_id, int64_t token, const Finish& result,
                            Millis now) = 0;
  // Hands the activity back when `token` still holds it (a worker stopping, a lease that never
  // reached its worker): queued again at once, the lease cleared, this attempt not counted.
  virtual LeaseCheck release(const std::string& activity_id, int64_t token, Millis now) = 0;
  // Leases that ran out before `now` go back to queued (attempt kept, lease cleared) — or fail
  // the activity (and skip its dependents) after `max_attempts` leases. Returns how many.
  virtual size_t expire_leases(Millis now, int max_attempts) = 0;

  // --- saved plans
  // Keeps the plan of activity plan.activity_id (replacing one an earlier attempt saved) when
  // `token` still holds its lease.
  virtual LeaseCheck save_plan(const SavedPlan& plan, int64_t token, Millis now) = 0;
  virtual std::optional<SavedPlan> saved_plan(const std::string& activity_id) = 0;

  // --- logs
  // Stores a chunk when `token` still holds the activity's lease (a chunk whose seq is already
  // stored is ignored: a retried request).
  virtual LeaseCheck append_log(const std::string& activity_id, int64_t token, int64_t seq,
                                const std::string& data, Millis now) = 0;
  // Chunks of one activity with seq > after_seq, in order.
  virtual std::vector<LogChunk> logs(const std::string& activity_id, int64_t after_seq) = 0;

  // --- workers
  virtual WorkerRecord register_worker(WorkerRecord worker) = 0;
  virtual std::optional<WorkerRecord> worker(const std::string& id) = 0;
  virtual std::vector<WorkerRecord> workers() = 0;
  virtual void worker_seen(const std::string& id, Millis now) = 0;

  // --- Terraform state (the http backend): every version is kept
  virtual std::optional<StateVersion> latest_state(const std::string& key) = 0;
  // The same without its data: number, serial, lineage (what a write is checked against).
  virtual std::optional<StateVersion> latest_state_info(const std::string& key) = 0;
  // Stores a new version; its serial and lineage (kept beside it) are read from the state.
  StateVersion put_state(const std::string& key, const std::string& data, Millis now);
  // The same with serial and lineage given (a SealedStore reads them before it seals the data).
  virtual StateVersion put_state_version(const std::string& key, const std::string& data, int64_t serial,
                                         const std::string& lineage, Millis now) = 0;
  virtual void delete_state(const std::string& key) = 0;
  // Every version of one state, newest first, without their data (deleted ones marked).
  virtual std::vector<StateVersion> state_versions(const std::string& key) = 0;
  // One version with its data, deleted or not.
  virtual std::optional<StateVersion> state_version(const std::string& key, int64_t version) = 0;
  // The latest version of every state that is not deleted and whose key starts with `prefix`,
  // without data, in key order.
  virtual std::vector<StateVersion> states(const std::string& prefix) = 0;
  // Takes the lock when free or already held by the same lock_id (a retried LOCK): returns
  // nullopt; otherwise returns the holder.
  virtual std::optional<StateLock> lock_state(const StateLock& lock) = 0;
  virtual std::optional<StateLock> state_lock(const std::string& key) = 0;
  // Releases the lock when held by lock_id (or any holder when force); false when another holds it.
  virtual bool unlock_state(const std::string& key, const std::string& lock_id, bool force) = 0;

  // --- variable sets
  // Adds the variable, or replaces the value and sensitivity of the one with its repository,
  // stack and name.
  virtual void set_variable(const Variable& variable) = 0;
  // false when there was none.
  virtual bool delete_variable(const std::string& repository_id, const std::string& stack,
                               const std::string& name) = 0;
  // Every variable of the repository, by stack ("" first) and name.
  virtual std::vector<Variable> variables(const std::string& repository_id) = 0;

  // --- retention
  // Removes every version of each state but its newest `keep` (>= 1: the latest always stays);
  // returns how many.
  virtual size_t prune_state_versions(size_t keep) = 0;
  // Removes the log chunks of activities that ended before `before`; returns how many.
  virtual size_t prune_logs(Millis before) = 0;
  // Removes the saved plans of activities that ended before `before`; returns how many.
  virtual size_t prune_plans(Millis before) = 0;

  // --- the audit log: appended to, never changed (retention aside)
  virtual void append_audit(AuditEntry entry) = 0;
  // Newest first; at most `limit`, of those `filter` lets through.
  virtual std::vector<AuditEntry> audit_entries(size_t limit, const AuditFilter& filter = {}) = 0;

  // --- GitHub webhook deliveries
  // Records a delivery. A new id is stored queued: true. A known id whose delivery failed is
  // queued again with this payload: true. Otherwise (queued, processing or finished: a
  // redelivery) nothing changes: false. `stored` (when given) receives the record as it is now.
  virtual bool record_delivery(const WebhookDelivery& delivery, WebhookDelivery* stored = nullptr) = 0;
  // The oldest queued delivery — or a processing one whose claim ran out — of a repository none
  // of whose deliveries is being processed (a repository's deliveries go in order), now
  // processing until now + claim_ms, attempt + 1. nullopt when none is ready.
  virtual std::optional<WebhookDelivery> claim_delivery(Millis now, Millis claim_ms) = 0;
  // Ends a delivery: done, failed or ignored, with what happened.
  virtual void finish_delivery(const std::string& id, const std::string& status, const std::string& outcome,
                               Millis now) = 0;
  virtual std::optional<WebhookDelivery> delivery(const std::string& id) = 0;
  // Empties the payloads of deliveries that finished before `before` (the records stay, so a
  // replay is still recognised); returns how many.
  virtual size_t prune_deliveries(Millis before) = 0;
  // Newest first, without payloads; of one repository when repository_id is set.
  virtual std::vector<WebhookDelivery> deliveries(size_t limit, const std::string& repository_id = "") = 0;

  // --- the stack-code registry and events
  // Applies one update in one transaction (codes, states, events, the repository's registry_commit).
  virtual void update_registry(const RegistryUpdate& update) = 0;
  // By stack, then component.
  virtual std::vector<StackCode> stack_codes(const std::string& repository_id) = 0;
  // Of one repository ("" = every one) with status `status` ("" = any), by repository then stack.
  virtual std::vector<StackState> stack_states(const std::string& repository_id, const std::string& status = "") = 0;
  virtual std::optional<StackState> stack_state(const std::string& id) = 0;
  virtual void append_event(Event event) = 0;
  // Oldest first (by seq) after filter.after_seq; at most `limit`.
  virtual std::vector<Event> events(size_t limit, const EventFilter& filter = {}) = 0;

  // --- pull requests
  // Adds the pull request, or replaces the one with its repository and number.
  virtual void save_pull_request(const PullRequest& pr) = 0;
  virtual std::optional<PullRequest> pull_request(const std::string& repository_id, int64_t number) = 0;
  // Those with a pending_run, oldest change first.
  virtual std::vector<PullRequest> pull_requests_pending() = 0;
  // Clears pending_run when it is still `run_id`: true for the one caller that does (it reports).
  virtual bool take_pending_run(const std::string& repository_id, int64_t number, const std::string& run_id) = 0;

  // --- the key ring's checks (SealedStore::check_keyring): stores `sealed` for `version` when
  // none is there yet (the first server wins) and returns the one stored.
  virtual std::string keyring_check(int64_t version, const std::string& sealed, Millis now) = 0;
};

// "sqlite:PATH" or a plain path → SQLite; "postgres://…" or "postgresql://…" → PostgreSQL.
// Migrations are not run here: call migrate().
std::unique_ptr<Store> open_store(const std::string& url);
std::unique_ptr<Store> open_sqlite_store(const std::string& path);
// Connects to the database at `url` (libpq's postgres://USER:PASSWORD@HOST:PORT/DATABASE);
// throws an Error (kEnvironment) when it is unreachable.
std::unique_ptr<Store> open_postgres_store(const std::string& url);

}  // namespace strata::store

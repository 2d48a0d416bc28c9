// SqliteStore: the Store (store.h) in one SQLite file — the embedded default, for a server that
// runs alone. One connection behind a mutex: SQLite allows one writer at a time anyway, and a
// single server is the only process meant to open the file (replicas need PostgreSQL). Every
// method runs in one transaction, so what it changes lands whole or not at all.
//
// The activity state machine (leases, fencing, skips, run endings) is in
// sqlite_store_activities.cc; everything else is in sqlite_store.cc.
#pragma once

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "store/sqlite/sqlite_connection.h"
#include "store/store.h"

namespace strata::store {

class SqliteStore : public Store {
 public:
  // Opens (creating it 0600 when missing) the database file at `path`, whose folder must exist.
  explicit SqliteStore(const std::string& path);

  void migrate() override;
  std::vector<std::string> applied_migrations() override;

  Repository add_repository(Repository repo) override;
  std::optional<Repository> repository(const std::string& id_or_name) override;
  std::vector<Repository> repositories() override;
  std::optional<Repository> repository_by_github(const std::string& full_name) override;

  Account add_account(Account account) override;
  std::optional<Account> account(const std::string& name) override;
  std::vector<Account> accounts() override;
  ApiToken add_token(ApiToken token) override;
  std::optional<ApiToken> token(const std::string& id) override;
  std::optional<ApiToken> token_by_hash(const std::string& hash) override;
  size_t token_count() override;
  std::vector<ApiToken> tokens() override;
  bool revoke_token(const std::string& id, Millis now) override;
  void token_used(const std::string& id, Millis now) override;

  Run create_run(Run run, std::vector<Activity> activities) override;
  std::optional<Run> run(const std::string& id) override;
  std::vector<Run> runs(size_t limit) override;
  std::vector<Activity> activities(const std::string& run_id) override;
  std::optional<Activity> activity(const std::string& id) override;
  void set_run_status(const std::string& run_id, const std::string& status,
                      const std::string& reason) override;
  std::vector<Run> start_ready_runs(Millis now) override;
  void request_cancel(const std::string& run_id, Millis now) override;

  std::optional<Activity> lease(const LeaseRequest& request) override;
  LeaseCheck start(const std::string& activity_id, int64_t token, Millis lease_until,
                   Millis now) override;
  LeaseCheck heartbeat(const std::string& activity_id, int64_t token, Millis lease_until,
                       Millis now, bool* cancel) override;
  LeaseCheck release(const std::string& activity_id, int64_t token, Millis now) override;
  LeaseCheck finish(const std::string& activity_id, int64_t token, const Finish& result,
                    Millis now) override;
  size_t expire_leases(Millis now, int max_attempts) override;

  LeaseCheck save_plan(const SavedPlan& plan, int64_t token, Millis now) override;
  std::optional<SavedPlan> saved_plan(const std::string& activity_id) override;
  LeaseCheck append_log(const std::string& activity_id, int64_t token, int64_t seq,
                        const std::string& data, Millis now) override;
  std::vector<LogChunk> logs(const std::string& activity_id, int64_t after_seq) override;

  WorkerRecord register_worker(WorkerRecord worker) override;
  std::optional<WorkerRecord> worker(const std::string& id) override;
  std::vector<WorkerRecord> workers() override;
  void worker_seen(const std::string& id, Millis now) override;

  std::optional<StateVersion> latest_state(const std::string& key) override;
  std::optional<StateVersion> latest_state_info(const std::string& key) override;
  StateVersion put_state_version(const std::string& key, const std::string& data, int64_t serial,
                                 const std::string& lineage, Millis now) override;
  void delete_state(const std::string& key) override;
  std::vector<StateVersion> state_versions(const std::string& key) override;
  std::optional<StateVersion> state_version(const std::string& key, int64_t version) override;
  std::vector<StateVersion> states(const std::string& prefix) override;
  std::optional<StateLock> lock_state(const StateLock& lock) override;
  std::optional<StateLock> state_lock(const std::string& key) override;
  bool unlock_state(const std::string& key, const std::string& lock_id, bool force) override;
  void set_variable(const Variable& variable) override;
  bool delete_variable(const std::string& repository_id, const std::string& stack, const std::string& name) override;
  std::vector<Variable> variables(const std::string& repository_id) override;
  size_t prune_state_versions(size_t keep) override;
  size_t prune_logs(Millis before) override;
  size_t prune_plans(Millis before) override;
  void append_audit(AuditEntry entry) override;
  std::vector<AuditEntry> audit_entries(size_t limit, const AuditFilter& filter = {}) override;
  std::string keyring_check(int64_t version, const std::string& sealed, Millis now) override;

  // sqlite_store_registry.cc
  bool record_delivery(const WebhookDelivery& delivery, WebhookDelivery* stored = nullptr) override;
  std::optional<WebhookDelivery> claim_delivery(Millis now, Millis claim_ms) override;
  void finish_delivery(const std::string& id, const std::string& status, const std::string& outcome,
                       Millis now) override;
  std::optional<WebhookDelivery> delivery(const std::string& id) override;
  size_t prune_deliveries(Millis before) override;
  std::vector<WebhookDelivery> deliveries(size_t limit, const std::string& repository_id = "") override;
  void update_registry(const RegistryUpdate& update) override;
  std::vector<StackCode> stack_codes(const std::string& repository_id) override;
  std::vector<StackState> stack_states(const std::string& repository_id, const std::string& status = "") override;
  std::optional<StackState> stack_state(const std::string& id) override;
  void append_event(Event event) override;
  std::vector<Event> events(size_t limit, const EventFilter& filter = {}) override;
  void save_pull_request(const PullRequest& pr) override;
  std::optional<PullRequest> pull_request(const std::string& repository_id, int64_t number) override;
  std::vector<PullRequest> pull_requests_pending() override;
  bool take_pending_run(const std::string& repository_id, int64_t number, const std::string& run_id) override;

 private:
  // Removes the rows of `table` (keyed by activity_id) of activities that ended before `before`.
  size_t prune_ended(const char* table, const char* what, Millis before);
  // The latest version of `key` that is not deleted, with `columns` (with or without the data).
  std::optional<StateVersion> latest(const std::string& key, const char* columns);
  // Holds the connection for one store method: the mutex, the operation's name for errors and
  // its transaction.
  class Session {
   public:
    Session(SqliteStore& store, std::string operation, SqliteTransaction::Mode mode);
    void commit() { tx_.commit(); }

   private:
    std::lock_guard<std::mutex> lock_;
    SqliteTransaction tx_;
  };
  Session write(std::string operation) {
    return Session(*this, std::move(operation), SqliteTransaction::Mode::kWrite);
  }
  Session read(std::string operation) {
    return Session(*this, std::move(operation), SqliteTransaction::Mode::kRead);
  }

  // Row readers and the state machine's steps; each runs inside the caller's Session.
  std::optional<Run> load_run(const std::string& id);
  std::optional<Activity> load_activity(const std::string& id);
  std::vector<std::string> load_depends_on(const std::string& activity_id);
  // Whether `token` is the activity's current fencing token and it is leased or running.
  bool holds_lease(const std::string& activity_id, int64_t token);
  int64_t next_counter(const char* name);
  void insert_event(Event event, Millis now);
  // Marks the queued activities that depend on `failed_id`, transitively, skipped.
  void skip_dependents(const std::string& failed_id, const std::string& why, Millis now);
  // Ends the run when none of its activities is queued, leased or running.
  void end_run_if_done(const std::string& run_id, Millis now);
  // Ends one activity (failed or cancelled) and everything downstream of it, then maybe the run.
  void end_activity_unsuccessfully(const Activity& activity, const std::string& status,
                                   const std::string& error, Millis now);

  std::mutex mutex_;
  SqliteConnection db_;
};

}  // namespace strata::store

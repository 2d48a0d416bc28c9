// PgStore: the Store (store.h) in a PostgreSQL database that several server replicas share.
// A few pooled connections serve the server's threads; every method is one READ COMMITTED
// transaction that locks the rows it reads to change (SELECT … FOR UPDATE, FOR UPDATE SKIP
// LOCKED for leasing, an advisory lock where the decision spans many rows), so two replicas
// never lease one activity twice or end one run twice. A transaction that meets a deadlock is
// run again. Transactions that may make an activity leasable send NOTIFY strata_ready, which
// listen() (pg_notifications.h) waits for.
//
// The activity state machine is in pg_store_activities.cc; everything else is in pg_store.cc.
#pragma once

#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "store/store.h"

namespace strata::store {

class PgStore : public Store {
 public:
  // Connects once at once, so a wrong URL or a database that is down shows now rather than at
  // the first request; throws the "unreachable" Error then.
  explicit PgStore(const std::string& url, size_t connections = 4);

  std::unique_ptr<StoreNotifications> listen() override;

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

  // pg_store_registry.cc
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
  // Runs body(connection) on a pooled connection, again when PostgreSQL ends it for a deadlock
  // or a serialization failure.
  template <typename Body>
  auto retrying(const std::string& operation, Body&& body) {
    constexpr int kAttempts = 5;
    for (int attempt = 1;; ++attempt) {
      auto conn = pool_.checkout();
      conn->set_operation(operation);
      try {
        return body(*conn);
      } catch (const PgStatementError& e) {
        if (!e.retryable() || attempt == kAttempts) throw;
      }
    }
  }

  // Runs body(connection) in one transaction and commits when it returns (an exception rolls
  // back); retried as retrying() says.
  template <typename Body>
  auto transact(const std::string& operation, Body&& body) {
    return retrying(operation, [&](PgConnection& conn) {
      PgTransaction tx(conn);
      if constexpr (std::is_void_v<decltype(body(conn))>) {
        body(conn);
        tx.commit();
      } else {
        auto result = body(conn);
        tx.commit();
        return result;
      }
    });
  }

  // A change that is one statement: no BEGIN/COMMIT around it (the statement is its own
  // transaction); retried like transact().
  template <typename Body>
  auto transact_one(const std::string& operation, Body&& body) {
    return retrying(operation, std::forward<Body>(body));
  }

  // A read that is one statement: on a pooled connection with no BEGIN/COMMIT around it (two
  // round trips fewer; the statement sees one snapshot anyway).
  template <typename Body>
  auto read_one(const std::string& operation, Body&& body) {
    auto conn = pool_.checkout();
    conn->set_operation(operation);
    return body(*conn);
  }

  // After an activity succeeded (committed): ends its run when nothing of it is left to run.
  void end_run_after(const std::string& run_id, Millis now);

  // Row readers and the state machine's steps; each runs inside the caller's transaction.
  static std::optional<Run> load_run(PgConnection& db, const std::string& id);
  static std::optional<Activity> load_activity(PgConnection& db, const std::string& id);
  // Locks the run's row until the transaction ends: what ends a run, cancels it or starts it
  // takes this first, so two replicas never decide about one run at once.
  static void lock_run(PgConnection& db, const std::string& run_id);
  // Locks the activity's row when `token` is its current fencing token and it is leased or
  // running; returns its run id then.
  static std::optional<std::string> lock_held_lease(PgConnection& db,
                                                    const std::string& activity_id, int64_t token);
  static int64_t next_counter(PgConnection& db, const char* name);
  static void insert_event(PgConnection& db, Event event, Millis now);
  // Tells listeners (other replicas too) that activities may be ready; sent at commit.
  static void notify_ready(PgConnection& db);
  static void skip_dependents(PgConnection& db, const std::string& failed_id,
                              const std::string& why, Millis now);
  // Ends the run when none of its activities is queued, leased or running (the caller holds
  // the run's lock).
  static void end_run_if_done(PgConnection& db, const std::string& run_id, Millis now);
  static void end_activity_unsuccessfully(PgConnection& db, const Activity& activity,
                                          const std::string& status, const std::string& error,
                                          Millis now);

  PgTarget target_;
  PgPool pool_;
};

// Advisory lock keys (the one-bigint space; PostgreSQL keeps it apart from the two-int one).
inline constexpr int64_t kPgMigrateLock = 0x5354524154410001;    // migrate(), across replicas
inline constexpr int64_t kPgStartRunsLock = 0x5354524154410002;  // start_ready_runs()
inline constexpr int kPgStateLockClass = 0x53544154;             // put_state(), with the key's hash

}  // namespace strata::store

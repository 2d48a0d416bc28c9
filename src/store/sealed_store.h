// SealedStore: a Store that keeps what could hold a secret sealed at rest (keyring.h) and hands
// it back opened — Terraform states (bound to their key), log chunks (to their activity and
// sequence number), an activity's reported outputs and plan changes, and its saved plan file
// and stamp (to the activity). It
// wraps either store, so neither SQLite's file nor a PostgreSQL dump holds a state, a log line
// or an output in clear. Everything else passes through.
#pragma once

#include <memory>

#include "store/keyring.h"
#include "store/store.h"

namespace strata::store {

class SealedStore : public Store {
 public:
  SealedStore(std::unique_ptr<Store> inner, Keyring keyring)
      : inner_(std::move(inner)), keyring_(std::move(keyring)) {}

  const Keyring& keyring() const { return keyring_; }
  // After migrate(): checks that each key of the ring is the one the database knows for its
  // version (keyring_check), recording those it does not know yet. Throws an Error saying to
  // give every server the same key ring when one differs.
  void check_keyring();
  Store& inner() { return *inner_; }

  std::unique_ptr<StoreNotifications> listen() override { return inner_->listen(); }
  void migrate() override { inner_->migrate(); }
  std::vector<std::string> applied_migrations() override { return inner_->applied_migrations(); }

  // A repository's webhook secret is sealed.
  Repository add_repository(Repository repo) override;
  std::optional<Repository> repository(const std::string& id_or_name) override;
  std::vector<Repository> repositories() override;
  std::optional<Repository> repository_by_github(const std::string& full_name) override;

  Account add_account(Account account) override { return inner_->add_account(std::move(account)); }
  std::optional<Account> account(const std::string& name) override { return inner_->account(name); }
  std::vector<Account> accounts() override { return inner_->accounts(); }
  ApiToken add_token(ApiToken token) override { return inner_->add_token(std::move(token)); }
  std::optional<ApiToken> token(const std::string& id) override { return inner_->token(id); }
  std::optional<ApiToken> token_by_hash(const std::string& hash) override { return inner_->token_by_hash(hash); }
  size_t token_count() override { return inner_->token_count(); }
  std::vector<ApiToken> tokens() override { return inner_->tokens(); }
  bool revoke_token(const std::string& id, Millis now) override { return inner_->revoke_token(id, now); }
  void token_used(const std::string& id, Millis now) override { inner_->token_used(id, now); }

  Run create_run(Run run, std::vector<Activity> activities) override;
  std::optional<Run> run(const std::string& id) override { return inner_->run(id); }
  std::vector<Run> runs(size_t limit) override { return inner_->runs(limit); }
  std::vector<Activity> activities(const std::string& run_id) override;
  std::optional<Activity> activity(const std::string& id) override;
  void set_run_status(const std::string& run_id, const std::string& status, const std::string& reason) override {
    inner_->set_run_status(run_id, status, reason);
  }
  std::vector<Run> start_ready_runs(Millis now) override { return inner_->start_ready_runs(now); }
  void request_cancel(const std::string& run_id, Millis now) override { inner_->request_cancel(run_id, now); }

  std::optional<Activity> lease(const LeaseRequest& request) override;
  LeaseCheck start(const std::string& activity_id, int64_t token, Millis lease_until, Millis now) override {
    return inner_->start(activity_id, token, lease_until, now);
  }
  LeaseCheck heartbeat(const std::string& activity_id, int64_t token, Millis lease_until, Millis now,
                       bool* cancel) override {
    return inner_->heartbeat(activity_id, token, lease_until, now, cancel);
  }
  LeaseCheck finish(const std::string& activity_id, int64_t token, const Finish& result, Millis now) override;
  LeaseCheck release(const std::string& activity_id, int64_t token, Millis now) override {
    return inner_->release(activity_id, token, now);
  }
  size_t expire_leases(Millis now, int max_attempts) override { return inner_->expire_leases(now, max_attempts); }

  LeaseCheck save_plan(const SavedPlan& plan, int64_t token, Millis now) override;
  std::optional<SavedPlan> saved_plan(const std::string& activity_id) override;
  LeaseCheck append_log(const std::string& activity_id, int64_t token, int64_t seq, const std::string& data,
                        Millis now) override;
  std::vector<LogChunk> logs(const std::string& activity_id, int64_t after_seq) override;

  WorkerRecord register_worker(WorkerRecord worker) override { return inner_->register_worker(std::move(worker)); }
  std::optional<WorkerRecord> worker(const std::string& id) override { return inner_->worker(id); }
  std::vector<WorkerRecord> workers() override { return inner_->workers(); }
  void worker_seen(const std::string& id, Millis now) override { inner_->worker_seen(id, now); }

  std::optional<StateVersion> latest_state(const std::string& key) override;
  std::optional<StateVersion> latest_state_info(const std::string& key) override {
    return inner_->latest_state_info(key);
  }
  StateVersion put_state_version(const std::string& key, const std::string& data, int64_t serial,
                                 const std::string& lineage, Millis now) override;
  void delete_state(const std::string& key) override { inner_->delete_state(key); }
  std::vector<StateVersion> state_versions(const std::string& key) override { return inner_->state_versions(key); }
  std::optional<StateVersion> state_version(const std::string& key, int64_t version) override;
  std::vector<StateVersion> states(const std::string& prefix) override { return inner_->states(prefix); }
  std::optional<StateLock> lock_state(const StateLock& lock) override { return inner_->lock_state(lock); }
  std::optional<StateLock> state_lock(const std::string& key) override { return inner_->state_lock(key); }
  bool unlock_state(const std::string& key, const std::string& lock_id, bool force) override {
    return inner_->unlock_state(key, lock_id, force);
  }
  void set_variable(const Variable& variable) override;
  bool delete_variable(const std::string& repository_id, const std::string& stack, const std::string& name) override {
    return inner_->delete_variable(repository_id, stack, name);
  }
  std::vector<Variable> variables(const std::string& repository_id) override;
  size_t prune_state_versions(size_t keep) override { return inner_->prune_state_versions(keep); }
  size_t prune_logs(Millis before) override { return inner_->prune_logs(before); }
  size_t prune_plans(Millis before) override { return inner_->prune_plans(before); }
  // The audit log holds who did what to which key, never a state's content: kept in clear.
  void append_audit(AuditEntry entry) override { inner_->append_audit(std::move(entry)); }
  std::vector<AuditEntry> audit_entries(size_t limit, const AuditFilter& filter = {}) override {
    return inner_->audit_entries(limit, filter);
  }
  std::string keyring_check(int64_t version, const std::string& sealed, Millis now) override {
    return inner_->keyring_check(version, sealed, now);
  }

  // A delivery's payload is sealed (it may quote private code: commit messages, file names).
  bool record_delivery(const WebhookDelivery& delivery, WebhookDelivery* stored = nullptr) override;
  std::optional<WebhookDelivery> claim_delivery(Millis now, Millis claim_ms) override;
  void finish_delivery(const std::string& id, const std::string& status, const std::string& outcome,
                       Millis now) override {
    inner_->finish_delivery(id, status, outcome, now);
  }
  std::optional<WebhookDelivery> delivery(const std::string& id) override;
  size_t prune_deliveries(Millis before) override { return inner_->prune_deliveries(before); }
  std::vector<WebhookDelivery> deliveries(size_t limit, const std::string& repository_id = "") override {
    return inner_->deliveries(limit, repository_id);
  }
  // The registry and events name stacks, components and commits: kept in clear.
  void update_registry(const RegistryUpdate& update) override { inner_->update_registry(update); }
  std::vector<StackCode> stack_codes(const std::string& repository_id) override {
    return inner_->stack_codes(repository_id);
  }
  std::vector<StackState> stack_states(const std::string& repository_id, const std::string& status = "") override {
    return inner_->stack_states(repository_id, status);
  }
  std::optional<StackState> stack_state(const std::string& id) override { return inner_->stack_state(id); }
  void append_event(Event event) override { inner_->append_event(std::move(event)); }
  std::vector<Event> events(size_t limit, const EventFilter& filter = {}) override {
    return inner_->events(limit, filter);
  }
  void save_pull_request(const PullRequest& pr) override { inner_->save_pull_request(pr); }
  std::optional<PullRequest> pull_request(const std::string& repository_id, int64_t number) override {
    return inner_->pull_request(repository_id, number);
  }
  std::vector<PullRequest> pull_requests_pending() override { return inner_->pull_requests_pending(); }
  bool take_pending_run(const std::string& repository_id, int64_t number, const std::string& run_id) override {
    return inner_->take_pending_run(repository_id, number, run_id);
  }

 private:
  Activity opened(Activity a) const;
  Repository opened(Repository r) const;
  WebhookDelivery opened(WebhookDelivery d) const;
  std::optional<StateVersion> opened(std::optional<StateVersion> state) const;

  std::unique_ptr<Store> inner_;
  Keyring keyring_;
};

// The associated data each kind of record is sealed with.
std::string state_record(const std::string& key);
std::string log_record(const std::string& activity_id, int64_t seq);
std::string outputs_record(const std::string& activity_id);
std::string changes_record(const std::string& activity_id);
std::string plan_record(const std::string& activity_id);
std::string stamp_record(const std::string& activity_id);
std::string webhook_secret_record(const std::string& repository_id);
std::string delivery_record(const std::string& delivery_id);
std::string variable_record(const std::string& repository_id, const std::string& stack, const std::string& name);

}  // namespace strata::store

#include "store/sealed_store.h"

#include "model/error.h"

namespace strata::store {

std::string state_record(const std::string& key) { return "tfstate " + key; }
std::string webhook_secret_record(const std::string& repository_id) { return "webhook-secret " + repository_id; }
std::string delivery_record(const std::string& delivery_id) { return "webhook-delivery " + delivery_id; }
std::string variable_record(const std::string& repository_id, const std::string& stack, const std::string& name) {
  return "variable " + repository_id + "/" + stack + "/" + name;
}
std::string log_record(const std::string& activity_id, int64_t seq) {
  return "log " + activity_id + " " + std::to_string(seq);
}
std::string outputs_record(const std::string& activity_id) { return "outputs " + activity_id; }
std::string changes_record(const std::string& activity_id) { return "changes " + activity_id; }
std::string plan_record(const std::string& activity_id) { return "plan " + activity_id; }
std::string stamp_record(const std::string& activity_id) { return "plan stamp " + activity_id; }

void SealedStore::check_keyring() {
  for (int version : keyring_.versions()) {
    const std::string record = "keyring check " + std::to_string(version);
    std::string stored = inner_->keyring_check(version, keyring_.seal_with(version, "strata", record), now_millis());
    bool opens = false;
    try {
      opens = keyring_.open(stored, record) == "strata";
    } catch (const Error&) {
      opens = false;
    }
    if (!opens) {
      throw Error(ErrorKind::kEnvironment,
                  "the key ring's key version " + std::to_string(version) +
                      " is not the one this database's records are sealed with",
                  {},
                  "give every server of this database the same key ring (--keyring FILE or STRATA_SERVER_KEYRING); a "
                  "server that made its own at <data-dir>/keyring on its first start holds another one");
    }
  }
}

Activity SealedStore::opened(Activity a) const {
  a.outputs_json = keyring_.open(a.outputs_json, outputs_record(a.id));
  a.changes_json = keyring_.open(a.changes_json, changes_record(a.id));
  return a;
}

Run SealedStore::create_run(Run run, std::vector<Activity> activities) {
  // Activities are created without outputs; any given are sealed like a finish's. Their ids
  // must be known to seal them: those left empty are given here, as the store would.
  for (auto& a : activities) {
    if (a.outputs_json.empty() && a.changes_json.empty()) continue;
    if (a.id.empty()) a.id = new_uuid();
    if (!a.outputs_json.empty()) a.outputs_json = keyring_.seal(a.outputs_json, outputs_record(a.id));
    if (!a.changes_json.empty()) a.changes_json = keyring_.seal(a.changes_json, changes_record(a.id));
  }
  return inner_->create_run(std::move(run), std::move(activities));
}

std::vector<Activity> SealedStore::activities(const std::string& run_id) {
  std::vector<Activity> list = inner_->activities(run_id);
  for (auto& a : list) a = opened(std::move(a));
  return list;
}

std::optional<Activity> SealedStore::activity(const std::string& id) {
  std::optional<Activity> a = inner_->activity(id);
  if (a) a = opened(std::move(*a));
  return a;
}

std::optional<Activity> SealedStore::lease(const LeaseRequest& request) {
  std::optional<Activity> a = inner_->lease(request);
  if (a) a = opened(std::move(*a));
  return a;
}

LeaseCheck SealedStore::finish(const std::string& activity_id, int64_t token, const Finish& result, Millis now) {
  Finish sealed = result;
  sealed.outputs_json = keyring_.seal(result.outputs_json, outputs_record(activity_id));
  sealed.changes_json = keyring_.seal(result.changes_json, changes_record(activity_id));
  return inner_->finish(activity_id, token, sealed, now);
}

LeaseCheck SealedStore::save_plan(const SavedPlan& plan, int64_t token, Millis now) {
  SavedPlan sealed = plan;
  sealed.plan_file = keyring_.seal(plan.plan_file, plan_record(plan.activity_id));
  sealed.stamp = keyring_.seal(plan.stamp, stamp_record(plan.activity_id));
  return inner_->save_plan(sealed, token, now);
}

std::optional<SavedPlan> SealedStore::saved_plan(const std::string& activity_id) {
  std::optional<SavedPlan> plan = inner_->saved_plan(activity_id);
  if (plan) {
    plan->plan_file = keyring_.open(plan->plan_file, plan_record(plan->activity_id));
    plan->stamp = keyring_.open(plan->stamp, stamp_record(plan->activity_id));
  }
  return plan;
}

LeaseCheck SealedStore::append_log(const std::string& activity_id, int64_t token, int64_t seq,
                                   const std::string& data, Millis now) {
  return inner_->append_log(activity_id, token, seq, keyring_.seal(data, log_record(activity_id, seq)), now);
}

std::vector<LogChunk> SealedStore::logs(const std::string& activity_id, int64_t after_seq) {
  std::vector<LogChunk> chunks = inner_->logs(activity_id, after_seq);
  for (auto& c : chunks) c.data = keyring_.open(c.data, log_record(c.activity_id, c.seq));
  return chunks;
}

void SealedStore::set_variable(const Variable& variable) {
  Variable sealed = variable;
  sealed.value = keyring_.seal(variable.value, variable_record(variable.repository_id, variable.stack, variable.name));
  inner_->set_variable(sealed);
}

std::vector<Variable> SealedStore::variables(const std::string& repository_id) {
  std::vector<Variable> list = inner_->variables(repository_id);
  for (Variable& v : list) v.value = keyring_.open(v.value, variable_record(v.repository_id, v.stack, v.name));
  return list;
}

std::optional<StateVersion> SealedStore::opened(std::optional<StateVersion> state) const {
  if (state) state->data = keyring_.open(state->data, state_record(state->key));
  return state;
}

std::optional<StateVersion> SealedStore::latest_state(const std::string& key) {
  return opened(inner_->latest_state(key));
}

std::optional<StateVersion> SealedStore::state_version(const std::string& key, int64_t version) {
  return opened(inner_->state_version(key, version));
}

StateVersion SealedStore::put_state_version(const std::string& key, const std::string& data, int64_t serial,
                                            const std::string& lineage, Millis now) {
  StateVersion v = inner_->put_state_version(key, keyring_.seal(data, state_record(key)), serial, lineage, now);
  v.data = data;
  return v;
}

// --- repositories and webhook deliveries

Repository SealedStore::opened(Repository r) const {
  if (!r.webhook_secret.empty()) r.webhook_secret = keyring_.open(r.webhook_secret, webhook_secret_record(r.id));
  return r;
}

Repository SealedStore::add_repository(Repository repo) {
  if (repo.id.empty()) repo.id = new_uuid();
  std::string secret = repo.webhook_secret;
  if (!secret.empty()) repo.webhook_secret = keyring_.seal(secret, webhook_secret_record(repo.id));
  Repository stored = inner_->add_repository(std::move(repo));
  stored.webhook_secret = secret;
  return stored;
}

std::optional<Repository> SealedStore::repository(const std::string& id_or_name) {
  std::optional<Repository> r = inner_->repository(id_or_name);
  if (r) r = opened(std::move(*r));
  return r;
}

std::vector<Repository> SealedStore::repositories() {
  std::vector<Repository> list = inner_->repositories();
  for (Repository& r : list) r = opened(std::move(r));
  return list;
}

std::optional<Repository> SealedStore::repository_by_github(const std::string& full_name) {
  std::optional<Repository> r = inner_->repository_by_github(full_name);
  if (r) r = opened(std::move(*r));
  return r;
}

WebhookDelivery SealedStore::opened(WebhookDelivery d) const {
  if (!d.payload.empty()) d.payload = keyring_.open(d.payload, delivery_record(d.id));
  return d;
}

bool SealedStore::record_delivery(const WebhookDelivery& delivery, WebhookDelivery* stored) {
  WebhookDelivery sealed = delivery;
  sealed.payload = keyring_.seal(delivery.payload, delivery_record(delivery.id));
  bool recorded = inner_->record_delivery(sealed, stored);
  if (stored) *stored = opened(std::move(*stored));
  return recorded;
}

std::optional<WebhookDelivery> SealedStore::claim_delivery(Millis now, Millis claim_ms) {
  std::optional<WebhookDelivery> d = inner_->claim_delivery(now, claim_ms);
  if (d) d = opened(std::move(*d));
  return d;
}

std::optional<WebhookDelivery> SealedStore::delivery(const std::string& id) {
  std::optional<WebhookDelivery> d = inner_->delivery(id);
  if (d) d = opened(std::move(*d));
  return d;
}

}  // namespace strata::store

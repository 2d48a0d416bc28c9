#include "worker/in_process.h"

#include "base/utf8.h"
#include "model/error.h"

namespace strata::worker {

void InProcessConnection::register_worker(const store::WorkerRecord& worker) {
  store::WorkerRecord record = worker;
  record.registered_at = record.last_heartbeat = store::now_millis();
  control_.register_worker(record);
}

std::optional<Lease> InProcessConnection::lease(const std::string& worker_id,
                                                const std::vector<std::string>& capabilities,
                                                std::chrono::milliseconds wait) {
  // Idle workers say they are alive once per lease call; the broker wakes them when an
  // activity becomes ready.
  control_.store().worker_seen(worker_id, store::now_millis());
  return control_.leases().lease(worker_id, capabilities, wait);
}

void InProcessConnection::fetch_code(const Lease& lease, const std::string& dest) {
  std::optional<store::Repository> repo = control_.store().repository(lease.repository);
  if (!repo) throw Error(ErrorKind::kNotFound, "no repository " + lease.repository);
  control_.export_code(repo->id, lease.commit, dest);
}

store::LeaseCheck InProcessConnection::start(const store::Activity& a) {
  store::Millis now = store::now_millis();
  return control_.store().start(a.id, a.fencing_token, now + control_.options().lease_ms, now);
}

store::LeaseCheck InProcessConnection::heartbeat(const store::Activity& a, bool* cancel) {
  store::Millis now = store::now_millis();
  return control_.store().heartbeat(a.id, a.fencing_token, now + control_.options().lease_ms, now, cancel);
}

store::LeaseCheck InProcessConnection::append_log(const store::Activity& a, int64_t seq, const std::string& data) {
  return control_.store().append_log(a.id, a.fencing_token, seq, to_valid_utf8(data, true), store::now_millis());
}

store::LeaseCheck InProcessConnection::release(const store::Activity& a) {
  store::LeaseCheck check = control_.store().release(a.id, a.fencing_token, store::now_millis());
  control_.leases().wake();
  return check;
}

store::LeaseCheck InProcessConnection::finish(const store::Activity& a, const store::Finish& result) {
  store::LeaseCheck check = control_.store().finish(a.id, a.fencing_token, result, store::now_millis());
  if (check == store::LeaseCheck::kHeld) control_.activity_finished(a.run_id);
  return check;
}

store::LeaseCheck InProcessConnection::save_plan(const store::Activity& a, const std::string& plan_file,
                                                 const std::string& stamp) {
  return control_.save_plan(a, plan_file, stamp);
}

std::optional<std::string> InProcessConnection::lock_holder(const store::Activity& a, const std::string& stack,
                                                            const std::string& component) {
  return control_.lock_holder(a, stack, component);
}

}  // namespace strata::worker

#include "worker/in_process.h"

#include <thread>

#include "model/error.h"

namespace strata::worker {

void InProcessConnection::register_worker(const store::WorkerRecord& worker) {
  store::WorkerRecord record = worker;
  record.registered_at = record.last_heartbeat = store::now_millis();
  control_.store().register_worker(record);
}

std::optional<Lease> InProcessConnection::lease(const std::string& worker_id,
                                                const std::vector<std::string>& capabilities,
                                                std::chrono::milliseconds wait) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  store::Store& store = control_.store();
  // Idle workers say they are alive once per lease call, not once per poll of the store.
  store.worker_seen(worker_id, store::now_millis());
  for (;;) {
    store::LeaseRequest request;
    request.worker_id = worker_id;
    request.capabilities = capabilities;
    request.lease_ms = control_.options().lease_ms;
    request.now = store::now_millis();
    if (std::optional<store::Activity> a = store.lease(request)) {
      std::optional<store::Run> run = store.run(a->run_id);
      std::optional<store::Repository> repo = run ? store.repository(run->repository_id) : std::nullopt;
      if (!run || !repo) throw Error(ErrorKind::kInternal, "activity " + a->id + " has no run or repository");
      return Lease{*a, repo->name, run->commit};
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    // Polling the store: a new run is picked up within this much.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void InProcessConnection::fetch_code(const Lease& lease, const std::string& dest) {
  std::optional<store::Repository> repo = control_.store().repository(lease.repository);
  if (!repo) throw Error(ErrorKind::kNotFound, "no repository " + lease.repository);
  control_.git().export_tree(repo->id, lease.commit, dest);
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
  return control_.store().append_log(a.id, a.fencing_token, seq, data, store::now_millis());
}

store::LeaseCheck InProcessConnection::finish(const store::Activity& a, const store::Finish& result) {
  store::LeaseCheck check = control_.store().finish(a.id, a.fencing_token, result, store::now_millis());
  control_.tick();  // a run that ended may free the stacks another waits for
  return check;
}

}  // namespace strata::worker

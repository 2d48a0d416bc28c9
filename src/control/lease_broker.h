// LeaseBroker: workers waiting for an activity (DESIGN §11.3). A lease call that finds nothing
// ready waits here — an HTTP long-poll keeps only its Responder, an in-process worker blocks —
// and one thread hands out activities as they become ready: at once when this process made
// something ready (wake()), when the store says another replica did (PostgreSQL's
// LISTEN/NOTIFY), and at the latest every `poll` for what an expired lease made ready. Waiters are served first come, first served; one store query per
// capability set answers every waiter with that set that found nothing.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "store/store.h"

namespace strata::control {

// A leased activity with what a worker needs to run it.
struct Lease {
  store::Activity activity;  // with its fencing token
  std::string repository;    // the repository's name
  std::string commit;
  // What the activity's engine presents to /tfstate (activity_credential): a secret while the
  // lease holds, useless once it is lost. Never written to a file or a log.
  std::string state_credential;
  // The repository's variable set for the activity's stack (a stack's entry wins over the
  // repository's of the same name), values in clear: the engine's environment, sensitive ones
  // redacted from its log.
  std::vector<store::Variable> env;
  // An apply made from a plan run: the plan its plan activity saved, which it applies and
  // nothing else (nullopt when the plan is gone: the activity fails saying to plan again).
  std::optional<store::SavedPlan> plan;
};

// The variables an activity of `stack` gets from the repository's set (activity_variables).
std::vector<store::Variable> variables_for_stack(const std::vector<store::Variable>& set, const std::string& stack);

// The credential of an activity's lease: "ID.TOKEN.MAC", the MAC an HMAC-SHA256 of "ID.TOKEN"
// under `key` (every replica has the same key, derived from the key ring), so it cannot be made
// up from an activity's id and a guessed fencing token.
std::string activity_credential(const std::string& key, const store::Activity& activity);
// The activity id and fencing token of a credential whose MAC is right under `key` (compared in
// constant time); nullopt otherwise.
std::optional<std::pair<std::string, int64_t>> read_activity_credential(const std::string& key,
                                                                         const std::string& credential);

class LeaseBroker {
 public:
  using Clock = std::chrono::steady_clock;
  using Callback = std::function<void(std::optional<Lease>)>;

  // `credential_key` mints each lease's state_credential.
  LeaseBroker(store::Store& store, store::Millis lease_ms, std::string credential_key,
              std::chrono::milliseconds poll = std::chrono::milliseconds(1000));
  ~LeaseBroker();  // stop()
  LeaseBroker(const LeaseBroker&) = delete;
  LeaseBroker& operator=(const LeaseBroker&) = delete;

  // Leases an activity for `worker_id` when one is ready now or becomes ready before
  // `deadline`; `done` runs exactly once (on the broker's thread, or on this one when an
  // activity is ready at once) with the lease, or nullopt at the deadline or on stop. `done`
  // must not block. Returns a ticket for cancel().
  uint64_t wait(const std::string& worker_id, const std::vector<std::string>& capabilities, Clock::time_point deadline,
                Callback done);
  // The waiter went away (its client disconnected): `done` is not called, unless it is being
  // answered at this moment (then this returns false and `done` runs; a Responder whose client
  // left ignores it, and the lease it held runs out).
  bool cancel(uint64_t ticket);
  // Something may be ready: a run started, an activity finished, a lease expired.
  void wake();
  // The blocking form, for in-process workers.
  std::optional<Lease> lease(const std::string& worker_id, const std::vector<std::string>& capabilities,
                             std::chrono::milliseconds wait);
  // Answers every waiter with nullopt and stops the thread. Idempotent.
  void stop();
  // Waiters not answered yet.
  size_t waiting() const;
  const std::string& credential_key() const { return credential_key_; }

 private:
  struct Waiter {
    uint64_t ticket;
    std::string worker_id;
    std::vector<std::string> capabilities;
    Clock::time_point deadline;
    Callback done;
  };
  std::optional<Lease> try_lease(const std::string& worker_id, const std::vector<std::string>& capabilities);
  void loop();
  // A run's repository and commit, which never change: read once per run.
  struct RunSource {
    std::string repository_id;
    std::string repository;  // its name
    std::string commit;
  };
  RunSource run_source(const std::string& activity_id, const std::string& run_id);

  store::Store& store_;
  store::Millis lease_ms_;
  std::string credential_key_;
  std::chrono::milliseconds poll_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::list<Waiter> waiters_;
  uint64_t next_ticket_ = 1;
  bool woken_ = false;
  size_t answering_ = 0;  // waiters the thread took out to ask the store for
  bool stopping_ = false;
  std::thread thread_;
  std::thread listener_;  // turns the store's notifications into wake()
  std::mutex sources_mutex_;
  std::map<std::string, RunSource> sources_;  // by run id
};

}  // namespace strata::control

#include "control/lease_broker.h"

#include <algorithm>
#include <future>
#include <set>
#include <vector>

#include "model/error.h"
#include "secrets/crypto.h"

namespace strata::control {

std::string activity_credential(const std::string& key, const store::Activity& activity) {
  std::string claim = activity.id + "." + std::to_string(activity.fencing_token);
  return claim + "." + secrets::hex_encode(secrets::hmac_sha256(key, claim));
}

std::optional<std::pair<std::string, int64_t>> read_activity_credential(const std::string& key,
                                                                         const std::string& credential) {
  size_t mac_dot = credential.rfind('.');
  if (mac_dot == std::string::npos || mac_dot == 0) return std::nullopt;
  size_t token_dot = credential.rfind('.', mac_dot - 1);
  if (token_dot == std::string::npos) return std::nullopt;
  std::string claim = credential.substr(0, mac_dot);
  std::string expected = secrets::hex_encode(secrets::hmac_sha256(key, claim));
  if (!secrets::equal_in_constant_time(expected, std::string_view(credential).substr(mac_dot + 1))) return std::nullopt;
  std::string token = claim.substr(token_dot + 1);
  char* end = nullptr;
  long long n = std::strtoll(token.c_str(), &end, 10);
  if (token.empty() || *end) return std::nullopt;
  return std::make_pair(claim.substr(0, token_dot), static_cast<int64_t>(n));
}

LeaseBroker::LeaseBroker(store::Store& store, store::Millis lease_ms, std::string credential_key,
                         std::chrono::milliseconds poll)
    : store_(store), lease_ms_(lease_ms), credential_key_(std::move(credential_key)), poll_(poll) {}

LeaseBroker::~LeaseBroker() { stop(); }

std::optional<Lease> LeaseBroker::try_lease(const std::string& worker_id, const std::vector<std::string>& capabilities) {
  store::LeaseRequest request;
  request.worker_id = worker_id;
  request.capabilities = capabilities;
  request.lease_ms = lease_ms_;
  request.now = store::now_millis();
  std::optional<store::Activity> a = store_.lease(request);
  if (!a) return std::nullopt;
  RunSource source = run_source(a->id, a->run_id);
  Lease lease{*a, source.repository, source.commit, activity_credential(credential_key_, *a),
              variables_for_stack(store_.variables(source.repository_id), a->stack), std::nullopt};
  if (!a->plan_activity_id.empty()) lease.plan = store_.saved_plan(a->plan_activity_id);
  return lease;
}

std::vector<store::Variable> variables_for_stack(const std::vector<store::Variable>& set, const std::string& stack) {
  std::map<std::string, store::Variable> chosen;
  for (const store::Variable& v : set)
    if (v.stack.empty()) chosen.emplace(v.name, v);
  for (const store::Variable& v : set)
    if (!v.stack.empty() && v.stack == stack) chosen[v.name] = v;
  std::vector<store::Variable> out;
  for (auto& [name, v] : chosen) out.push_back(std::move(v));
  return out;
}

LeaseBroker::RunSource LeaseBroker::run_source(const std::string& activity_id, const std::string& run_id) {
  {
    std::lock_guard lock(sources_mutex_);
    auto it = sources_.find(run_id);
    if (it != sources_.end()) return it->second;
  }
  std::optional<store::Run> run = store_.run(run_id);
  std::optional<store::Repository> repo = run ? store_.repository(run->repository_id) : std::nullopt;
  if (!run || !repo) throw Error(ErrorKind::kInternal, "activity " + activity_id + " has no run or repository");
  std::lock_guard lock(sources_mutex_);
  if (sources_.size() >= 10000) sources_.clear();
  return sources_[run_id] = RunSource{repo->id, repo->name, run->commit};
}

uint64_t LeaseBroker::wait(const std::string& worker_id, const std::vector<std::string>& capabilities,
                           Clock::time_point deadline, Callback done) {
  // Ready now and nobody waiting longer: answered on the caller's thread, without a queue.
  bool queue_empty;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      // A stopping server leases nothing more.
      done(std::nullopt);
      return 0;
    }
    queue_empty = waiters_.empty() && !woken_ && answering_ == 0;
  }
  if (queue_empty) {
    std::optional<Lease> now = try_lease(worker_id, capabilities);
    if (now || Clock::now() >= deadline) {
      done(std::move(now));
      return 0;
    }
  }
  std::lock_guard lock(mutex_);
  if (stopping_) {
    done(std::nullopt);
    return 0;
  }
  uint64_t ticket = next_ticket_++;
  waiters_.push_back(Waiter{ticket, worker_id, capabilities, deadline, std::move(done)});
  if (!thread_.joinable()) {
    thread_ = std::thread([this] { loop(); });
    // Another replica's finish or new run: the store tells, where it can.
    std::shared_ptr<store::StoreNotifications> notes;
    try {
      notes = store_.listen();
    } catch (const std::exception&) {
      // No notifications for now: the periodic look still finds what other replicas did.
    }
    if (notes) {
      listener_ = std::thread([this, notes] {
        for (;;) {
          bool heard = notes->wait(std::chrono::milliseconds(250));
          {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
          }
          if (heard) wake();
        }
      });
    }
  }
  changed_.notify_all();
  return ticket;
}

bool LeaseBroker::cancel(uint64_t ticket) {
  std::lock_guard lock(mutex_);
  auto it = std::find_if(waiters_.begin(), waiters_.end(), [&](const Waiter& w) { return w.ticket == ticket; });
  if (it == waiters_.end()) return false;
  waiters_.erase(it);
  return true;
}

void LeaseBroker::wake() {
  std::lock_guard lock(mutex_);
  woken_ = true;
  changed_.notify_all();
}

size_t LeaseBroker::waiting() const {
  std::lock_guard lock(mutex_);
  return waiters_.size() + answering_;
}

std::optional<Lease> LeaseBroker::lease(const std::string& worker_id, const std::vector<std::string>& capabilities,
                                        std::chrono::milliseconds wait) {
  auto promise = std::make_shared<std::promise<std::optional<Lease>>>();
  std::future<std::optional<Lease>> answer = promise->get_future();
  this->wait(worker_id, capabilities, Clock::now() + wait,
             [promise](std::optional<Lease> lease) { promise->set_value(std::move(lease)); });
  return answer.get();
}

void LeaseBroker::stop() {
  std::list<Waiter> left;
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    left.swap(waiters_);
    changed_.notify_all();
  }
  for (Waiter& w : left) w.done(std::nullopt);
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
  if (listener_.joinable() && listener_.get_id() != std::this_thread::get_id()) listener_.join();
}

void LeaseBroker::loop() {
  std::unique_lock lock(mutex_);
  auto next_poll = Clock::now() + poll_;
  while (!stopping_) {
    Clock::time_point until = next_poll;
    for (const Waiter& w : waiters_) until = std::min(until, w.deadline);
    changed_.wait_until(lock, until, [&] { return stopping_ || woken_; });
    if (stopping_) break;
    bool look = woken_ || Clock::now() >= next_poll;
    woken_ = false;
    if (Clock::now() >= next_poll) next_poll = Clock::now() + poll_;

    // Take the waiters out while the store is asked (a slow query must not block wait()).
    std::list<Waiter> batch;
    batch.swap(waiters_);
    answering_ = batch.size();
    lock.unlock();
    std::vector<std::pair<Callback, std::optional<Lease>>> answers;
    std::set<std::vector<std::string>> nothing_for;  // capability sets that found nothing
    for (auto it = batch.begin(); it != batch.end();) {
      std::optional<Lease> lease;
      if (look) {
        std::vector<std::string> key = it->capabilities;
        std::sort(key.begin(), key.end());
        if (!nothing_for.count(key)) {
          try {
            lease = try_lease(it->worker_id, it->capabilities);
          } catch (const std::exception&) {
            // The store is briefly unavailable: the next poll asks again.
          }
          if (!lease) nothing_for.insert(std::move(key));
        }
      }
      if (lease || Clock::now() >= it->deadline) {
        answers.emplace_back(std::move(it->done), std::move(lease));
        it = batch.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& [done, lease] : answers) done(std::move(lease));
    lock.lock();
    answering_ = 0;
    // New waiters came in meanwhile; the older ones stay first.
    waiters_.splice(waiters_.begin(), batch);
  }
  // Stopped while a batch was out: whoever came back with it is answered too.
  std::list<Waiter> left;
  left.swap(waiters_);
  lock.unlock();
  for (Waiter& w : left) w.done(std::nullopt);
}

}  // namespace strata::control

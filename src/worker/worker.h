// Worker: the lease loop (DESIGN §11.3) — ask the control plane for a ready activity, fetch the
// code at its run's commit into a fresh folder, run it with ActivityRunner while heartbeats keep
// the lease (and bring cancellation back), send the log and the result, remove the folder.
// Nothing of one activity is visible to the next. The control plane is reached through
// WorkerConnection: directly for the server's in-process workers, over HTTP for `strata worker`.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "control/lease_broker.h"
#include "store/store.h"
#include "workspace/workspace.h"

namespace strata::worker {

using control::Lease;

class WorkerConnection {
 public:
  virtual ~WorkerConnection() = default;
  // Registers the worker (once, before the first lease).
  virtual void register_worker(const store::WorkerRecord& worker) = 0;
  // A ready activity, waiting up to `wait` for one; nullopt when none came.
  virtual std::optional<Lease> lease(const std::string& worker_id, const std::vector<std::string>& capabilities,
                                     std::chrono::milliseconds wait) = 0;
  // Writes the files of the lease's commit into `dest` (an empty folder).
  virtual void fetch_code(const Lease& lease, const std::string& dest) = 0;
  virtual store::LeaseCheck start(const store::Activity& activity) = 0;
  virtual store::LeaseCheck heartbeat(const store::Activity& activity, bool* cancel) = 0;
  virtual store::LeaseCheck append_log(const store::Activity& activity, int64_t seq, const std::string& data) = 0;
  virtual store::LeaseCheck finish(const store::Activity& activity, const store::Finish& result) = 0;
  // A plan activity's saved plan (the plan file in base64, its stamp), kept by the control
  // plane for an apply made from its run; sent before finish().
  virtual store::LeaseCheck save_plan(const store::Activity& activity, const std::string& plan_file,
                                      const std::string& stamp) = 0;
  // Hands the activity back unfinished (the worker is stopping): another worker takes it at once.
  virtual store::LeaseCheck release(const store::Activity& activity) = 0;
  // The outputs of a component of the activity's repository, from the state the control plane
  // holds: the "outputs" object `output -json` would print ("{}" without state); nullopt when
  // the lease is lost.
  virtual std::optional<std::string> state_outputs(const store::Activity& activity, const std::string& stack,
                                                   const std::string& component) = 0;
  // Who holds the state lock of a component of the activity's repository (lock_text.h's
  // sentence); nullopt when it is not locked or the lease is lost.
  virtual std::optional<std::string> lock_holder(const store::Activity& activity, const std::string& stack,
                                                 const std::string& component) = 0;
  // Where engines reach the server's Terraform state.
  virtual std::string server_url() = 0;
  // How long a lease lasts; heartbeats come every third of it.
  virtual std::chrono::milliseconds lease_duration() = 0;
};

struct WorkerOptions {
  std::string name;
  std::vector<std::string> capabilities = {"terraform"};
  workspace::Environment env;
  std::string engine;
  std::string engine_supervisor;
  std::chrono::milliseconds poll{1000};  // how long one lease call waits
  // A folder of this worker's own (0700, made when missing): each activity's checkout is made
  // fresh at <scratch_dir>/code and removed afterwards, and the results of stack files that did
  // not change are kept in <scratch_dir>/js-cache, so the next activity of the same commit does
  // not run them again (the cache holds no secret and no environment value: js_cache.h). ""
  // = a new temporary folder per activity, no cache.
  std::string scratch_dir;
};

class Worker {
 public:
  Worker(WorkerConnection& connection, WorkerOptions options);
  const std::string& id() const { return record_.id; }
  // Leases and runs activities, one at a time, until `stop` is set; an activity running then
  // is finished first (its engine is interrupted when `stop` says kill).
  void run(const std::atomic<bool>& stop);
  // Runs at most one activity; returns whether there was one. When `stop` is set while it runs,
  // the engine is interrupted (it stops at a safe point, its state written) and the activity
  // is not finished: its lease runs out and another worker takes it up.
  bool run_one(const std::atomic<bool>* stop = nullptr);

 private:
  // Runs `call`, trying again every half second while the server is unreachable (an Error of
  // kind kEnvironment: it may be restarting) for up to a third of the lease; `before_retry`
  // tidies up between tries. Any other error, or the last one, is thrown.
  void while_server_restarts(const std::function<void()>& call, const std::function<void()>& before_retry = {});

  WorkerConnection& connection_;
  WorkerOptions options_;
  store::WorkerRecord record_;
  bool registered_ = false;
};

}  // namespace strata::worker

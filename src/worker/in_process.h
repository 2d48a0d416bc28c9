// InProcessConnection: the WorkerConnection of `strata server --workers N` — the same calls
// `strata worker` makes over HTTP, made directly on the control plane of this process.
#pragma once

#include "control/control_plane.h"
#include "worker/worker.h"

namespace strata::worker {

class InProcessConnection : public WorkerConnection {
 public:
  explicit InProcessConnection(control::ControlPlane& control) : control_(control) {}

  void register_worker(const store::WorkerRecord& worker) override;
  std::optional<std::string> state_outputs(const store::Activity& activity, const std::string& stack,
                                           const std::string& component) override {
    return control_.state_outputs(activity, stack, component);
  }
  std::optional<Lease> lease(const std::string& worker_id, const std::vector<std::string>& capabilities,
                             std::chrono::milliseconds wait) override;
  void fetch_code(const Lease& lease, const std::string& dest) override;
  store::LeaseCheck start(const store::Activity& activity) override;
  store::LeaseCheck heartbeat(const store::Activity& activity, bool* cancel) override;
  store::LeaseCheck append_log(const store::Activity& activity, int64_t seq, const std::string& data) override;
  store::LeaseCheck finish(const store::Activity& activity, const store::Finish& result) override;
  store::LeaseCheck save_plan(const store::Activity& activity, const std::string& plan_file,
                              const std::string& stamp) override;
  std::optional<std::string> lock_holder(const store::Activity& activity, const std::string& stack,
                                         const std::string& component) override;
  store::LeaseCheck release(const store::Activity& activity) override;
  std::string server_url() override { return control_.options().server_url; }
  std::chrono::milliseconds lease_duration() override {
    return std::chrono::milliseconds(control_.options().lease_ms);
  }

 private:
  control::ControlPlane& control_;
};

}  // namespace strata::worker

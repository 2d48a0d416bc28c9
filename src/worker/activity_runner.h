// ActivityRunner: one activity of a server run, executed exactly as `strata plan|apply|destroy
// STACK/COMPONENT` would run it (DESIGN §11.3) — the project loaded from the run's commit with
// the CLI's front-ends, its state pointed at the server, the one component run through
// src/execute in a workdir inside the checkout. Both the server's in-process workers and
// `strata worker` call it; it knows nothing of leases or HTTP.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "store/store.h"
#include "workspace/workspace.h"

namespace strata {
class Execution;
}

namespace strata::worker {

struct ActivityJob {
  store::Activity activity;
  std::string repository;  // the repository's name (state keys start with it)
  std::string code_dir;    // the files of the run's commit; the workdirs go inside it
  // Where results of unchanged stack files are kept between activities (at the same code_dir,
  // so they match); "" = none.
  std::string js_cache_dir;
  std::string server_url;  // the server's Terraform state
  std::string state_credential;  // the lease's (Lease::state_credential): TF_HTTP_PASSWORD
  std::vector<std::string> secret_values;  // the sensitive variables' values: redacted from the log
  workspace::Environment env;
  std::string engine;             // "" = the project's choice
  std::string engine_supervisor;  // see WorkspaceOptions
  // A dependency's outputs from the state the server holds (WorkerConnection::state_outputs):
  // no workdir of it is initialised to ask the engine. Unset = the engine is asked.
  std::function<std::optional<std::string>(const std::string& stack, const std::string& component)> state_outputs;
  // An apply made from a plan run (activity.plan_activity_id set): the plan it applies, and
  // only that (nullopt: the plan is gone, and the activity fails saying to plan again).
  std::optional<store::SavedPlan> plan;
  // A plan that succeeded hands its saved plan here (the plan file in base64, its stamp); one
  // that throws fails the activity. Unset = the plan is not kept.
  std::function<void(const std::string& plan_file, const std::string& stamp)> save_plan;
  // Who holds a component's state lock on the server (WorkerConnection::lock_holder); unset =
  // the engine's own words.
  std::function<std::optional<std::string>(const std::string& stack, const std::string& component)> lock_holder;
};

class ActivityRunner {
 public:
  // Runs the job; `log` receives the activity's log, in order, redacted (from this thread).
  store::Finish run(const ActivityJob& job, const std::function<void(const std::string&)>& log);
  // Cancel (the CLI's Ctrl-C path): engines get SIGINT and stop at a safe point; `kill` also
  // kills them after a grace period. Safe from any thread, before or during run().
  void interrupt(bool kill);

 private:
  std::mutex mutex_;
  Execution* execution_ = nullptr;
  int interrupts_ = 0;
};

}  // namespace strata::worker

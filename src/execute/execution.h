// Execution: one engine command (init/plan/apply/destroy) over a selection of the dependency
// graph — what `strata plan|apply|...` does, as a library the CLI (and later the server and
// workers) call. It builds the graph, selects nodes, runs them through the scheduler with a
// ComponentRunner, and writes the run record.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "secrets/secret_resolver.h"
#include "engine/engine.h"
#include "execute/component_runner.h"
#include "graph/graph.h"
#include "graph/selection.h"
#include "model/error.h"
#include "model/project.h"
#include "run/run_record.h"
#include "run/run_store.h"
#include "run/scheduler.h"

namespace strata {

struct ExecuteRequest {
  Operation operation = Operation::kPlan;
  SelectionSpec selection;
  int jobs = 0;  // 0 = strata.yaml parallelism, else the number of cores (at least 2)
  bool fail_fast = false;
  std::vector<std::string> extra_args;  // passed through to the engine command
  // apply: whether the plans `strata plan` saved are applied (execute/saved_plan.h).
  SavedPlans saved_plans = SavedPlans::kUse;
  // See ComponentRunOptions::given_plans and on_plan_saved.
  std::map<std::string, SavedPlanFiles> given_plans;
  std::function<void(const ComponentRef& node, const SavedPlanFiles& plan)> on_plan_saved;
  // kRequire: what a refusal says to do instead of the CLI's "run `strata plan …`" ("" = that).
  std::string replan_hint;
  // See ComponentRunOptions::lock_holder.
  std::function<std::optional<std::string>(const ComponentRef& node)> lock_holder;
  // kCustom (`strata run` over a selection): extra_args is the engine command, and every line
  // it prints comes here with the component that printed it (from several threads at once).
  std::function<void(const ComponentRef& node, std::string_view line, bool is_stderr)> on_output;
  // How long a component waits for a workdir another strata holds (--lock-wait); 0 = fail at once.
  std::chrono::milliseconds lock_wait{0};
  // Where the run record goes; null = a FileRunStore under <work_dir>/.runs.
  RunStore* store = nullptr;
  // See ComponentRunOptions::dependency_outputs.
  std::function<std::optional<Value>(const ComponentRef& dependency)> dependency_outputs;
};

class Execution {
 public:
  // `env`: the variables every engine call gets (settings env, .env files).
  Execution(const Project& project, std::map<std::string, std::string> env, EngineRunner& engine,
            SecretResolver* secrets, ExecuteRequest request);
  ~Execution();
  Execution(const Execution&) = delete;
  Execution& operator=(const Execution&) = delete;

  const Graph& graph() const { return graph_; }
  const Selection& selection() const { return selection_; }
  // The selected nodes in the order they would start (dependencies first; reversed for destroy).
  std::vector<ComponentRef> planned_order() const;
  int jobs() const { return jobs_; }
  const std::string& run_id() const { return run_id_; }
  // The stamps of the selection's saved plans, in planned_order() (nullopt: none saved), read
  // without running the engine: what an apply would apply if nothing changed since.
  std::vector<std::optional<PlanStamp>> saved_plan_stamps();

  // Runs the selection; events go to `sink`. The record is also saved in the request's store
  // (by default <work_dir>/.runs/<run_id>.json); record_path() says where.
  RunRecord run(EventSink& sink);
  const std::string& record_path() const { return record_path_; }
  // Set when the record could not be saved (a full or read-only disk): the run itself is over
  // and its record is still returned by run(); the caller reports this after the summary.
  const std::optional<Error>& record_error() const { return record_error_; }

  // Ctrl-C: stops starting nodes and sends SIGINT to running engines, which stop at a safe point
  // after writing their state. Safe from a signal-handling thread, before or during run().
  void interrupt();
  // A second Ctrl-C: engines still running `after` from now are killed (SIGKILL to their process
  // groups). The delay lets an engine that is writing its state finish: a kill at once used to
  // cut state files. A later call can only bring the moment closer (a third Ctrl-C: 0).
  void kill_engines(std::chrono::milliseconds after);

 private:
  const Project& project_;
  std::map<std::string, std::string> env_;
  EngineRunner& engine_;
  SecretResolver* secrets_;
  ExecuteRequest request_;
  Graph graph_;
  Selection selection_;
  int jobs_ = 2;
  std::string run_id_;
  std::string record_path_;
  std::optional<Error> record_error_;
  // Interrupt state, shared with the signal thread and the kill timer; guarded by mutex_.
  void apply_interrupts_locked();
  void kill_timer();
  std::mutex mutex_;
  std::condition_variable changed_;
  Scheduler* scheduler_ = nullptr;  // while run() runs
  bool interrupted_ = false;
  std::optional<std::chrono::steady_clock::time_point> kill_at_;
  int sent_ = 0;  // interrupt() calls made on scheduler_ (1 = SIGINT, 2 = SIGKILL)
  bool finished_ = false;
  std::thread timer_;
};

// The number of engine processes to run at once: explicit, else settings, else cores (>= 2).
int default_jobs(const Settings& settings);
// A new run id: UTC time plus a short random suffix, sortable ("20261123T070102Z-3fa2").
std::string new_run_id();

}  // namespace strata

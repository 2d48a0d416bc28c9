// Execution: one engine command (init/plan/apply/destroy) over a selection of the dependency
// graph — what `strata plan|apply|...` does, as a library the CLI (and later the server and
// workers) call. It builds the graph, selects nodes, runs them through the scheduler with a
// ComponentRunner, and writes the run record.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "secrets/secret_resolver.h"
#include "engine/engine.h"
#include "execute/component_runner.h"
#include "graph/graph.h"
#include "graph/selection.h"
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
  // Where the run record goes; null = a FileRunStore under <work_dir>/.runs.
  RunStore* store = nullptr;
};

class Execution {
 public:
  // `env`: the variables every engine call gets (settings env, .env files).
  Execution(const Project& project, std::map<std::string, std::string> env, EngineRunner& engine,
            SecretResolver* secrets, ExecuteRequest request);

  const Graph& graph() const { return graph_; }
  const Selection& selection() const { return selection_; }
  // The selected nodes in the order they would start (dependencies first; reversed for destroy).
  std::vector<ComponentRef> planned_order() const;
  int jobs() const { return jobs_; }
  const std::string& run_id() const { return run_id_; }

  // Runs the selection; events go to `sink`. The record is also saved in the request's store
  // (by default <work_dir>/.runs/<run_id>.json); record_path() says where.
  RunRecord run(EventSink& sink);
  const std::string& record_path() const { return record_path_; }

  // Ctrl-C: the first call stops starting nodes and sends SIGINT to running engines; the second
  // kills them. Safe from a signal-handling thread.
  void interrupt();

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
  std::atomic<int> early_interrupts_{0};
  std::atomic<Scheduler*> scheduler_{nullptr};
};

// The number of engine processes to run at once: explicit, else settings, else cores (>= 2).
int default_jobs(const Settings& settings);
// A new run id: UTC time plus a short random suffix, sortable ("20261123T070102Z-3fa2").
std::string new_run_id();

}  // namespace strata

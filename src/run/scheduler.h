// Scheduler: runs the selected nodes of a Graph through a NodeRunner — dependencies first (or
// dependents first for destroy), at most `jobs` at once, the longest remaining chain first —
// and reports everything to an EventSink. A failed node skips exactly its transitive dependents;
// the rest go on unless fail_fast. interrupt() stops gracefully, a second call kills.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "graph/graph.h"
#include "graph/selection.h"
#include "run/node_runner.h"
#include "run/run_event.h"
#include "run/run_record.h"

namespace strata {

struct RunOptions {
  int jobs = 2;            // at most this many nodes run at once (at least 1)
  bool reverse = false;    // destroy: a node runs after everything that depends on it
  bool fail_fast = false;  // on the first failure start nothing new and interrupt the rest
  std::string command;     // recorded: "plan", "apply", ...
  std::string run_id;      // empty: one is made from the start time
  // Expected duration of a node (any unit), e.g. from the last run record. Only the ratios
  // matter: it orders ready nodes by their longest remaining chain. Default: every node costs 1.
  std::function<double(const ComponentRef&)> estimate;
};

class Scheduler {
 public:
  Scheduler(NodeRunner& runner, EventSink& sink) : runner_(runner), sink_(sink) {}

  // Runs once per Scheduler. Dependencies outside the selection are taken as already done.
  // Blocks until every started node has finished.
  RunRecord run(const Graph& graph, const Selection& selection, const RunOptions& options);

  // Thread-safe and signal-thread friendly (no locks held across calls into the scheduler).
  // The first call lets running nodes stop gracefully and starts nothing new; the second asks
  // them to kill their processes. Calling it before run() makes run() start nothing.
  void interrupt();

 private:
  NodeRunner& runner_;
  EventSink& sink_;
  Cancellation cancellation_;
  std::atomic<int> interrupts_{0};
};

}  // namespace strata

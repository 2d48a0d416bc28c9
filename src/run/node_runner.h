// NodeRunner: the one interface through which the scheduler gets work done. The real runner
// generates a workdir and calls the engine; tests use fakes that sleep or fail on demand. The
// scheduler itself never touches the disk or spawns a process.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "model/project.h"
#include "model/value.h"
#include "run/run_event.h"

namespace strata {

// Whether a run is being stopped: first a polite request (SIGINT to the engine, so it releases
// state locks), then a kill. Shared by every node of one run; thread-safe.
class Cancellation {
 public:
  enum class Level { kNone = 0, kInterrupt = 1, kKill = 2 };

  Level level() const;
  bool interrupted() const { return level() >= Level::kInterrupt; }
  bool killed() const { return level() == Level::kKill; }
  // Raises the level (never lowers it) and wakes every waiter.
  void raise(Level level);
  // Blocks until the level is above `seen` or `timeout` passes; returns the level.
  Level wait_for_change(Level seen, std::chrono::milliseconds timeout) const;

  // Calls `listener` with the new level, on the raising thread, each time the level rises,
  // until remove_listener(id). A listener must not call add_listener or remove_listener.
  using Listener = std::function<void(Level)>;
  int add_listener(Listener listener) const;
  // After this returns the listener is not running and will not be called again.
  void remove_listener(int id) const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  Level level_ = Level::kNone;
  mutable std::mutex listeners_mutex_;  // taken after mutex_ is released, never inside it
  mutable std::map<int, Listener> listeners_;
  mutable int next_listener_ = 0;
};

// What one node's runner sees while it runs.
class RunContext {
 public:
  RunContext(ComponentRef node, const Cancellation& cancellation,
             std::function<void(RunEvent)> emit)
      : node_(std::move(node)), cancellation_(cancellation), emit_(std::move(emit)) {}

  const ComponentRef& node() const { return node_; }
  const Cancellation& cancellation() const { return cancellation_; }
  bool interrupted() const { return cancellation_.interrupted(); }
  bool killed() const { return cancellation_.killed(); }
  // Phase and log events from the runner; the node and time are filled in here.
  void phase(const std::string& name);
  void log_line(const std::string& line);
  void emit(RunEvent event);

 private:
  ComponentRef node_;
  const Cancellation& cancellation_;
  std::function<void(RunEvent)> emit_;
};

class NodeRunner {
 public:
  virtual ~NodeRunner() = default;
  // Runs one node to completion and says how it went. Called from worker threads, several at
  // once for different nodes. Must return soon after ctx.interrupted() (after stopping the engine
  // gracefully) and at once after ctx.killed(). An exception counts as a failure.
  virtual NodeOutcome run(const ComponentRef& node, RunContext& ctx) = 0;
};

}  // namespace strata

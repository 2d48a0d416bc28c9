// Test doubles for the scheduler: a NodeRunner that sleeps, fails or ignores interrupts on
// demand and measures how many nodes ran at once, and an EventSink that keeps every event.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "run/node_runner.h"
#include "run/run_event.h"

namespace strata::testing {

// Builds a graph from {"stack/component", {"dependency", ...}} lines, nodes in the given order.
inline Graph make_graph(
    const std::vector<std::pair<std::string, std::vector<std::string>>>& lines) {
  Graph g;
  std::map<std::string, NodeId> ids;
  for (const auto& [name, deps] : lines) {
    auto slash = name.find('/');
    ids[name] = g.add_node({name.substr(0, slash), name.substr(slash + 1), {}});
  }
  for (const auto& [name, deps] : lines)
    for (const auto& d : deps) g.add_edge(ids.at(name), ids.at(d), EdgeKind::kDependsOn, {});
  g.check_acyclic();
  return g;
}

class FakeRunner : public NodeRunner {
 public:
  std::chrono::milliseconds delay{0};  // for every node not in `delays`
  std::map<std::string, std::chrono::milliseconds> delays;
  std::set<std::string> failing;        // these return kFailed after the delay
  std::set<std::string> throwing;       // these throw
  bool ignore_first_interrupt = false;  // like an engine that ignores SIGINT

  NodeOutcome run(const ComponentRef& node, RunContext& ctx) override {
    const std::string name = node.str();
    int now = ++running_;
    int seen_max = max_running_.load();
    while (now > seen_max && !max_running_.compare_exchange_weak(seen_max, now)) {
    }
    {
      std::lock_guard lock(mutex_);
      started_.push_back(name);
    }
    started_cv_.notify_all();
    ctx.phase("apply");
    ctx.log_line(name + ": working");

    NodeOutcome out;
    auto it = delays.find(name);
    auto deadline = std::chrono::steady_clock::now() + (it == delays.end() ? delay : it->second);
    auto seen = Cancellation::Level::kNone;
    while (std::chrono::steady_clock::now() < deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      seen = ctx.cancellation().wait_for_change(seen, left + std::chrono::milliseconds(1));
      if (seen == Cancellation::Level::kKill ||
          (seen == Cancellation::Level::kInterrupt && !ignore_first_interrupt)) {
        if (seen == Cancellation::Level::kKill) ++killed_;
        out.result = NodeResult::kInterrupted;
        out.message = "interrupted";
        --running_;
        return out;
      }
    }
    --running_;
    if (throwing.count(name)) throw std::runtime_error("boom in " + name);
    if (failing.count(name)) {
      out.result = NodeResult::kFailed;
      out.message = "Error: simulated failure";
      out.log_path = ".strata/logs/" + node.stack + "-" + node.component + ".log";
      return out;
    }
    out.changes.add = 1;
    out.outputs = Value::map();
    out.outputs.set("id", Value(name + "-id"));
    return out;
  }

  int max_running() const { return max_running_; }
  int killed() const { return killed_; }
  std::vector<std::string> started() {
    std::lock_guard lock(mutex_);
    return started_;
  }
  // Blocks until at least `n` nodes have started (or 10 s pass).
  bool wait_until_started(size_t n) {
    std::unique_lock lock(mutex_);
    return started_cv_.wait_for(lock, std::chrono::seconds(10),
                                [&] { return started_.size() >= n; });
  }

 private:
  std::atomic<int> running_{0};
  std::atomic<int> max_running_{0};
  std::atomic<int> killed_{0};
  std::mutex mutex_;
  std::condition_variable started_cv_;
  std::vector<std::string> started_;
};

// Keeps every event and checks that the scheduler never calls it twice at once.
class RecordingSink : public EventSink {
 public:
  void on_event(const RunEvent& event) override {
    if (in_call_.exchange(true)) overlapped_ = true;
    events.push_back(event);
    in_call_ = false;
  }
  std::vector<RunEvent> events;
  bool overlapped() const { return overlapped_; }

 private:
  std::atomic<bool> in_call_{false};
  std::atomic<bool> overlapped_{false};
};

class NullSink : public EventSink {
 public:
  void on_event(const RunEvent&) override {}
};

}  // namespace strata::testing

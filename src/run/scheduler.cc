#include "run/scheduler.h"

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <queue>
#include <random>
#include <stdexcept>
#include <thread>

#include "model/error.h"

namespace strata {

namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

enum class NodeState : char { kWaiting, kReady, kRunning, kDone };

struct ReadyEntry {
  double priority;  // longest remaining chain through this node
  int local;
};
// Highest priority first; ties go to the lower index (stack name, then declaration order).
struct ReadyOrder {
  bool operator()(const ReadyEntry& a, const ReadyEntry& b) const {
    if (a.priority != b.priority) return a.priority < b.priority;
    return a.local > b.local;
  }
};

std::string make_run_id(WallClock::time_point t) {
  std::string stamp = format_time(t);  // 2026-11-23T07:01:02.345Z
  std::string id;
  for (char c : stamp.substr(0, 19))
    if (c != '-' && c != ':') id += c;
  std::random_device rd;
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "-%04x", rd() & 0xffff);
  return id + "Z" + suffix;
}

// One run of the scheduler: the plan (who waits on whom, priorities) and the live state.
// Nodes are addressed by their local index in the selection (graph order).
class Execution {
 public:
  Execution(const Graph& graph, const Selection& selection, const RunOptions& options,
            NodeRunner& runner, EventSink& sink, Cancellation& cancellation,
            const std::atomic<int>& interrupts)
      : graph_(graph),
        options_(options),
        runner_(runner),
        sink_(sink),
        cancellation_(cancellation),
        interrupts_(interrupts),
        ids_(selection.ids()) {}

  RunRecord run();

 private:
  void plan();
  void worker();
  bool stopping() const { return fail_fast_stopped_ || cancellation_.interrupted(); }
  void start_locked(int local);
  void finish_locked(int local, NodeOutcome outcome, SteadyClock::time_point started);
  void skip_after_locked(int failed_local, const NodeOutcome& outcome);
  void mark_ready_locked(int local);
  void emit(RunEvent event);
  void emit_finished_locked(int local, const NodeOutcome& outcome);

  const Graph& graph_;
  const RunOptions& options_;
  NodeRunner& runner_;
  EventSink& sink_;
  Cancellation& cancellation_;
  const std::atomic<int>& interrupts_;

  std::vector<NodeId> ids_;                 // local -> graph node
  std::vector<int> waits_;                  // unfinished predecessors in run order
  std::vector<std::vector<int>> unblocks_;  // successors in run order
  std::vector<double> priority_;
  RunRecord record_;

  std::mutex mutex_;  // guards everything below, and record_
  std::condition_variable wake_;
  std::vector<NodeState> state_;
  std::priority_queue<ReadyEntry, std::vector<ReadyEntry>, ReadyOrder> ready_;
  size_t unfinished_ = 0;
  int started_ = 0;
  bool fail_fast_stopped_ = false;
  std::string fail_fast_cause_;

  std::mutex sink_mutex_;  // serialises sink calls; taken after mutex_ when both are held
};

void Execution::plan() {
  std::vector<int> local(graph_.size(), -1);
  for (size_t i = 0; i < ids_.size(); ++i) local[ids_[i]] = static_cast<int>(i);
  size_t n = ids_.size();
  waits_.assign(n, 0);
  unblocks_.assign(n, {});
  for (size_t i = 0; i < n; ++i) {
    for (NodeId dep : graph_.dependencies(ids_[i])) {
      int d = local[dep];
      if (d < 0) continue;  // outside the selection: taken as done
      int first = options_.reverse ? static_cast<int>(i) : d;
      int then = options_.reverse ? d : static_cast<int>(i);
      unblocks_[first].push_back(then);
      ++waits_[then];
    }
  }
  // Longest remaining chain: walk a topological order of the run backwards.
  std::vector<int> order;
  order.reserve(n);
  std::vector<int> pending = waits_;
  for (size_t i = 0; i < n; ++i)
    if (pending[i] == 0) order.push_back(static_cast<int>(i));
  for (size_t k = 0; k < order.size(); ++k)
    for (int next : unblocks_[order[k]])
      if (--pending[next] == 0) order.push_back(next);
  priority_.assign(n, 0.0);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    double longest_after = 0;
    for (int next : unblocks_[*it]) longest_after = std::max(longest_after, priority_[next]);
    double cost = options_.estimate ? options_.estimate(graph_.node(ids_[*it])) : 1.0;
    priority_[*it] = std::max(cost, 0.0) + longest_after;
  }
}

void Execution::emit(RunEvent event) {
  event.run_id = record_.run_id;
  std::lock_guard lock(sink_mutex_);
  sink_.on_event(event);
}

void Execution::emit_finished_locked(int local, const NodeOutcome& outcome) {
  RunEvent e;
  e.type = RunEvent::Type::kNodeFinished;
  e.node = graph_.node(ids_[local]);
  e.outcome = outcome;
  e.duration = record_.nodes[local].duration;
  emit(std::move(e));
}

void Execution::mark_ready_locked(int local) {
  state_[local] = NodeState::kReady;
  ready_.push({priority_[local], local});
}

void Execution::start_locked(int local) {
  state_[local] = NodeState::kRunning;
  NodeRecord& r = record_.nodes[local];
  r.start_order = ++started_;
  r.started_at = WallClock::now();
  RunEvent e;
  e.type = RunEvent::Type::kNodeStarted;
  e.node = graph_.node(ids_[local]);
  emit(std::move(e));
}

void Execution::skip_after_locked(int failed_local, const NodeOutcome& outcome) {
  const std::string& name = graph_.node(ids_[failed_local]).str();
  std::string verb = outcome.result == NodeResult::kFailed ? "failed" : "did not finish";
  std::string why = options_.reverse ? "skipped: " + name + ", which depends on it, " + verb
                                     : "skipped: its dependency " + name + " " + verb;
  std::vector<int> work{failed_local};
  while (!work.empty()) {
    int cur = work.back();
    work.pop_back();
    for (int next : unblocks_[cur]) {
      if (state_[next] != NodeState::kWaiting) continue;
      state_[next] = NodeState::kDone;
      --unfinished_;
      NodeOutcome skipped;
      skipped.result = NodeResult::kSkipped;
      skipped.message = why;
      record_.nodes[next].result = NodeResult::kSkipped;
      record_.nodes[next].message = why;
      emit_finished_locked(next, skipped);
      work.push_back(next);
    }
  }
}

void Execution::finish_locked(int local, NodeOutcome outcome, SteadyClock::time_point started) {
  state_[local] = NodeState::kDone;
  --unfinished_;
  NodeRecord& r = record_.nodes[local];
  r.result = outcome.result;
  r.finished_at = WallClock::now();
  r.duration = std::chrono::duration_cast<milliseconds>(SteadyClock::now() - started);
  r.changes = outcome.changes;
  r.plan = outcome.plan;
  r.warnings = outcome.warnings;
  r.plan_note = outcome.plan_note;
  r.log_path = outcome.log_path;
  r.message = outcome.message;
  emit_finished_locked(local, outcome);

  if (outcome.result == NodeResult::kSucceeded) {
    for (int next : unblocks_[local])
      if (--waits_[next] == 0 && state_[next] == NodeState::kWaiting) mark_ready_locked(next);
    return;
  }
  // An interrupted node's dependents stay "not started"; anything else that did not succeed
  // must not leave its dependents waiting forever.
  if (outcome.result != NodeResult::kInterrupted || !stopping()) skip_after_locked(local, outcome);
  if (outcome.result == NodeResult::kFailed && options_.fail_fast && !fail_fast_stopped_) {
    fail_fast_stopped_ = true;
    fail_fast_cause_ = graph_.node(ids_[local]).str();
    cancellation_.raise(Cancellation::Level::kInterrupt);
  }
}

void Execution::worker() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (unfinished_ == 0 || stopping()) return;
    if (ready_.empty()) {
      // interrupt() does not hold our lock, so also wake up now and then to notice it.
      wake_.wait_for(lock, milliseconds(50));
      continue;
    }
    int local = ready_.top().local;
    ready_.pop();
    start_locked(local);
    const ComponentRef& node = graph_.node(ids_[local]);
    lock.unlock();

    auto started = SteadyClock::now();
    RunContext ctx(node, cancellation_, [this](RunEvent e) { emit(std::move(e)); });
    NodeOutcome outcome;
    try {
      outcome = runner_.run(node, ctx);
    } catch (const Error& e) {
      outcome = {};
      outcome.result = NodeResult::kFailed;
      outcome.message = e.render();
    } catch (const std::exception& e) {
      outcome = {};
      outcome.result = NodeResult::kFailed;
      outcome.message = std::string("internal error while running the node: ") + e.what();
    }

    lock.lock();
    finish_locked(local, std::move(outcome), started);
    wake_.notify_all();
  }
}

RunRecord Execution::run() {
  record_.started_at = WallClock::now();
  record_.run_id = options_.run_id.empty() ? make_run_id(record_.started_at) : options_.run_id;
  record_.command = options_.command;
  record_.jobs = std::max(1, options_.jobs);
  record_.reverse = options_.reverse;
  record_.fail_fast = options_.fail_fast;
  record_.nodes.resize(ids_.size());
  for (size_t i = 0; i < ids_.size(); ++i) record_.nodes[i].node = graph_.node(ids_[i]);

  plan();
  state_.assign(ids_.size(), NodeState::kWaiting);
  unfinished_ = ids_.size();

  RunEvent started;
  started.type = RunEvent::Type::kRunStarted;
  started.text = options_.command;
  emit(std::move(started));
  {
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < ids_.size(); ++i) {
      RunEvent e;
      e.type = RunEvent::Type::kNodeQueued;
      e.node = graph_.node(ids_[i]);
      emit(std::move(e));
    }
    for (size_t i = 0; i < ids_.size(); ++i)
      if (waits_[i] == 0) mark_ready_locked(static_cast<int>(i));
  }

  size_t workers = std::min<size_t>(record_.jobs, ids_.size());
  std::vector<std::thread> threads;
  threads.reserve(workers);
  for (size_t i = 0; i < workers; ++i) threads.emplace_back([this] { worker(); });
  for (auto& t : threads) t.join();

  // Whatever never started was stopped by an interrupt or by --fail-fast.
  std::string why = interrupts_ > 0 ? "not started: the run was interrupted"
                                    : "not started: --fail-fast stopped the run after " +
                                          fail_fast_cause_ + " failed";
  for (size_t i = 0; i < ids_.size(); ++i) {
    if (state_[i] == NodeState::kDone) continue;
    state_[i] = NodeState::kDone;
    NodeOutcome outcome;
    outcome.result = NodeResult::kNotStarted;
    outcome.message = why;
    record_.nodes[i].result = NodeResult::kNotStarted;
    record_.nodes[i].message = why;
    emit_finished_locked(static_cast<int>(i), outcome);
  }
  record_.interrupted = interrupts_ > 0;
  record_.finished_at = WallClock::now();

  RunEvent finished;
  finished.type = RunEvent::Type::kRunFinished;
  finished.duration =
      std::chrono::duration_cast<milliseconds>(record_.finished_at - record_.started_at);
  emit(std::move(finished));
  return std::move(record_);
}

}  // namespace

RunRecord Scheduler::run(const Graph& graph, const Selection& selection,
                         const RunOptions& options) {
  if (selection.graph_size() != graph.size())
    throw std::logic_error("Scheduler::run: the selection was made for another graph");
  Execution execution(graph, selection, options, runner_, sink_, cancellation_, interrupts_);
  return execution.run();
}

void Scheduler::interrupt() {
  int n = ++interrupts_;
  cancellation_.raise(n == 1 ? Cancellation::Level::kInterrupt : Cancellation::Level::kKill);
}

}  // namespace strata

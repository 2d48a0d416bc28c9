// Scheduler benchmark: a random DAG whose nodes sleep fixed delays, run at -j N. Reports the
// wall time against the lower bound max(critical path, total work / N), the scheduler's own CPU
// time per node (the fake nodes sleep, so nearly all CPU the process uses is scheduling), and
// peak memory. Usage: scheduler_bench [--nodes 500] [--jobs 8] [--seed 1] [--scale-ms 10]
//                                     [--unit-estimates]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "graph/graph.h"
#include "graph/selection.h"
#include "run/scheduler.h"

namespace {

using namespace strata;
using Clock = std::chrono::steady_clock;

struct Options {
  int nodes = 500;
  int jobs = 8;
  unsigned seed = 1;
  int scale_ms = 10;            // a node sleeps scale_ms * (1..10)
  bool unit_estimates = false;  // pretend durations are unknown (every node costs 1)
};

class SleepingRunner : public NodeRunner {
 public:
  explicit SleepingRunner(const std::vector<int>& delays_ms) : delays_ms_(delays_ms) {}
  NodeOutcome run(const ComponentRef& node, RunContext& ctx) override {
    int index = std::stoi(node.component.substr(1));
    ctx.phase("apply");
    std::this_thread::sleep_for(std::chrono::milliseconds(delays_ms_[index]));
    return {};
  }

 private:
  const std::vector<int>& delays_ms_;
};

class CountingSink : public EventSink {
 public:
  void on_event(const RunEvent&) override { ++events; }
  long events = 0;
};

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long peak_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    auto next = [&] { return i + 1 < argc ? std::atoi(argv[++i]) : 0; };
    if (!std::strcmp(argv[i], "--nodes"))
      o.nodes = next();
    else if (!std::strcmp(argv[i], "--jobs"))
      o.jobs = next();
    else if (!std::strcmp(argv[i], "--seed"))
      o.seed = static_cast<unsigned>(next());
    else if (!std::strcmp(argv[i], "--scale-ms"))
      o.scale_ms = next();
    else if (!std::strcmp(argv[i], "--unit-estimates"))
      o.unit_estimates = true;
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  std::mt19937 rng(o.seed);

  // Random DAG: node i depends on 0-3 nodes among the 50 before it, so there are long chains
  // and plenty of parallel work at once. Spread over stacks of 50 nodes.
  Graph g;
  std::vector<int> delays(o.nodes);
  for (int i = 0; i < o.nodes; ++i) {
    g.add_node({"stack" + std::to_string(i / 50), "n" + std::to_string(i), {}});
    delays[i] = o.scale_ms * static_cast<int>(1 + rng() % 10);
  }
  for (int i = 1; i < o.nodes; ++i) {
    int deps = static_cast<int>(rng() % 4);
    for (int k = 0; k < deps; ++k) {
      int window = std::min(i, 50);
      g.add_edge(i, i - 1 - static_cast<int>(rng() % window), EdgeKind::kDependsOn, {});
    }
  }

  // Lower bound: the longest weighted chain, or all the work spread perfectly over the slots.
  std::vector<double> finish(o.nodes, 0);
  double critical_ms = 0, total_ms = 0;
  for (NodeId n : g.topological_order()) {
    double start = 0;
    for (NodeId d : g.dependencies(n)) start = std::max(start, finish[d]);
    finish[n] = start + delays[n];
    critical_ms = std::max(critical_ms, finish[n]);
    total_ms += delays[n];
  }
  double bound_ms = std::max(critical_ms, total_ms / o.jobs);

  SleepingRunner runner(delays);
  CountingSink sink;
  Scheduler scheduler(runner, sink);
  RunOptions options;
  options.jobs = o.jobs;
  options.command = "bench";
  if (!o.unit_estimates)
    options.estimate = [&](const ComponentRef& n) {
      return static_cast<double>(delays[std::stoi(n.component.substr(1))]);
    };

  double cpu0 = cpu_seconds();
  auto t0 = Clock::now();
  RunRecord record = scheduler.run(g, Selection::all(g), options);
  double wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  double cpu_ms = (cpu_seconds() - cpu0) * 1000;

  std::printf("nodes %d, edges %zu, jobs %d, estimates %s\n", o.nodes, g.edges().size(), o.jobs,
              o.unit_estimates ? "unit" : "known delays");
  std::printf("critical path     %9.1f ms\n", critical_ms);
  std::printf("total work / %-3d  %9.1f ms\n", o.jobs, total_ms / o.jobs);
  std::printf("lower bound       %9.1f ms\n", bound_ms);
  std::printf("wall time         %9.1f ms  (%+.2f%% over the bound)\n", wall_ms,
              (wall_ms / bound_ms - 1) * 100);
  std::printf("scheduler CPU     %9.1f ms  (%.3f ms per node, %ld events)\n", cpu_ms,
              cpu_ms / o.nodes, sink.events);
  std::printf("peak RSS          %9ld kB\n", peak_rss_kb());
  std::printf("succeeded         %9zu / %d\n", record.count(NodeResult::kSucceeded), o.nodes);
  return record.succeeded() ? 0 : 1;
}

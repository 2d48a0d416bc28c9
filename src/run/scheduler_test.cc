#include "run/scheduler.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "run/fake_runner.h"

namespace strata {
namespace {

using namespace std::chrono_literals;
using testing::FakeRunner;
using testing::make_graph;
using testing::NullSink;
using testing::RecordingSink;

struct Run {
  RunRecord record;
  std::vector<std::string> started;
};

Run run(FakeRunner& runner, const Graph& g, RunOptions options = {}) {
  NullSink sink;
  Scheduler scheduler(runner, sink);
  RunRecord record = scheduler.run(g, Selection::all(g), options);
  return {std::move(record), runner.started()};
}

RunOptions opts(int jobs, bool reverse = false, bool fail_fast = false) {
  RunOptions o;
  o.jobs = jobs;
  o.reverse = reverse;
  o.fail_fast = fail_fast;
  return o;
}

const NodeRecord& node(const RunRecord& r, const std::string& name) {
  auto slash = name.find('/');
  const NodeRecord* n = r.find(name.substr(0, slash), name.substr(slash + 1));
  if (!n) throw std::runtime_error("no node " + name);
  return *n;
}

std::string results(const RunRecord& r) {
  std::string out;
  for (const auto& n : r.nodes) out += n.node.str() + "=" + node_result_name(n.result) + " ";
  return out;
}

TEST(SchedulerTest, DiamondRunsTheBaseFirstAndTheTopLast) {
  // top depends on left and right; both depend on base.
  Graph g = make_graph({{"dev/top", {"dev/left", "dev/right"}},
                        {"dev/left", {"dev/base"}},
                        {"dev/right", {"dev/base"}},
                        {"dev/base", {}}});
  FakeRunner runner;
  runner.delay = 150ms;
  auto [record, started] = run(runner, g, opts(4));
  ASSERT_EQ(started.size(), 4u);
  EXPECT_EQ(started.front(), "dev/base");
  EXPECT_EQ(started.back(), "dev/top");
  EXPECT_GE(*node(record, "dev/top").started_at, *node(record, "dev/left").finished_at);
  EXPECT_GE(*node(record, "dev/top").started_at, *node(record, "dev/right").finished_at);
  EXPECT_EQ(runner.max_running(), 2) << "left and right are independent and should overlap";
  EXPECT_TRUE(record.succeeded()) << results(record);
}

TEST(SchedulerTest, CrossStackDependenciesOrderTheRun) {
  Graph g = make_graph({{"prod/web", {"dev/app"}},
                        {"dev/app", {"shared/net"}},
                        {"shared/net", {}},
                        {"aaa/unrelated", {}}});
  FakeRunner runner;
  auto [record, started] = run(runner, g, opts(1));
  // One slot: the longest chain goes first, the unrelated node after it is unblocked.
  EXPECT_EQ(started,
            (std::vector<std::string>{"shared/net", "dev/app", "prod/web", "aaa/unrelated"}));
}

TEST(SchedulerTest, ReachesExactlyJobsConcurrentNodes) {
  std::vector<std::pair<std::string, std::vector<std::string>>> lines;
  for (int i = 0; i < 12; ++i) lines.push_back({"dev/c" + std::to_string(i), {}});
  Graph g = make_graph(lines);
  for (int jobs : {1, 3, 4}) {
    FakeRunner runner;
    runner.delay = 60ms;
    auto [record, started] = run(runner, g, opts(jobs));
    EXPECT_EQ(runner.max_running(), jobs);
    EXPECT_EQ(record.count(NodeResult::kSucceeded), 12u);
  }
}

TEST(SchedulerTest, FailureSkipsExactlyItsTransitiveDependents) {
  Graph g = make_graph({{"dev/net", {}},
                        {"dev/db", {"dev/net"}},
                        {"dev/app", {"dev/db"}},
                        {"prod/web", {"dev/app"}},
                        {"dev/cache", {"dev/net"}},
                        {"dev/dns", {}}});
  FakeRunner runner;
  runner.failing = {"dev/db"};
  auto [record, started] = run(runner, g, opts(3));
  EXPECT_EQ(node(record, "dev/db").result, NodeResult::kFailed);
  EXPECT_EQ(node(record, "dev/db").log_path, ".strata/logs/dev-db.log");
  for (const char* name : {"dev/app", "prod/web"}) {
    EXPECT_EQ(node(record, name).result, NodeResult::kSkipped) << name;
    EXPECT_EQ(node(record, name).message, "skipped: its dependency dev/db failed") << name;
    EXPECT_EQ(node(record, name).start_order, 0) << name;
  }
  for (const char* name : {"dev/net", "dev/cache", "dev/dns"})
    EXPECT_EQ(node(record, name).result, NodeResult::kSucceeded) << name;
  EXPECT_EQ(started.size(), 4u);
  EXPECT_FALSE(record.succeeded());
}

TEST(SchedulerTest, ARunnerExceptionIsAFailureOfThatNode) {
  Graph g = make_graph({{"dev/a", {}}, {"dev/b", {"dev/a"}}});
  FakeRunner runner;
  runner.throwing = {"dev/a"};
  auto [record, started] = run(runner, g);
  EXPECT_EQ(node(record, "dev/a").result, NodeResult::kFailed);
  EXPECT_NE(node(record, "dev/a").message.find("boom in dev/a"), std::string::npos);
  EXPECT_EQ(node(record, "dev/b").result, NodeResult::kSkipped);
}

TEST(SchedulerTest, FailFastInterruptsRunningNodesAndStartsNothingNew) {
  Graph g = make_graph(
      {{"dev/bad", {}}, {"dev/slow", {}}, {"dev/later", {}}, {"dev/after", {"dev/bad"}}});
  FakeRunner runner;
  runner.delays = {{"dev/bad", 20ms}, {"dev/slow", 5000ms}, {"dev/later", 5000ms}};
  runner.failing = {"dev/bad"};
  auto t0 = std::chrono::steady_clock::now();
  auto [record, started] = run(runner, g, opts(2, false, true));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s) << "the slow node was not interrupted";
  EXPECT_EQ(node(record, "dev/bad").result, NodeResult::kFailed);
  EXPECT_EQ(node(record, "dev/slow").result, NodeResult::kInterrupted);
  EXPECT_EQ(node(record, "dev/after").result, NodeResult::kSkipped);
  EXPECT_EQ(node(record, "dev/later").result, NodeResult::kNotStarted);
  EXPECT_EQ(node(record, "dev/later").message,
            "not started: --fail-fast stopped the run after dev/bad failed");
  EXPECT_FALSE(record.interrupted) << "fail-fast is not a user interrupt";
}

TEST(SchedulerTest, WithoutFailFastOthersGoOn) {
  Graph g = make_graph({{"dev/bad", {}}, {"dev/slow", {}}, {"dev/later", {}}});
  FakeRunner runner;
  runner.delays = {{"dev/slow", 100ms}};
  runner.failing = {"dev/bad"};
  auto [record, started] = run(runner, g, opts(2));
  EXPECT_EQ(node(record, "dev/slow").result, NodeResult::kSucceeded);
  EXPECT_EQ(node(record, "dev/later").result, NodeResult::kSucceeded);
}

TEST(SchedulerTest, InterruptStopsRunningNodesGracefullyAndStartsNothingNew) {
  Graph g = make_graph({{"dev/a", {}}, {"dev/b", {}}, {"dev/c", {}}, {"dev/d", {"dev/a"}}});
  FakeRunner runner;
  runner.delay = 10s;
  NullSink sink;
  Scheduler scheduler(runner, sink);
  RunRecord record;
  auto t0 = std::chrono::steady_clock::now();
  std::thread t([&] { record = scheduler.run(g, Selection::all(g), opts(2)); });
  ASSERT_TRUE(runner.wait_until_started(2));
  scheduler.interrupt();
  t.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  EXPECT_TRUE(record.interrupted);
  EXPECT_EQ(record.interrupted_nodes().size(), 2u) << results(record);
  EXPECT_EQ(record.count(NodeResult::kNotStarted), 2u) << results(record);
  EXPECT_EQ(node(record, "dev/d").message, "not started: the run was interrupted");
  EXPECT_EQ(runner.killed(), 0) << "the first interrupt must not kill";
  EXPECT_EQ(runner.started().size(), 2u);
}

TEST(SchedulerTest, SecondInterruptKillsNodesThatIgnoreTheFirst) {
  Graph g = make_graph({{"dev/a", {}}, {"dev/b", {}}});
  FakeRunner runner;
  runner.delay = 10s;
  runner.ignore_first_interrupt = true;
  NullSink sink;
  Scheduler scheduler(runner, sink);
  RunRecord record;
  std::thread t([&] { record = scheduler.run(g, Selection::all(g), opts(2)); });
  ASSERT_TRUE(runner.wait_until_started(2));
  scheduler.interrupt();
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(runner.killed(), 0);
  scheduler.interrupt();
  t.join();
  EXPECT_EQ(runner.killed(), 2);
  EXPECT_EQ(record.interrupted_nodes().size(), 2u);
}

TEST(SchedulerTest, ReverseRunsDependentsFirstForDestroy) {
  Graph g = make_graph({{"dev/net", {}},
                        {"dev/db", {"dev/net"}},
                        {"dev/app", {"dev/db"}},
                        {"prod/web", {"dev/app"}}});
  FakeRunner runner;
  runner.failing = {"dev/db"};
  auto [record, started] = run(runner, g, opts(4, true));
  EXPECT_EQ(started, (std::vector<std::string>{"prod/web", "dev/app", "dev/db"}));
  EXPECT_EQ(node(record, "dev/net").result, NodeResult::kSkipped);
  EXPECT_EQ(node(record, "dev/net").message, "skipped: dev/db, which depends on it, failed");
}

TEST(SchedulerTest, LongestChainStartsFirstWhenSlotsAreScarce) {
  // Four short independent nodes sort first by name, but the chain decides the finish time.
  Graph g = make_graph({{"a/s1", {}},
                        {"a/s2", {}},
                        {"a/s3", {}},
                        {"z/x1", {}},
                        {"z/x2", {"z/x1"}},
                        {"z/x3", {"z/x2"}}});
  FakeRunner runner;
  auto [record, started] = run(runner, g, opts(1));
  EXPECT_EQ(started.front(), "z/x1");
  // With estimates the weights change the choice: s1 is the expensive one now.
  FakeRunner runner2;
  RunOptions weighted = opts(1);
  weighted.estimate = [](const ComponentRef& n) { return n.component == "s1" ? 10.0 : 1.0; };
  auto second = run(runner2, g, weighted);
  EXPECT_EQ(second.started.front(), "a/s1");
}

TEST(SchedulerTest, DependenciesOutsideTheSelectionAreTakenAsDone) {
  Graph g = make_graph({{"dev/net", {}}, {"dev/app", {"dev/net"}}});
  FakeRunner runner;
  NullSink sink;
  Scheduler scheduler(runner, sink);
  Selection only_app(g.size());
  only_app.add(*g.find("dev", "app"));
  RunRecord record = scheduler.run(g, only_app, {});
  ASSERT_EQ(record.nodes.size(), 1u);
  EXPECT_EQ(record.nodes[0].result, NodeResult::kSucceeded);
  EXPECT_EQ(runner.started(), std::vector<std::string>{"dev/app"});
}

TEST(SchedulerTest, EventsTellTheWholeStoryOneAtATime) {
  Graph g = make_graph({{"dev/a", {}}, {"dev/b", {"dev/a"}}, {"dev/c", {}}, {"dev/d", {}}});
  FakeRunner runner;
  runner.delay = 5ms;
  runner.failing = {"dev/c"};
  RecordingSink sink;
  Scheduler scheduler(runner, sink);
  RunOptions options = opts(3);
  options.command = "apply";
  options.run_id = "r1";
  scheduler.run(g, Selection::all(g), options);
  ASSERT_FALSE(sink.events.empty());
  EXPECT_FALSE(sink.overlapped());
  EXPECT_EQ(sink.events.front().type, RunEvent::Type::kRunStarted);
  EXPECT_EQ(sink.events.back().type, RunEvent::Type::kRunFinished);
  std::map<std::string, std::vector<std::string>> by_node;
  for (const auto& e : sink.events) {
    EXPECT_EQ(e.run_id, "r1");
    if (e.node) by_node[e.node->str()].push_back(event_type_name(e.type));
  }
  std::vector<std::string> story{"node_queued", "node_started", "node_phase", "node_log",
                                 "node_finished"};
  for (const char* name : {"dev/a", "dev/b", "dev/c", "dev/d"})
    EXPECT_EQ(by_node[name], story) << name;
  // The finished event for a carries its outcome as JSON.
  bool found = false;
  for (const auto& e : sink.events) {
    if (e.type != RunEvent::Type::kNodeFinished || e.node->str() != "dev/c") continue;
    nlohmann::json j = to_json(e);
    EXPECT_EQ(j["result"], "failed");
    EXPECT_EQ(j["node"]["component"], "c");
    EXPECT_EQ(j["message"], "Error: simulated failure");
    EXPECT_TRUE(j.contains("duration_ms"));
    found = true;
  }
  EXPECT_TRUE(found);
}

TEST(SchedulerTest, EventJsonRedactsSensitiveOutputs) {
  RunEvent e;
  e.type = RunEvent::Type::kNodeFinished;
  e.node = ComponentRef{"dev", "db", {}};
  e.outcome = NodeOutcome{};
  e.outcome->changes.add = 2;
  e.outcome->changes.change = 1;
  Value password("hunter2");
  password.set_sensitive();
  e.outcome->outputs = Value::map();
  e.outcome->outputs.set("password", password);
  std::string text = to_json(e).dump();
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  EXPECT_NE(text.find("(sensitive)"), std::string::npos) << text;
  EXPECT_NE(text.find("\"add\":2"), std::string::npos) << text;
}

long peak_rss_kb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

TEST(SchedulerTest, TenThousandNodeGraphRunsInOrderWithModestMemory) {
  const int kNodes = 10000;
  std::mt19937 rng(42);
  Graph g;
  for (int i = 0; i < kNodes; ++i)
    g.add_node({"s" + std::to_string(i / 100), "c" + std::to_string(i % 100), {}});
  for (int i = 1; i < kNodes; ++i) {
    int deps = static_cast<int>(rng() % 4);
    for (int k = 0; k < deps; ++k)
      g.add_edge(i, static_cast<NodeId>(rng() % i), EdgeKind::kDependsOn, {});
  }
  long before = peak_rss_kb();
  FakeRunner runner;
  NullSink sink;
  Scheduler scheduler(runner, sink);
  RunRecord record = scheduler.run(g, Selection::all(g), opts(8));
  long after = peak_rss_kb();
  ASSERT_EQ(record.count(NodeResult::kSucceeded), static_cast<size_t>(kNodes));
  for (const auto& e : g.edges())
    ASSERT_GT(record.nodes[e.from].start_order, record.nodes[e.to].start_order);
  // Peak growth of the whole process while running, sanitizers included.
  EXPECT_LT(after - before, 150 * 1024) << "peak RSS grew by " << (after - before) << " kB";
  std::cerr << "[ measured ] 10,000-node run: peak RSS grew by " << (after - before) / 1024
            << " MB (total " << after / 1024 << " MB)\n";
}

}  // namespace
}  // namespace strata

// The Store conformance suite: what the control plane relies on, written against the Store
// interface so every implementation runs the same stories: the suite is parameterised by a
// Backend (a name and a function opening a store in a folder) and runs on SQLite and on
// PostgreSQL (one throwaway cluster per test process, a fresh database per test). What is
// particular to one backend follows the suite.
#include "store/store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <fstream>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "base/atomic_file.h"
#include "base/temp_dir.h"
#include "model/error.h"
#include "store/json_list.h"
#include "store/migrations.h"
#include "store/postgres/pg_connection.h"
#include "store/sealed_store.h"
#include "tests/support/conformance.h"
#include "tests/support/postgres_cluster.h"

namespace strata::store {
namespace {

Repository repository(const std::string& name, const std::string& url,
                      const std::string& default_branch = "") {
  Repository repo;
  repo.name = name;
  repo.url = url;
  repo.default_branch = default_branch;
  return repo;
}

ApiToken token(const std::string& name, const std::string& hash, bool admin = false,
               Millis expires_at = 0) {
  ApiToken t;
  t.name = name;
  t.hash = hash;
  t.admin = admin;
  t.expires_at = expires_at;
  return t;
}

// A store implementation under test: its name in test names, how to open a store kept in
// `dir` (opening the same dir again reopens the same store), and why it cannot run here (""
// when it can; nullptr when it always can).
struct Backend {
  std::string name;
  std::unique_ptr<Store> (*open)(const TempDir& dir);
  std::string (*unavailable)() = nullptr;
};

std::unique_ptr<Store> open_sqlite_in(const TempDir& dir) {
  return open_store("sqlite:" + dir.file("strata.db"));
}

// --- the PostgreSQL cluster the tests of this process share

using ::strata::testing::PostgresCluster;

// Started by the first test that needs it, stopped when the tests are done.
std::unique_ptr<PostgresCluster>& shared_cluster_slot() {
  static std::unique_ptr<PostgresCluster> cluster;
  return cluster;
}

PostgresCluster& shared_cluster() {
  static std::string failed;  // a cluster that would not start is not tried for every test
  auto& cluster = shared_cluster_slot();
  if (!cluster) {
    if (!failed.empty()) throw std::runtime_error(failed);
    try {
      cluster = std::make_unique<PostgresCluster>();
    } catch (const std::exception& e) {
      failed = std::string("the test cluster did not start: ") + e.what();
      throw std::runtime_error(failed);
    }
  }
  return *cluster;
}

class SharedClusterEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { shared_cluster_slot().reset(); }
};
[[maybe_unused]] ::testing::Environment* const shared_cluster_environment =
    ::testing::AddGlobalTestEnvironment(new SharedClusterEnvironment);

// A fresh database in the shared cluster, named after nothing the test chose.
std::string new_database() {
  static int count = 0;
  std::string name = "store_test_" + std::to_string(++count);
  shared_cluster().create_database(name);
  return name;
}

// One database per test folder, so reopening the folder reopens the database.
std::unique_ptr<Store> open_postgres_in(const TempDir& dir) {
  static std::map<std::string, std::string> databases;
  auto& database = databases[dir.path()];
  if (database.empty()) database = new_database();
  return open_store(shared_cluster().url(database));
}

std::string postgres_unavailable() { return PostgresCluster::unavailable(); }

// Skips (or, in CI, fails) a test whose backend cannot run on this machine.
#define STRATA_REQUIRE_BACKEND(unavailable_fn)                                         \
  if (unavailable_fn) {                                                                \
    if (std::string why = (unavailable_fn)(); !why.empty()) {                          \
      if (::strata::testing::in_ci()) FAIL() << "PostgreSQL is needed in CI: " << why; \
      GTEST_SKIP() << why;                                                             \
    }                                                                                  \
  }

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    STRATA_REQUIRE_BACKEND(GetParam().unavailable);
    store_ = GetParam().open(dir_);
    store_->migrate();
    repo_ = store_->add_repository(repository("infra", "/srv/git/infra"));
  }

  void reopen() {
    store_.reset();
    store_ = GetParam().open(dir_);
    store_->migrate();
  }

  static Activity activity(const std::string& id, const std::string& stack,
                           const std::string& component, std::vector<std::string> depends_on = {},
                           std::vector<std::string> capabilities = {"terraform"}) {
    Activity a;
    a.id = id;
    a.stack = stack;
    a.component = component;
    a.depends_on = std::move(depends_on);
    a.required_capabilities = std::move(capabilities);
    return a;
  }

  // (store::Run: inside a gtest fixture, Run alone names testing::Test::Run.)
  store::Run new_run(const std::string& command, std::vector<Activity> activities,
                     std::vector<std::string> locked_stacks = {}, Millis created_at = 1000) {
    store::Run run;
    run.repository_id = repo_.id;
    run.command = command;
    run.commit = "0123456789abcdef0123456789abcdef01234567";
    run.locked_stacks = std::move(locked_stacks);
    run.created_at = created_at;
    return store_->create_run(run, std::move(activities));
  }

  // A plan run over `activities`, already started.
  store::Run running_run(std::vector<Activity> activities) {
    store::Run run = new_run("plan", std::move(activities));
    store_->start_ready_runs(1000);
    return *store_->run(run.id);
  }

  std::optional<Activity> lease(Millis now, std::vector<std::string> capabilities = {"terraform"},
                                const std::string& worker = "w1") {
    return store_->lease(LeaseRequest{worker, std::move(capabilities), 1000, now});
  }

  LeaseCheck finish(const Activity& a, const std::string& status, Millis now,
                    const std::string& error = "") {
    return store_->finish(a.id, a.fencing_token, Finish{status, "{}", "", error}, now);
  }

  std::string status_of(const std::string& activity_id) {
    return store_->activity(activity_id)->status;
  }

  TempDir dir_{"store_test"};
  std::unique_ptr<Store> store_;
  Repository repo_;
};

INSTANTIATE_TEST_SUITE_P(
    Backends, StoreTest,
    ::testing::Values(Backend{"sqlite", &open_sqlite_in},
                      Backend{"postgres", &open_postgres_in, &postgres_unavailable}),
    [](const ::testing::TestParamInfo<Backend>& info) { return info.param.name; });

TEST_P(StoreTest, MigrationsAreIdempotentAndReopeningKeepsData) {
  auto& store = this->store_;
  std::vector<std::string> every_migration;
  for (const auto& [name, sql] : embedded_migrations()) every_migration.push_back(name);
  ASSERT_EQ(every_migration.front(), "001_initial");
  EXPECT_EQ(store->applied_migrations(), every_migration);
  store->migrate();
  store->migrate();
  EXPECT_EQ(store->applied_migrations(), every_migration);

  store->add_token(token("ci", "abc123", true));
  store::Run run = this->new_run("plan", {this->activity("a1", "net", "vpc")});
  this->reopen();

  EXPECT_EQ(this->store_->applied_migrations(), every_migration);
  EXPECT_TRUE(this->store_->repository("infra").has_value());
  EXPECT_TRUE(this->store_->token_by_hash("abc123").has_value());
  ASSERT_TRUE(this->store_->run(run.id).has_value());
  EXPECT_EQ(this->store_->activities(run.id).size(), 1u);
}

TEST_P(StoreTest, RepositoryNameTakenIsAnError) {
  auto& store = this->store_;
  try {
    store->add_repository(repository("infra", "/elsewhere"));
    FAIL() << "a second repository named infra was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUserInput);
    EXPECT_NE(e.message().find("'infra' already exists"), std::string::npos) << e.message();
  }
  auto by_name = store->repository("infra");
  ASSERT_TRUE(by_name.has_value());
  EXPECT_EQ(by_name->default_branch, "main");
  EXPECT_EQ(store->repository(by_name->id)->name, "infra");
  EXPECT_FALSE(store->repository("nope").has_value());
  store->add_repository(repository("apps", "/srv/git/apps", "trunk"));
  auto all = store->repositories();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "apps");
  EXPECT_EQ(all[0].default_branch, "trunk");
}

TEST_P(StoreTest, TokensAreFoundByTheirHash) {
  auto& store = this->store_;
  EXPECT_EQ(store->token_count(), 0u);
  ApiToken added = store->add_token(token("ci", "f00d", false, 99));
  EXPECT_FALSE(added.id.empty());
  store->add_token(token("admin", "beef", true));
  EXPECT_EQ(store->token_count(), 2u);
  auto found = store->token_by_hash("f00d");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, added.id);
  EXPECT_EQ(found->name, "ci");
  EXPECT_FALSE(found->admin);
  EXPECT_EQ(found->expires_at, 99);
  EXPECT_TRUE(store->token_by_hash("beef")->admin);
  EXPECT_FALSE(store->token_by_hash("f00").has_value());
  // A worker's credential keeps the worker it speaks for (migration 007).
  ApiToken worker = token("w1", "cafe", false);
  worker.role = "worker";
  worker.worker_id = "w-1234";
  store->add_token(worker);
  auto credential = store->token_by_hash("cafe");
  ASSERT_TRUE(credential.has_value());
  EXPECT_EQ(credential->role, "worker");
  EXPECT_EQ(credential->worker_id, "w-1234");
  std::vector<ApiToken> all = store->tokens();
  auto listed = std::find_if(all.begin(), all.end(), [](const ApiToken& t) { return t.name == "w1"; });
  ASSERT_NE(listed, all.end());
  EXPECT_EQ(listed->worker_id, "w-1234");
  // A sign-in session keeps whose it is (migration 008).
  ApiToken session = token("alice", "5e55", false);
  session.role = "viewer";
  session.session_of = "github:alice";
  store->add_token(session);
  EXPECT_EQ(store->token_by_hash("5e55")->session_of, "github:alice");
}

TEST_P(StoreTest, CreateRunWritesItsActivitiesAndDependencies) {
  auto& store = this->store_;
  store::Run first = this->new_run("plan", {}, {}, 500);
  store::Run run =
      this->new_run("apply",
                    {this->activity("", "net", "vpc"), this->activity("a2", "app", "db", {"a3"}),
                     this->activity("a3", "app", "subnet")},
                    {"app", "net"}, 900);
  EXPECT_FALSE(run.id.empty());
  EXPECT_EQ(run.status, "queued");

  auto read = store->run(run.id);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->command, "apply");
  EXPECT_EQ(read->locked_stacks, (std::vector<std::string>{"app", "net"}));
  EXPECT_EQ(read->commit, run.commit);

  auto activities = store->activities(run.id);
  ASSERT_EQ(activities.size(), 3u);
  EXPECT_FALSE(activities[0].id.empty());
  EXPECT_EQ(activities[0].command, "apply");
  EXPECT_EQ(activities[1].id, "a2");
  EXPECT_EQ(activities[1].depends_on, std::vector<std::string>{"a3"});
  EXPECT_EQ(activities[1].required_capabilities, std::vector<std::string>{"terraform"});
  EXPECT_EQ(store->activity("a2")->depends_on, std::vector<std::string>{"a3"});

  store::Run orphan;
  orphan.repository_id = "no-such-repository";
  orphan.command = "plan";
  try {
    store->create_run(orphan, {});
    FAIL() << "a run of an unknown repository was created";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNotFound);
  }

  auto newest_first = store->runs(10);
  ASSERT_EQ(newest_first.size(), 2u);
  EXPECT_EQ(newest_first[0].id, run.id);
  EXPECT_EQ(newest_first[1].id, first.id);
  EXPECT_EQ(store->runs(1).size(), 1u);
}

TEST_P(StoreTest, NothingIsLeasedBeforeTheRunStarts) {
  auto& store = this->store_;
  store::Run run = this->new_run("plan", {this->activity("a1", "net", "vpc")});
  EXPECT_FALSE(this->lease(1000).has_value());
  auto started = store->start_ready_runs(1000);
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0].id, run.id);
  EXPECT_EQ(started[0].status, "running");
  auto leased = this->lease(1000);
  ASSERT_TRUE(leased.has_value());
  EXPECT_EQ(leased->id, "a1");
  EXPECT_EQ(leased->status, "leased");
  EXPECT_EQ(leased->lease_owner, "w1");
  EXPECT_EQ(leased->lease_until, 2000);
  EXPECT_EQ(leased->attempt, 1);
}

TEST_P(StoreTest, LeaseWaitsForDependenciesToSucceed) {
  auto& store = this->store_;
  this->running_run(
      {this->activity("db", "app", "db", {"vpc"}), this->activity("vpc", "net", "vpc")});
  auto first = this->lease(1000);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->id, "vpc");
  EXPECT_FALSE(this->lease(1000).has_value()) << "db leased while vpc has not succeeded";

  EXPECT_EQ(store->start(first->id, first->fencing_token, 3000, 1100), LeaseCheck::kHeld);
  EXPECT_EQ(this->status_of("vpc"), "running");
  EXPECT_EQ(this->finish(*first, "succeeded", 1200), LeaseCheck::kHeld);

  auto second = this->lease(1300);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->id, "db");
}

TEST_P(StoreTest, LeaseNeedsEveryRequiredCapability) {
  this->running_run({this->activity("prod", "app", "db", {}, {"terraform", "environment=prod"})});
  EXPECT_FALSE(this->lease(1000, {"terraform"}).has_value());
  EXPECT_FALSE(this->lease(1000, {"environment=prod"}).has_value());
  auto leased = this->lease(1000, {"ansible", "environment=prod", "terraform"});
  ASSERT_TRUE(leased.has_value());
  EXPECT_EQ(leased->id, "prod");
}

TEST_P(StoreTest, OldFencingTokenIsRefusedAfterExpiryAndRelease) {
  auto& store = this->store_;
  this->running_run({this->activity("a1", "net", "vpc")});
  auto first = this->lease(1000, {"terraform"}, "w1");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(store->start(first->id, first->fencing_token, 2000, 1000), LeaseCheck::kHeld);

  EXPECT_EQ(store->expire_leases(1500, 3), 0u) << "a live lease expired";
  EXPECT_EQ(store->expire_leases(2500, 3), 1u);
  auto requeued = store->activity("a1");
  EXPECT_EQ(requeued->status, "queued");
  EXPECT_EQ(requeued->lease_owner, "");
  EXPECT_EQ(requeued->attempt, 1);
  bool cancel = true;
  EXPECT_EQ(store->heartbeat("a1", first->fencing_token, 5000, 2600, &cancel), LeaseCheck::kLost);

  auto second = this->lease(2700, {"terraform"}, "w2");
  ASSERT_TRUE(second.has_value());
  EXPECT_GT(second->fencing_token, first->fencing_token);
  EXPECT_EQ(second->attempt, 2);
  EXPECT_EQ(second->lease_owner, "w2");

  const int64_t stale = first->fencing_token;
  EXPECT_EQ(store->start("a1", stale, 9000, 2800), LeaseCheck::kLost);
  EXPECT_EQ(store->heartbeat("a1", stale, 9000, 2800, &cancel), LeaseCheck::kLost);
  EXPECT_EQ(store->append_log("a1", stale, 0, "old worker\n", 2800), LeaseCheck::kLost);
  EXPECT_EQ(store->finish("a1", stale, Finish{"succeeded", "", "", ""}, 2800), LeaseCheck::kLost);
  EXPECT_EQ(this->status_of("a1"), "leased");
  EXPECT_TRUE(store->logs("a1", -1).empty());

  EXPECT_EQ(store->heartbeat("a1", second->fencing_token, 9000, 2800, &cancel), LeaseCheck::kHeld);
  EXPECT_FALSE(cancel);
  EXPECT_EQ(this->finish(*second, "succeeded", 2900), LeaseCheck::kHeld);
  // A finished activity holds no lease any more, not even for its last token.
  EXPECT_EQ(this->finish(*second, "succeeded", 2900), LeaseCheck::kLost);
}

TEST_P(StoreTest, FencingTokensGrowAcrossRuns) {
  this->running_run({this->activity("a1", "net", "vpc")});
  this->running_run({this->activity("b1", "net", "vpc")});
  auto first = this->lease(1000);
  auto second = this->lease(1000);
  ASSERT_TRUE(first && second);
  EXPECT_GT(second->fencing_token, first->fencing_token);
  EXPECT_GT(first->fencing_token, 0);
}

TEST_P(StoreTest, FailureSkipsTransitiveDependentsAndEndsTheRunFailed) {
  auto& store = this->store_;
  store::Run run = this->running_run(
      {this->activity("vpc", "net", "vpc"), this->activity("db", "app", "db", {"vpc"}),
       this->activity("web", "app", "web", {"db"}), this->activity("dns", "edge", "dns")});
  auto vpc = this->lease(1000);
  auto dns = this->lease(1000);
  ASSERT_TRUE(vpc && dns);
  EXPECT_EQ(vpc->id, "vpc");
  EXPECT_EQ(dns->id, "dns");

  EXPECT_EQ(this->finish(*vpc, "failed", 1100, "terraform apply failed"), LeaseCheck::kHeld);
  auto failed = store->activity("vpc");
  EXPECT_EQ(failed->status, "failed");
  EXPECT_EQ(failed->error, "terraform apply failed");
  EXPECT_EQ(failed->finished_at, 1100);
  for (const char* id : {"db", "web"}) {
    auto skipped = store->activity(id);
    EXPECT_EQ(skipped->status, "skipped") << id;
    EXPECT_EQ(skipped->error, "skipped: net/vpc failed") << id;
  }
  EXPECT_EQ(store->run(run.id)->status, "running") << "dns is still leased";

  EXPECT_EQ(this->finish(*dns, "succeeded", 1200), LeaseCheck::kHeld);
  auto ended = store->run(run.id);
  EXPECT_EQ(ended->status, "failed");
  EXPECT_EQ(ended->finished_at, 1200);
}

TEST_P(StoreTest, RunSucceedsWhenEveryActivitySucceeded) {
  auto& store = this->store_;
  store::Run run = this->running_run(
      {this->activity("vpc", "net", "vpc"), this->activity("db", "app", "db", {"vpc"})});
  for (Millis now = 1000; auto leased = this->lease(now); now += 100) {
    EXPECT_EQ(this->finish(*leased, "succeeded", now + 50), LeaseCheck::kHeld);
    if (leased->id == "vpc") {
      EXPECT_EQ(store->run(run.id)->status, "running");
    }
  }
  auto ended = store->run(run.id);
  EXPECT_EQ(ended->status, "succeeded");
  EXPECT_EQ(ended->finished_at, 1150);
  EXPECT_EQ(store->activity("vpc")->outputs_json, "{}");
}

TEST_P(StoreTest, RunWithNoActivitiesSucceedsWhenStarted) {
  auto& store = this->store_;
  store::Run run = this->new_run("plan", {});
  auto started = store->start_ready_runs(1234);
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0].status, "succeeded");
  EXPECT_EQ(store->run(run.id)->finished_at, 1234);
}

TEST_P(StoreTest, CancelStopsQueuedActivitiesAndTellsRunningOnes) {
  auto& store = this->store_;
  store::Run run = this->running_run({this->activity("vpc", "net", "vpc"),
                                      this->activity("db", "app", "db", {"vpc"}),
                                      this->activity("dns", "edge", "dns")});
  auto vpc = this->lease(1000);
  ASSERT_TRUE(vpc.has_value());
  ASSERT_EQ(store->start(vpc->id, vpc->fencing_token, 2000, 1000), LeaseCheck::kHeld);

  store->request_cancel(run.id, 1100);
  EXPECT_EQ(this->status_of("db"), "cancelled");
  EXPECT_EQ(this->status_of("dns"), "cancelled");
  auto cancelling = store->run(run.id);
  EXPECT_TRUE(cancelling->cancel_requested);
  EXPECT_EQ(cancelling->status, "running") << "vpc is still running";
  EXPECT_FALSE(this->lease(1150).has_value());

  bool cancel = false;
  EXPECT_EQ(store->heartbeat(vpc->id, vpc->fencing_token, 3000, 1200, &cancel), LeaseCheck::kHeld);
  EXPECT_TRUE(cancel);
  EXPECT_EQ(this->finish(*vpc, "cancelled", 1300), LeaseCheck::kHeld);
  auto ended = store->run(run.id);
  EXPECT_EQ(ended->status, "cancelled");
  EXPECT_EQ(ended->finished_at, 1300);
}

TEST_P(StoreTest, CancellingARunThatHasNotStartedEndsIt) {
  auto& store = this->store_;
  store::Run run = this->new_run("apply", {this->activity("vpc", "net", "vpc")}, {"net"});
  store->request_cancel(run.id, 1500);
  auto ended = store->run(run.id);
  EXPECT_EQ(ended->status, "cancelled");
  EXPECT_EQ(ended->finished_at, 1500);
  EXPECT_EQ(this->status_of("vpc"), "cancelled");
  EXPECT_TRUE(store->start_ready_runs(1600).empty());
  EXPECT_THROW(store->request_cancel("no-such-run", 1600), Error);
}

TEST_P(StoreTest, LeaseThatKeepsExpiringFailsAfterMaxAttempts) {
  auto& store = this->store_;
  store::Run run = this->running_run(
      {this->activity("vpc", "net", "vpc"), this->activity("db", "app", "db", {"vpc"})});
  ASSERT_TRUE(this->lease(1000).has_value());
  EXPECT_EQ(store->expire_leases(3000, 2), 1u);
  EXPECT_EQ(this->status_of("vpc"), "queued");
  ASSERT_TRUE(this->lease(3000, {"terraform"}, "w2").has_value());
  EXPECT_EQ(store->expire_leases(5000, 2), 1u);

  auto failed = store->activity("vpc");
  EXPECT_EQ(failed->status, "failed");
  EXPECT_NE(failed->error.find("2 times"), std::string::npos) << failed->error;
  EXPECT_NE(failed->error.find("w2"), std::string::npos) << failed->error;
  EXPECT_EQ(this->status_of("db"), "skipped");
  EXPECT_EQ(store->run(run.id)->status, "failed");
  EXPECT_EQ(store->expire_leases(9000, 2), 0u);
}

TEST_P(StoreTest, ReleasedActivityIsQueuedAgainAtOnceWithoutSpendingAnAttempt) {
  auto& store = this->store_;
  this->running_run({this->activity("vpc", "net", "vpc")});
  auto first = this->lease(1000);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(store->release(first->id, first->fencing_token + 1, 1100), LeaseCheck::kLost) << "a wrong token";
  EXPECT_EQ(store->release(first->id, first->fencing_token, 1100), LeaseCheck::kHeld);
  EXPECT_EQ(this->status_of("vpc"), "queued");
  EXPECT_EQ(store->release(first->id, first->fencing_token, 1150), LeaseCheck::kLost) << "released twice";
  auto second = this->lease(1200, {"terraform"}, "w2");
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->attempt, 1) << "the released lease did not count";
  EXPECT_GT(second->fencing_token, first->fencing_token);
  EXPECT_EQ(store->heartbeat(first->id, first->fencing_token, 9000, 1300, nullptr), LeaseCheck::kLost);
}

TEST_P(StoreTest, AppliesOnTheSameStackWaitPlansDoNot) {
  auto& store = this->store_;
  store::Run apply1 = this->new_run("apply", {this->activity("a1", "prod", "vpc")}, {"prod"}, 1000);
  store::Run apply2 =
      this->new_run("apply", {this->activity("a2", "prod", "vpc")}, {"prod", "dev"}, 1000);
  store::Run plan = this->new_run("plan", {this->activity("p1", "prod", "vpc")}, {}, 1001);
  store::Run destroy_dev =
      this->new_run("destroy", {this->activity("d1", "dev", "vpc")}, {"dev"}, 1002);
  store::Run apply_stage =
      this->new_run("apply", {this->activity("s1", "stage", "vpc")}, {"stage"}, 1003);

  std::set<std::string> started;
  for (const auto& r : store->start_ready_runs(2000)) started.insert(r.id);
  EXPECT_EQ(started, (std::set<std::string>{apply1.id, plan.id, apply_stage.id}));

  auto waiting = store->run(apply2.id);
  EXPECT_EQ(waiting->status, "waiting");
  EXPECT_EQ(waiting->status_reason, "waiting for run " + apply1.id + " (apply) on stack prod");
  // Queued after apply2, which asked for dev first: it waits in line behind it.
  auto behind = store->run(destroy_dev.id);
  EXPECT_EQ(behind->status, "waiting");
  EXPECT_EQ(behind->status_reason, "waiting for run " + apply2.id + " (apply) on stack dev");
  EXPECT_TRUE(store->start_ready_runs(2100).empty());

  auto a1 = this->lease(2200);
  while (a1 && a1->id != "a1") {
    ASSERT_EQ(this->finish(*a1, "succeeded", 2200), LeaseCheck::kHeld);
    a1 = this->lease(2200);
  }
  ASSERT_TRUE(a1.has_value());
  ASSERT_EQ(this->finish(*a1, "succeeded", 2300), LeaseCheck::kHeld);
  EXPECT_EQ(store->run(apply1.id)->status, "succeeded");

  auto next = store->start_ready_runs(2400);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].id, apply2.id);
  EXPECT_EQ(next[0].status_reason, "");
  EXPECT_EQ(store->run(destroy_dev.id)->status_reason,
            "waiting for run " + apply2.id + " (apply) on stack dev");
}

TEST_P(StoreTest, LogsComeBackInOrderAndARetriedChunkIsKeptOnce) {
  auto& store = this->store_;
  this->running_run({this->activity("a1", "net", "vpc")});
  auto a = this->lease(1000);
  ASSERT_TRUE(a.has_value());
  const int64_t token = a->fencing_token;
  EXPECT_EQ(store->append_log("a1", token, 1, "second\n", 1010), LeaseCheck::kHeld);
  EXPECT_EQ(store->append_log("a1", token, 0, "first\n", 1020), LeaseCheck::kHeld);
  EXPECT_EQ(store->append_log("a1", token, 1, "second, retried\n", 1030), LeaseCheck::kHeld);
  EXPECT_EQ(store->append_log("a1", token, 2, "third\n", 1040), LeaseCheck::kHeld);

  auto all = store->logs("a1", -1);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].data, "first\n");
  EXPECT_EQ(all[1].data, "second\n");
  EXPECT_EQ(all[1].created_at, 1010);
  EXPECT_EQ(all[2].data, "third\n");
  auto later = store->logs("a1", 1);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].seq, 2);
}

TEST_P(StoreTest, StateKeepsEveryVersion) {
  auto& store = this->store_;
  EXPECT_FALSE(store->latest_state("prod/vpc").has_value());
  EXPECT_EQ(store->put_state("prod/vpc", R"({"serial":1,"lineage":"l"})", 100).version, 1);
  EXPECT_EQ(store->put_state("prod/vpc", R"({"serial":2,"lineage":"l"})", 200).version, 2);
  EXPECT_EQ(store->put_state("dev/vpc", "{}", 300).version, 1);
  auto latest = store->latest_state("prod/vpc");
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->version, 2);
  EXPECT_EQ(latest->data, R"({"serial":2,"lineage":"l"})");
  EXPECT_EQ(latest->created_at, 200);

  store->delete_state("prod/vpc");
  EXPECT_FALSE(store->latest_state("prod/vpc").has_value());
  EXPECT_TRUE(store->latest_state("dev/vpc").has_value());
  // History is kept: writing again continues the numbering.
  EXPECT_EQ(store->put_state("prod/vpc", "{}", 400).version, 3);

  // Every version is listed, newest first, with its serial and lineage and without its data;
  // the deleted ones say so and can still be read back.
  std::vector<StateVersion> versions = store->state_versions("prod/vpc");
  ASSERT_EQ(versions.size(), 3u);
  EXPECT_EQ(versions[0].version, 3);
  EXPECT_FALSE(versions[0].deleted);
  EXPECT_EQ(versions[1].version, 2);
  EXPECT_EQ(versions[1].serial, 2);
  EXPECT_EQ(versions[1].lineage, "l");
  EXPECT_TRUE(versions[1].deleted);
  EXPECT_EQ(versions[1].created_at, 200);
  EXPECT_EQ(versions[1].data, "");
  std::optional<StateVersion> second = store->state_version("prod/vpc", 2);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->data, R"({"serial":2,"lineage":"l"})");
  EXPECT_FALSE(store->state_version("prod/vpc", 9).has_value());
  EXPECT_TRUE(store->state_versions("nowhere").empty());

  // The latest version of each key under a prefix, in key order; a prefix is text, not a pattern.
  store->put_state("prod%2Fx/a", "{}", 500);
  store->put_state("prod_y/a", "{}", 500);
  std::vector<StateVersion> all = store->states("");
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].key, "dev/vpc");
  EXPECT_EQ(all[3].key, "prod_y/a");
  std::vector<StateVersion> prod = store->states("prod/");
  ASSERT_EQ(prod.size(), 1u);
  EXPECT_EQ(prod[0].version, 3);
  EXPECT_EQ(store->states("prod%").size(), 1u);
  EXPECT_EQ(store->states("prod_").size(), 1u);
  store->delete_state("dev/vpc");
  EXPECT_EQ(store->states("dev").size(), 0u);
}

TEST_P(StoreTest, VariablesArePerRepositoryOrStackAndSettingAgainReplaces) {
  auto& store = this->store_;
  EXPECT_TRUE(store->variables(repo_.id).empty());
  store->set_variable(Variable{repo_.id, "", "REGION", "eu-west-1", false, 100, 100});
  store->set_variable(Variable{repo_.id, "prod", "REGION", "us-east-1", false, 100, 100});
  store->set_variable(Variable{repo_.id, "", "TOKEN", "one", true, 100, 100});
  store->set_variable(Variable{repo_.id, "", "TOKEN", "two", true, 0, 200});
  std::vector<Variable> set = store->variables(repo_.id);
  ASSERT_EQ(set.size(), 3u);
  EXPECT_EQ(set[0].name, "REGION");
  EXPECT_EQ(set[0].stack, "");
  EXPECT_EQ(set[1].name, "TOKEN");
  EXPECT_EQ(set[1].value, "two");
  EXPECT_TRUE(set[1].sensitive);
  EXPECT_EQ(set[1].created_at, 100) << "replacing keeps when it was first set";
  EXPECT_EQ(set[1].updated_at, 200);
  EXPECT_EQ(set[2].stack, "prod");
  EXPECT_TRUE(store->delete_variable(repo_.id, "prod", "REGION"));
  EXPECT_FALSE(store->delete_variable(repo_.id, "prod", "REGION"));
  EXPECT_EQ(store->variables(repo_.id).size(), 2u);
}

TEST_P(StoreTest, RetentionKeepsTheNewestStateVersionsAndRecentLogs) {
  auto& store = this->store_;
  for (int n = 1; n <= 5; ++n) store->put_state("infra/dev/a", R"({"serial":)" + std::to_string(n) + "}", 100 * n);
  store->put_state("infra/dev/b", R"({"serial":1})", 100);
  EXPECT_EQ(store->prune_state_versions(2), 3u);
  std::vector<StateVersion> kept = store->state_versions("infra/dev/a");
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].version, 5);
  EXPECT_EQ(kept[1].version, 4);
  EXPECT_EQ(store->state_versions("infra/dev/b").size(), 1u) << "a state's only version stays";
  EXPECT_EQ(store->prune_state_versions(0), 1u) << "0 is taken as 1: the latest always stays";
  EXPECT_EQ(store->latest_state("infra/dev/a")->version, 5);

  running_run({activity("old", "dev", "a"), activity("new", "dev", "b"), activity("running", "dev", "c")});
  std::vector<Activity> leased;
  for (int n = 0; n < 3; ++n) leased.push_back(*lease(1000));
  for (const Activity& a : leased) {
    store->start(a.id, a.fencing_token, 60000, 1000);
    store->append_log(a.id, a.fencing_token, 0, "line of " + a.component + "\n", 1000);
    store->append_log(a.id, a.fencing_token, 1, "more\n", 1000);
  }
  finish(leased[0], "succeeded", 2000);
  finish(leased[1], "succeeded", 9000);
  EXPECT_EQ(store->prune_logs(5000), 2u) << "only the chunks of the activity that ended before";
  EXPECT_TRUE(store->logs(leased[0].id, -1).empty());
  EXPECT_EQ(store->logs(leased[1].id, -1).size(), 2u);
  EXPECT_EQ(store->logs(leased[2].id, -1).size(), 2u) << "a running activity's log stays";
}

TEST_P(StoreTest, SavedPlansAreKeptForTheLeaseHolderLinkedToTheirApplyAndPruned) {
  auto& store = this->store_;
  store::Run plan_run = this->running_run({activity("p1", "dev", "a")});
  std::optional<Activity> a = lease(1000);
  ASSERT_TRUE(a);
  SavedPlan plan{"p1", "infra/dev/a", -1, "UEsDBA==", "stamp 1", 0};
  EXPECT_EQ(store->save_plan(plan, a->fencing_token + 1, 1100), LeaseCheck::kLost) << "an older or made-up token";
  EXPECT_FALSE(store->saved_plan("p1"));
  ASSERT_EQ(store->save_plan(plan, a->fencing_token, 1100), LeaseCheck::kHeld);
  plan.stamp = "stamp 2";  // a retried request, or a later attempt: the last one wins
  plan.state_serial = 4;
  ASSERT_EQ(store->save_plan(plan, a->fencing_token, 1200), LeaseCheck::kHeld);
  std::optional<SavedPlan> kept = store->saved_plan("p1");
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->state_key, "infra/dev/a");
  EXPECT_EQ(kept->state_serial, 4);
  EXPECT_EQ(kept->plan_file, "UEsDBA==");
  EXPECT_EQ(kept->stamp, "stamp 2");
  EXPECT_EQ(kept->created_at, 1200);
  finish(*a, "succeeded", 2000);
  EXPECT_EQ(store->save_plan(plan, a->fencing_token, 2100), LeaseCheck::kLost) << "after its finish";

  // An apply run made from it names the plan run, and its activity the plan activity.
  store::Run apply;
  apply.repository_id = this->repo_.id;
  apply.command = "apply";
  apply.commit = plan_run.commit;
  apply.plan_run_id = plan_run.id;
  Activity applies = activity("x1", "dev", "a");
  applies.plan_activity_id = "p1";
  store::Run created = store->create_run(apply, {applies});
  EXPECT_EQ(store->run(created.id)->plan_run_id, plan_run.id);
  EXPECT_EQ(store->runs(1)[0].plan_run_id, plan_run.id);
  EXPECT_EQ(store->activity("x1")->plan_activity_id, "p1");
  EXPECT_EQ(store->activities(created.id)[0].plan_activity_id, "p1");
  EXPECT_EQ(store->activity("p1")->plan_activity_id, "") << "a plan's own activity names none";

  EXPECT_EQ(store->prune_plans(1500), 0u) << "ended after the cut";
  EXPECT_EQ(store->prune_plans(5000), 1u);
  EXPECT_FALSE(store->saved_plan("p1"));
}

TEST_P(StoreTest, AuditLogKeepsEntriesNewestFirst) {
  auto& store = this->store_;
  EXPECT_TRUE(store->audit_entries(10).empty());
  store->append_audit(AuditEntry{"", "token:admin", "state.force_unlock", "infra/dev/vpc", R"({"lock_id":"x"})",
                                 "ok", "127.0.0.1:5000", 100, ""});
  store->append_audit(AuditEntry{"", "activity:a1", "state.force_unlock", "infra/dev/app", "", "denied", "", 200, ""});
  std::vector<AuditEntry> entries = store->audit_entries(10);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].actor, "activity:a1");
  EXPECT_EQ(entries[0].outcome, "denied");
  EXPECT_EQ(entries[0].detail_json, "{}");
  EXPECT_EQ(entries[1].target, "infra/dev/vpc");
  EXPECT_EQ(entries[1].detail_json, R"({"lock_id":"x"})");
  EXPECT_EQ(entries[1].remote_address, "127.0.0.1:5000");
  EXPECT_EQ(entries[1].created_at, 100);
  EXPECT_FALSE(entries[1].id.empty());
  EXPECT_EQ(store->audit_entries(1).size(), 1u);

  // Filters: an actor exactly, an action and a target by prefix, an outcome, a time.
  store->append_audit(AuditEntry{"", "token:ci", "access.denied", "GET /api/v1/audit", "", "denied", "", 300, ""});
  auto count = [&](const AuditFilter& f) { return store->audit_entries(10, f).size(); };
  EXPECT_EQ(count({"token:ci", "", "", "", 0, std::nullopt}), 1u);
  EXPECT_EQ(count({"token:c", "", "", "", 0, std::nullopt}), 0u) << "an actor is matched exactly";
  EXPECT_EQ(count({"", "state.", "", "", 0, std::nullopt}), 2u);
  EXPECT_EQ(count({"", "state.force_unlock", "infra/dev/", "", 0, std::nullopt}), 2u);
  EXPECT_EQ(count({"", "", "infra/dev/app", "", 0, std::nullopt}), 1u);
  EXPECT_EQ(count({"", "", "", "denied", 0, std::nullopt}), 2u);
  EXPECT_EQ(count({"", "", "", "", 200, std::nullopt}), 2u) << "at or after";
  EXPECT_EQ(count({"token:ci", "state.", "", "", 0, std::nullopt}), 0u);
  EXPECT_EQ(count({"", "%", "", "", 0, std::nullopt}), 0u) << "no pattern characters";

  // An account's entries, and the server's own ("").
  store->append_audit(AuditEntry{"", "token:acme-ci", "run.create", "acme/infra", "", "ok", "", 400, "acme"});
  EXPECT_EQ(store->audit_entries(10, {"", "", "", "", 0, "acme"}).size(), 1u);
  EXPECT_EQ(store->audit_entries(10, {"", "", "", "", 0, "acme"})[0].account, "acme");
  EXPECT_EQ(count({"", "", "", "", 0, ""}), 3u);
  EXPECT_EQ(count({"", "", "", "", 0, "beta"}), 0u);
  EXPECT_EQ(count({"", "", "", "", 0, std::nullopt}), 4u);
}

TEST_P(StoreTest, AccountsAreKeptByNameAndTokensNameTheirs) {
  auto& store = this->store_;
  EXPECT_TRUE(store->accounts().empty());
  store->add_account({"beta", "github", "", "t0", 0});
  Account acme = store->add_account({"acme", "local", "20/s:40", "t0", 100});
  EXPECT_EQ(acme.created_at, 100);
  try {
    store->add_account({"acme", "local", "", "t1", 0});
    FAIL() << "a second account acme";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConflict);
    EXPECT_NE(e.message().find("there is an account acme already"), std::string::npos) << e.message();
  }
  std::vector<Account> all = store->accounts();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "acme");
  EXPECT_EQ(all[0].rate_limit, "20/s:40");
  EXPECT_EQ(all[1].kind, "github");
  EXPECT_FALSE(store->account("gamma"));
  EXPECT_EQ(store->account("acme")->created_by, "t0");

  ApiToken t;
  t.name = "acme-ci";
  t.hash = std::string(64, 'c');
  t.role = "operator";
  t.account = "acme";
  ApiToken stored = store->add_token(t);
  EXPECT_EQ(store->token(stored.id)->account, "acme");
  EXPECT_EQ(store->token_by_hash(t.hash)->account, "acme");
  EXPECT_FALSE(store->token("no-such-id"));
}

namespace {
WebhookDelivery webhook_delivery(const std::string& id, const std::string& repository_id, const std::string& event,
                                 const std::string& action, const std::string& payload, Millis received_at = 0) {
  WebhookDelivery d;
  d.id = id;
  d.repository_id = repository_id;
  d.event = event;
  d.action = action;
  d.payload = payload;
  d.received_at = received_at;
  return d;
}
StackCode stack_code(const std::string& stack, const std::string& component, const std::string& path,
                     const std::string& commit) {
  StackCode c;
  c.stack = stack;
  c.component = component;
  c.path = path;
  c.commit = commit;
  return c;
}
Event event(const std::string& account, const std::string& repository_id, const std::string& kind,
            const std::string& subject, const std::string& detail = "{}") {
  Event e;
  e.account = account;
  e.repository_id = repository_id;
  e.kind = kind;
  e.subject = subject;
  e.detail_json = detail;
  return e;
}
EventFilter event_filter(std::optional<std::string> account, const std::string& repository_id, const std::string& kind,
                         int64_t after_seq) {
  EventFilter f;
  f.account = std::move(account);
  f.repository_id = repository_id;
  f.kind = kind;
  f.after_seq = after_seq;
  return f;
}
}  // namespace

TEST_P(StoreTest, WebhookDeliveriesAreRecordedOnceAndClaimedInOrderPerRepository) {
  auto& store = this->store_;
  Repository other = store->add_repository(repository("apps", "/srv/git/apps"));
  WebhookDelivery d1 = webhook_delivery("d-1", repo_.id, "push", "", R"({"ref":"refs/heads/main"})", 100);
  WebhookDelivery stored;
  EXPECT_TRUE(store->record_delivery(d1, &stored));
  EXPECT_EQ(stored.status, "queued");
  WebhookDelivery d2 = webhook_delivery("d-2", repo_.id, "push", "", "{}", 200);
  WebhookDelivery d3 = webhook_delivery("d-3", other.id, "pull_request", "opened", "{}", 300);
  EXPECT_TRUE(store->record_delivery(d2));
  EXPECT_TRUE(store->record_delivery(d3));
  EXPECT_FALSE(store->record_delivery(d1, &stored)) << "a redelivery of a queued delivery changes nothing";
  EXPECT_EQ(stored.status, "queued");

  // The oldest first; while d-1 is processed, d-2 (same repository) waits and d-3 may go.
  std::optional<WebhookDelivery> c1 = store->claim_delivery(1000, 5000);
  ASSERT_TRUE(c1);
  EXPECT_EQ(c1->id, "d-1");
  EXPECT_EQ(c1->payload, R"({"ref":"refs/heads/main"})");
  EXPECT_EQ(c1->attempt, 1);
  std::optional<WebhookDelivery> c3 = store->claim_delivery(1000, 5000);
  ASSERT_TRUE(c3);
  EXPECT_EQ(c3->id, "d-3");
  EXPECT_FALSE(store->claim_delivery(1000, 5000));
  // A claim that ran out is taken over.
  std::optional<WebhookDelivery> again = store->claim_delivery(7000, 5000);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, "d-1");
  EXPECT_EQ(again->attempt, 2);
  store->finish_delivery("d-1", "done", "registered 2 stacks", 7100);
  EXPECT_FALSE(store->record_delivery(d1, &stored)) << "a redelivery of a finished delivery is ignored";
  EXPECT_EQ(stored.status, "done");
  EXPECT_EQ(stored.outcome, "registered 2 stacks");
  ASSERT_EQ(store->claim_delivery(7200, 5000)->id, "d-2");
  store->finish_delivery("d-2", "failed", "the project did not load", 7300);
  // A failed delivery delivered again is queued again.
  EXPECT_TRUE(store->record_delivery(d2, &stored));
  EXPECT_EQ(stored.status, "queued");
  std::vector<WebhookDelivery> listed = store->deliveries(10, repo_.id);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, "d-2");
  EXPECT_TRUE(listed[0].payload.empty()) << "listings leave payloads out";
  EXPECT_EQ(store->deliveries(10).size(), 3u);
  EXPECT_EQ(store->delivery("d-1")->status, "done");
  EXPECT_FALSE(store->delivery("nope"));
  // Retention empties the payloads of deliveries that finished before; the records stay.
  EXPECT_EQ(store->prune_deliveries(7150), 1u) << "d-1 finished at 7100; d-2 is queued again";
  EXPECT_EQ(store->delivery("d-1")->payload, "");
  EXPECT_EQ(store->delivery("d-1")->status, "done");
  EXPECT_EQ(store->delivery("d-2")->payload, "{}");
  EXPECT_EQ(store->prune_deliveries(7150), 0u);
  EXPECT_FALSE(store->record_delivery(d1)) << "a replay is still recognised";
}

TEST_P(StoreTest, RegistryUpdatesLandWholeWithTheirEvents) {
  auto& store = this->store_;
  Repository gh = repository("gh", "/srv/git/gh");
  gh.github = "acme/infra";
  gh.webhook_secret = "s3cret";
  gh.account = "acme";
  gh.auto_destroy = true;
  Repository stored = store->add_repository(gh);
  EXPECT_TRUE(store->repository(stored.id)->auto_destroy);
  EXPECT_FALSE(store->repository(repo_.id)->auto_destroy);
  EXPECT_EQ(store->repository_by_github("Acme/Infra")->id, stored.id) << "GitHub names compare in lower case";
  EXPECT_EQ(store->repository_by_github("acme/infra")->webhook_secret, "s3cret");
  EXPECT_FALSE(store->repository_by_github("acme/other"));
  EXPECT_FALSE(store->repository_by_github(""));

  RegistryUpdate first;
  first.repository_id = stored.id;
  first.commit = "c1";
  first.codes = {stack_code("dev", "network", "modules/network", "c1"), stack_code("dev", "app", "modules/app", "c1")};
  StackState dev;
  dev.id = "s-dev";
  dev.stack = "dev";
  dev.commit = "c1";
  dev.state_key = "gh/dev";
  dev.components = {"app", "network"};
  first.states = {dev};
  first.events = {event("acme", stored.id, "module_registered", "dev/network", R"({"path":"modules/network"})"),
                  event("acme", stored.id, "module_registered", "dev/app")};
  store->update_registry(first);
  EXPECT_EQ(store->repository(stored.id)->registry_commit, "c1");
  std::vector<StackCode> codes = store->stack_codes(stored.id);
  ASSERT_EQ(codes.size(), 2u);
  EXPECT_EQ(codes[0].component, "app");
  EXPECT_EQ(codes[1].path, "modules/network");
  std::optional<StackState> s = store->stack_state("s-dev");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->status, "active");
  EXPECT_EQ(s->components, (std::vector<std::string>{"app", "network"}));

  RegistryUpdate second;
  second.repository_id = stored.id;
  second.commit = "c2";
  second.codes = {stack_code("dev", "app", "modules/app2", "c2")};
  second.removed_codes = {{"dev", "network"}};
  dev.status = "destroying";
  dev.destroy_run = "run-9";
  dev.alert = "commit c1 was dropped by a force-push";
  second.states = {dev};
  second.events = {event("acme", stored.id, "module_deregistered", "dev/network")};
  store->update_registry(second);
  codes = store->stack_codes(stored.id);
  ASSERT_EQ(codes.size(), 1u);
  EXPECT_EQ(codes[0].path, "modules/app2");
  EXPECT_EQ(codes[0].commit, "c2");
  EXPECT_EQ(store->stack_state("s-dev")->status, "destroying");
  EXPECT_EQ(store->stack_state("s-dev")->destroy_run, "run-9");
  EXPECT_EQ(store->stack_state("s-dev")->alert, "commit c1 was dropped by a force-push");
  EXPECT_EQ(store->stack_states(stored.id).size(), 1u);
  EXPECT_EQ(store->stack_states("", "destroying").size(), 1u);
  EXPECT_TRUE(store->stack_states("", "active").empty());
  EXPECT_TRUE(store->stack_states(repo_.id).empty());

  RegistryUpdate third;
  third.repository_id = stored.id;
  third.removed_states = {"s-dev"};
  store->update_registry(third);
  EXPECT_FALSE(store->stack_state("s-dev"));
  EXPECT_EQ(store->repository(stored.id)->registry_commit, "c2") << "no commit leaves registry_commit alone";

  store->append_event(event("", repo_.id, "force_push_alert", "infra"));
  std::vector<Event> all = store->events(10);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].subject, "dev/network");
  EXPECT_EQ(all[0].detail_json, R"({"path":"modules/network"})");
  EXPECT_LT(all[0].seq, all[1].seq);
  EXPECT_EQ(all[3].kind, "force_push_alert");
  EXPECT_EQ(store->events(10, event_filter(std::string("acme"), "", "module_", 0)).size(), 3u);
  EXPECT_EQ(store->events(10, event_filter(std::nullopt, "", "module_reg", 0)).size(), 2u);
  EXPECT_EQ(store->events(10, event_filter(std::string(""), "", "", 0)).size(), 1u);
  EXPECT_EQ(store->events(10, event_filter(std::nullopt, stored.id, "", all[1].seq)).size(), 1u);
  EXPECT_EQ(store->events(1).size(), 1u);
}

TEST_P(StoreTest, PullRequestsAreSavedWholeAndTheirReportIsTakenOnce) {
  auto& store = this->store_;
  EXPECT_FALSE(store->pull_request(repo_.id, 7));
  PullRequest pr;
  pr.repository_id = repo_.id;
  pr.number = 7;
  pr.head_sha = "abc";
  pr.head_ref = "feature";
  pr.base_ref = "main";
  pr.from_fork = true;
  pr.check_run_id = 9000000001;
  pr.check_sha = "abc";
  pr.check_status = "queued";
  pr.comment_id = 42;
  pr.plan_run_id = "run-1";
  pr.pending_run = "run-1";
  store->save_pull_request(pr);
  std::optional<PullRequest> read = store->pull_request(repo_.id, 7);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->check_run_id, 9000000001) << "GitHub's ids outgrow 32 bits";
  EXPECT_TRUE(read->from_fork);
  EXPECT_EQ(read->comment_id, 42);
  EXPECT_EQ(read->check_status, "queued");
  EXPECT_EQ(read->state, "open");
  ASSERT_EQ(store->pull_requests_pending().size(), 1u);
  EXPECT_FALSE(store->take_pending_run(repo_.id, 7, "run-0")) << "another run's report";
  EXPECT_TRUE(store->take_pending_run(repo_.id, 7, "run-1"));
  EXPECT_FALSE(store->take_pending_run(repo_.id, 7, "run-1")) << "taken once";
  EXPECT_FALSE(store->take_pending_run(repo_.id, 7, "")) << "nothing pending";
  EXPECT_TRUE(store->pull_requests_pending().empty());
  pr.pending_run.clear();
  pr.state = "merged";
  pr.apply_run_id = "run-2";
  store->save_pull_request(pr);
  EXPECT_EQ(store->pull_request(repo_.id, 7)->state, "merged");
  EXPECT_EQ(store->pull_request(repo_.id, 7)->apply_run_id, "run-2");
}

TEST_P(StoreTest, StateLocksAreExclusiveAndRetriable) {
  auto& store = this->store_;
  StateLock mine{"prod/vpc", "lock-1", R"({"ID":"lock-1","Who":"w1"})", 100, "activity:a1:7"};
  EXPECT_FALSE(store->lock_state(mine).has_value());
  EXPECT_FALSE(store->lock_state(mine).has_value()) << "a retried LOCK must succeed";

  auto holder = store->lock_state({"prod/vpc", "lock-2", R"({"ID":"lock-2"})", 200, ""});
  ASSERT_TRUE(holder.has_value());
  EXPECT_EQ(holder->lock_id, "lock-1");
  EXPECT_EQ(holder->info_json, mine.info_json);
  EXPECT_EQ(holder->owner, "activity:a1:7");
  EXPECT_EQ(store->state_lock("prod/vpc")->lock_id, "lock-1");

  EXPECT_FALSE(store->unlock_state("prod/vpc", "lock-2", false));
  EXPECT_EQ(store->state_lock("prod/vpc")->lock_id, "lock-1");
  EXPECT_TRUE(store->unlock_state("prod/vpc", "lock-2", true)) << "force unlock";
  EXPECT_FALSE(store->state_lock("prod/vpc").has_value());
  EXPECT_TRUE(store->unlock_state("prod/vpc", "lock-1", false)) << "unlocking a free state";

  EXPECT_FALSE(store->lock_state({"prod/vpc", "lock-2", "{}", 300, ""}).has_value());
  EXPECT_TRUE(store->unlock_state("prod/vpc", "lock-2", false));
}

TEST_P(StoreTest, WorkersRegisterAndReportIn) {
  auto& store = this->store_;
  WorkerRecord w;
  w.name = "builder-1";
  w.version = "0.1.0";
  w.capabilities = {"terraform", "region=eu"};
  w = store->register_worker(w);
  EXPECT_FALSE(w.id.empty());
  store->worker_seen(w.id, 777);
  auto read = store->worker(w.id);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->capabilities, (std::vector<std::string>{"terraform", "region=eu"}));
  EXPECT_EQ(read->last_heartbeat, 777);
  w.version = "0.2.0";
  store->register_worker(w);
  EXPECT_EQ(store->workers().size(), 1u);
  EXPECT_EQ(store->worker(w.id)->version, "0.2.0");
}

TEST_P(StoreTest, SettingAFinishedStatusEndsTheRun) {
  auto& store = this->store_;
  store::Run run = this->new_run("plan", {this->activity("a1", "net", "vpc")});
  store->set_run_status(run.id, "failed", "the project did not load at this commit");
  auto ended = store->run(run.id);
  EXPECT_EQ(ended->status, "failed");
  EXPECT_EQ(ended->status_reason, "the project did not load at this commit");
  EXPECT_GT(ended->finished_at, 0);
  EXPECT_EQ(this->status_of("a1"), "skipped");
  EXPECT_TRUE(store->start_ready_runs(2000).empty());
}

TEST_P(StoreTest, ConcurrentLeasesHandOutEachActivityOnce) {
  auto& store = this->store_;
  std::vector<Activity> activities;
  for (int i = 0; i < 200; ++i) {
    activities.push_back(this->activity("", "s" + std::to_string(i % 7), "c" + std::to_string(i)));
  }
  store::Run run = this->running_run(std::move(activities));

  std::mutex mutex;
  std::vector<std::string> leased;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&store, &mutex, &leased, t] {
      const std::string worker = "w" + std::to_string(t);
      while (auto a = store->lease(LeaseRequest{worker, {"terraform"}, 60000, 1000})) {
        std::lock_guard<std::mutex> lock(mutex);
        leased.push_back(a->id);
      }
    });
  }
  for (auto& thread : threads) thread.join();

  ASSERT_EQ(leased.size(), 200u);
  std::set<std::string> unique(leased.begin(), leased.end());
  EXPECT_EQ(unique.size(), 200u);
  for (const auto& a : store->activities(run.id)) {
    EXPECT_EQ(a.status, "leased");
    EXPECT_EQ(a.attempt, 1);
  }
}

// --- what is particular to SQLite, and to opening a store by URL

TEST(StateHeader, TopLevelSerialAndLineageInOnePass) {
  StateHeader h = read_state_header(R"({"version":4,"serial":7,"lineage":"abc","resources":[{"serial":99,)"
                                    R"("lineage":"inner","instances":[{"attributes":{"serial":5}}]}],"outputs":{}})");
  EXPECT_TRUE(h.is_object);
  EXPECT_EQ(h.serial, 7);
  EXPECT_EQ(h.lineage, "abc");
  h = read_state_header(R"({"resources":{"serial":3},"lineage":["x"],"serial":"8"})");
  EXPECT_TRUE(h.is_object);
  EXPECT_EQ(h.serial, 0) << "a nested serial or a string is not the state's";
  EXPECT_EQ(h.lineage, "");
  EXPECT_FALSE(read_state_header("[1,2]").is_object);
  EXPECT_FALSE(read_state_header("{\"serial\": 1").is_object) << "cut short";
  EXPECT_FALSE(read_state_header("{} {}").is_object) << "trailing text";
  EXPECT_FALSE(read_state_header("").is_object);
  EXPECT_EQ(serial_and_lineage(R"({"serial":3,"lineage":"l"})"), std::make_pair(int64_t{3}, std::string("l")));
}

TEST(StoreOpen, SqliteFileIsPrivateAndItsFolderMustExist) {
  TempDir dir("store_test");
  auto store = open_store(dir.file("server.db"));
  store->migrate();
  struct stat info {};
  ASSERT_EQ(stat(dir.file("server.db").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  // WAL mode: the log and shared-memory files hold the same data and get the same mode.
  for (const char* suffix : {"-wal", "-shm"}) {
    ASSERT_EQ(stat(dir.file(std::string("server.db") + suffix).c_str(), &info), 0) << suffix;
    EXPECT_EQ(info.st_mode & 0777, 0600) << suffix;
  }

  try {
    open_store("sqlite:" + dir.file("missing/server.db"));
    FAIL() << "a store in a missing folder opened";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kEnvironment);
    EXPECT_NE(e.message().find("does not exist"), std::string::npos) << e.message();
  }
}

// Two connections to one file (two Store objects, as if two processes shared it): BEGIN
// IMMEDIATE and the busy timeout still hand out every activity exactly once.
TEST(StoreOpen, TwoSqliteConnectionsToOneFileNeverLeaseTwice) {
  TempDir dir("store_test");
  auto first = open_store(dir.file("server.db"));
  auto second = open_store(dir.file("server.db"));
  first->migrate();
  second->migrate();
  Repository repo = first->add_repository(repository("infra", "/srv/git/infra"));
  store::Run run;
  run.repository_id = repo.id;
  run.command = "plan";
  std::vector<Activity> activities(100);
  for (size_t i = 0; i < activities.size(); ++i) {
    activities[i].stack = "s";
    activities[i].component = "c" + std::to_string(i);
  }
  run = first->create_run(run, activities);
  ASSERT_EQ(second->start_ready_runs(1000).size(), 1u);

  std::mutex mutex;
  std::vector<std::string> leased;
  std::vector<std::thread> threads;
  for (Store* store : {first.get(), second.get(), first.get(), second.get()}) {
    threads.emplace_back([store, &mutex, &leased] {
      while (auto a = store->lease(LeaseRequest{"w", {}, 60000, 1000})) {
        std::lock_guard<std::mutex> lock(mutex);
        leased.push_back(a->id);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(leased.size(), 100u);
  EXPECT_EQ(std::set<std::string>(leased.begin(), leased.end()).size(), 100u);
}

// A database that cannot be reached: the error says where and why, never the password.
TEST(StoreOpen, UnreachablePostgresSaysWhereWithoutThePassword) {
  for (const char* url : {"postgres://strata:hunter2@127.0.0.1:1/strata",
                          "postgresql://strata:hunter2@127.0.0.1:1/strata"}) {
    try {
      open_store(url);
      FAIL() << url << " opened";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kEnvironment);
      EXPECT_NE(e.message().find("the database at 127.0.0.1:1 is unreachable"), std::string::npos)
          << e.message();
      EXPECT_EQ(e.render().find("hunter2"), std::string::npos) << e.render();
      EXPECT_FALSE(e.hint().empty());
    }
  }
  try {
    open_store("postgres://strata:hunter2@127.0.0.1:notaport/strata");
    FAIL() << "a malformed URL opened";
  } catch (const Error& e) {
    EXPECT_EQ(e.render().find("hunter2"), std::string::npos) << e.render();
  }
}

// --- what is particular to PostgreSQL: replicas sharing one database, notifications, restarts


// Everything a server keeps that may hold a secret, each holding `secret`: a state version, a
// log chunk, an activity's outputs and plan changes. Returns the activity's id.
std::string keep_a_secret_everywhere(Store& store, const std::string& secret) {
  Repository repo;
  repo.name = "infra-" + new_uuid().substr(0, 8);
  repo.url = "/srv/git/infra";
  repo.default_branch = "main";
  repo.github = "acme/infra";
  repo.webhook_secret = "hook " + secret;
  repo = store.add_repository(repo);
  WebhookDelivery delivery;
  delivery.id = "delivery-1";
  delivery.repository_id = repo.id;
  delivery.event = "push";
  delivery.payload = R"({"message":"payload )" + secret + R"("})";
  store.record_delivery(delivery);
  store::Run run;
  run.repository_id = repo.id;
  run.command = "plan";
  std::vector<Activity> activities(1);
  activities[0].stack = "dev";
  activities[0].component = "db";
  run = store.create_run(run, activities);
  store.start_ready_runs(1000);
  std::optional<Activity> a = store.lease(LeaseRequest{"w", {}, 60000, 1000});
  if (!a) throw std::runtime_error("nothing to lease");
  store.put_state("infra/dev/db", R"({"serial":3,"lineage":"l-1","outputs":{"pw":{"value":")" + secret + R"("}}})", 1100);
  store.append_log(a->id, a->fencing_token, 0, "password is " + secret + "\n", 1100);
  store.set_variable(Variable{repo.id, "dev", "DB_PASSWORD", secret, true, 1100, 1100});
  // A saved plan's file is base64 text to the store; it holds the variables in clear.
  store.save_plan(SavedPlan{a->id, "infra/dev/db", 3, "UEsDBA" + secret, "stamp " + secret, 0}, a->fencing_token, 1150);
  store.finish(a->id, a->fencing_token,
               Finish{"succeeded", R"({"pw":")" + secret + R"("})", R"({"resources":[{"after":")" + secret + R"("}]})", ""},
               1200);
  return a->id;
}

// What keep_a_secret_everywhere() stored reads back whole through the store.
void expect_the_secret_back(Store& store, const std::string& id, const std::string& secret) {
  auto state = store.latest_state("infra/dev/db");
  ASSERT_TRUE(state.has_value());
  EXPECT_NE(state->data.find(secret), std::string::npos) << state->data;
  auto logs = store.logs(id, -1);
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].data, "password is " + secret + "\n");
  auto a = store.activity(id);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->outputs_json, R"({"pw":")" + secret + R"("})");
  EXPECT_NE(a->changes_json.find(secret), std::string::npos);
  EXPECT_EQ(store.activities(a->run_id).at(0).outputs_json, a->outputs_json);
  std::vector<Variable> set = store.variables(store.run(a->run_id)->repository_id);
  ASSERT_EQ(set.size(), 1u);
  EXPECT_EQ(set[0].value, secret);
  std::optional<SavedPlan> plan = store.saved_plan(id);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->plan_file, "UEsDBA" + secret);
  EXPECT_EQ(plan->stamp, "stamp " + secret);
  EXPECT_EQ(plan->state_serial, 3);
  EXPECT_EQ(store.repository_by_github("acme/infra")->webhook_secret, "hook " + secret);
  EXPECT_EQ(store.repositories().at(0).webhook_secret, "hook " + secret);
  EXPECT_EQ(store.delivery("delivery-1")->payload, R"({"message":"payload )" + secret + R"("})");
}

std::string file_bytes(const std::string& path) { return read_file_if_exists(path).value_or(""); }

// A SealedStore over SQLite: the database file (and its write-ahead log) never holds the value;
// a server restarted with the key ring reads everything back, also after a rotation.
TEST(SealedStore, NothingReadableInTheSqliteFileAndRotationKeepsOldRecords) {
  TempDir dir("sealed-store");
  const std::string secret = "at-rest-" + new_uuid();
  Keyring ring = Keyring::generate();
  std::string id;
  {
    SealedStore store(open_sqlite_store(dir.file("strata.db")), ring);
    store.migrate();
    store.check_keyring();
    id = keep_a_secret_everywhere(store, secret);
    expect_the_secret_back(store, id, secret);
    EXPECT_NE((file_bytes(dir.file("strata.db")) + file_bytes(dir.file("strata.db-wal"))).find("infra/dev/db"),
              std::string::npos)
        << "the files hold the store (the premise)";
    for (const char* f : {"strata.db", "strata.db-wal"}) {
      std::string bytes = file_bytes(dir.file(f));
      EXPECT_EQ(bytes.find(secret), std::string::npos) << f << " holds the value in clear";
      EXPECT_EQ(bytes.find("password is"), std::string::npos) << f << " holds the log line in clear";
    }
  }
  ring.rotate();
  SealedStore again(open_sqlite_store(dir.file("strata.db")), Keyring::parse(ring.text(), "keyring"));
  expect_the_secret_back(again, id, secret);
  again.put_state("infra/dev/db", R"({"serial":4,"lineage":"l-1"})", 1300);
  SealedStore raw_view(open_sqlite_store(dir.file("strata.db")), Keyring::generate());
  // The new version is sealed with version 2; the raw store shows only sealed text.
  EXPECT_EQ(Keyring::version_of(again.inner().latest_state("infra/dev/db")->data), 2);
  EXPECT_EQ(Keyring::version_of(again.inner().logs(id, -1).at(0).data), 1);
  // The wrong key ring cannot read what the right one sealed: loudly, not as garbage; and a
  // server holding it refuses to start rather than fail on every record.
  EXPECT_THROW(raw_view.logs(id, -1), Error);
  EXPECT_NO_THROW(again.check_keyring()) << "a rotated ring: version 1 as before, version 2 recorded";
  try {
    raw_view.check_keyring();
    ADD_FAILURE() << "another key ring passed the check";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("key version 1 is not the one this database's records are sealed with"),
              std::string::npos) << e.message();
  }
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    STRATA_REQUIRE_BACKEND(&postgres_unavailable);
    url_ = shared_cluster().url(new_database());
  }

  // A migrated store on this test's database: one replica.
  std::unique_ptr<Store> replica() {
    auto store = open_store(url_);
    store->migrate();
    return store;
  }

  // A running plan run of `count` activities, none depending on another.
  static store::Run running_run(Store& store, int count) {
    Repository repo = store.add_repository(repository("infra-" + new_uuid(), "/srv/git/infra"));
    store::Run run;
    run.repository_id = repo.id;
    run.command = "plan";
    std::vector<Activity> activities(static_cast<size_t>(count));
    for (int i = 0; i < count; ++i) {
      activities[static_cast<size_t>(i)].stack = "s" + std::to_string(i % 5);
      activities[static_cast<size_t>(i)].component = "c" + std::to_string(i);
    }
    run = store.create_run(run, activities);
    store.start_ready_runs(1000);
    return run;
  }

  std::string url_;
};

// Two Store objects on one database are two server replicas: their pools hold connections of
// their own, so only the row locks keep them from leasing one activity twice.
TEST_F(PostgresStoreTest, TwoReplicasNeverLeaseTheSameActivityTwice) {
  auto first = replica();
  auto second = replica();
  store::Run run = running_run(*first, 200);

  std::mutex mutex;
  std::vector<std::string> leased;
  std::vector<std::thread> threads;
  for (Store* store :
       {first.get(), second.get(), first.get(), second.get(), first.get(), second.get()}) {
    threads.emplace_back([store, &mutex, &leased] {
      while (auto a = store->lease(LeaseRequest{"w", {}, 60000, 1000})) {
        std::lock_guard<std::mutex> lock(mutex);
        leased.push_back(a->id);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(leased.size(), 200u);
  EXPECT_EQ(std::set<std::string>(leased.begin(), leased.end()).size(), 200u);
  std::set<int64_t> tokens;
  for (const auto& a : second->activities(run.id)) {
    EXPECT_EQ(a.status, "leased");
    EXPECT_EQ(a.attempt, 1);
    tokens.insert(a.fencing_token);
  }
  EXPECT_EQ(tokens.size(), 200u) << "two leases got one fencing token";
}

// Replicas finishing the last activities of one run at once: the run ends exactly once, and
// as succeeded (neither replica may miss the other's finish).
TEST_F(PostgresStoreTest, TwoReplicasFinishingTogetherEndTheRunOnce) {
  auto first = replica();
  auto second = replica();
  for (int round = 0; round < 5; ++round) {
    store::Run run = running_run(*first, 20);
    std::vector<Activity> leased;
    while (auto a = first->lease(LeaseRequest{"w", {}, 60000, 1000})) leased.push_back(*a);
    ASSERT_EQ(leased.size(), 20u);
    std::vector<std::thread> threads;
    for (size_t half = 0; half < 2; ++half) {
      Store* store = half == 0 ? first.get() : second.get();
      threads.emplace_back([store, &leased, half] {
        for (size_t i = half; i < leased.size(); i += 2) {
          store->finish(leased[i].id, leased[i].fencing_token, Finish{"succeeded", "{}", "", ""},
                        2000);
        }
      });
    }
    for (auto& thread : threads) thread.join();
    auto ended = second->run(run.id);
    EXPECT_EQ(ended->status, "succeeded") << "round " << round;
    EXPECT_EQ(ended->finished_at, 2000);
  }
}

// A replica commits an activity's success, then decides whether its run ended; one that stops
// between the two leaves the run running with nothing left to run. The next expiry sweep (every
// replica's tick) ends it.
TEST_F(PostgresStoreTest, ARunLeftRunningByAReplicaThatStoppedIsEndedByTheNextSweep) {
  auto store = replica();
  store::Run run = running_run(*store, 2);
  auto a = store->lease(LeaseRequest{"w", {}, 60000, 1000});
  ASSERT_TRUE(a.has_value());
  ASSERT_EQ(store->finish(a->id, a->fencing_token, Finish{"succeeded", "{}", "", ""}, 1100), LeaseCheck::kHeld);
  auto b = store->lease(LeaseRequest{"w", {}, 60000, 1100});
  ASSERT_TRUE(b.has_value());
  // The finish's first step alone, as the stopped replica committed it.
  const store::PgTarget target(url_);
  store::PgConnection db(target);
  db.exec("UPDATE activities SET status = 'succeeded', lease_until = 0, finished_at = 1200 WHERE id = $1", {b->id});
  EXPECT_EQ(store->run(run.id)->status, "running");
  EXPECT_EQ(store->expire_leases(1300, 3), 0u);
  auto ended = store->run(run.id);
  EXPECT_EQ(ended->status, "succeeded");
  EXPECT_EQ(ended->finished_at, 1300);
}

// The same over PostgreSQL: a dump of the database (pg_dump, as a backup is made) never holds
// the value.
TEST_F(PostgresStoreTest, NothingReadableInADumpOfTheDatabase) {
  const std::string secret = "at-rest-" + new_uuid();
  SealedStore store(open_store(url_), Keyring::generate());
  store.migrate();
  std::string id = keep_a_secret_everywhere(store, secret);
  expect_the_secret_back(store, id, secret);
  TempDir dir("pg-dump");
  const std::string dump = dir.file("dump.sql");
  std::string command = std::string(PostgresCluster::kBinDir) + "/pg_dump --no-owner -f " + dump + " '" + url_ + "'";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  std::string bytes = file_bytes(dump);
  EXPECT_NE(bytes.find("infra/dev/db"), std::string::npos) << "the dump holds the store (the premise)";
  EXPECT_NE(bytes.find("sealed:v1:"), std::string::npos);
  EXPECT_EQ(bytes.find(secret), std::string::npos) << "the dump holds the value in clear";
  EXPECT_EQ(bytes.find("password is"), std::string::npos);
}

TEST_F(PostgresStoreTest, MigrateFromTwoReplicasAtOnceIsSafe) {
  auto first = open_store(url_);
  auto second = open_store(url_);
  EXPECT_TRUE(first->applied_migrations().empty());
  std::vector<std::string> errors(2);
  std::thread a([&] {
    try {
      first->migrate();
    } catch (const Error& e) {
      errors[0] = e.message();
    }
  });
  std::thread b([&] {
    try {
      second->migrate();
    } catch (const Error& e) {
      errors[1] = e.message();
    }
  });
  a.join();
  b.join();
  EXPECT_EQ(errors, (std::vector<std::string>{"", ""}));
  std::vector<std::string> every_migration;
  for (const auto& [name, sql] : embedded_migrations()) every_migration.push_back(name);
  EXPECT_EQ(first->applied_migrations(), every_migration);
  EXPECT_EQ(second->applied_migrations(), every_migration);
  // The counters were inserted once: a lease gets token 1.
  running_run(*second, 1);
  auto leased = first->lease(LeaseRequest{"w", {}, 60000, 1000});
  ASSERT_TRUE(leased.has_value());
  EXPECT_EQ(leased->fencing_token, 1);
}

TEST_F(PostgresStoreTest, ListenerHearsAnotherReplicasChanges) {
  auto server = replica();
  auto other = replica();
  auto listener = server->listen();
  ASSERT_NE(listener, nullptr);

  auto before = std::chrono::steady_clock::now();
  EXPECT_FALSE(listener->wait(std::chrono::milliseconds(200))) << "nothing happened yet";
  EXPECT_GE(std::chrono::steady_clock::now() - before, std::chrono::milliseconds(190));

  store::Run run = running_run(*other, 1);  // create_run and start_ready_runs both notify
  EXPECT_TRUE(listener->wait(std::chrono::seconds(10)));
  while (listener->wait(std::chrono::milliseconds(100))) {
  }
  auto leased = other->lease(LeaseRequest{"w", {}, 60000, 1000});
  ASSERT_TRUE(leased.has_value());
  EXPECT_FALSE(listener->wait(std::chrono::milliseconds(100))) << "a lease frees nothing";
  ASSERT_EQ(other->finish(leased->id, leased->fencing_token, Finish{"succeeded", "", "", ""}, 1100),
            LeaseCheck::kHeld);
  EXPECT_TRUE(listener->wait(std::chrono::seconds(10)));
}

// PostgreSQL's text cannot hold a NUL byte (SQLite's can): such a value is refused with an
// error, never stored cut short.
// A stuck statement (a lock a wedged client holds) is cancelled after a minute instead of
// hanging a server thread, and a session idle in a transaction is ended by the database.
TEST_F(PostgresStoreTest, SessionsLimitStatementsAndIdleTransactions) {
  const store::PgTarget target(url_);
  store::PgConnection db(target);
  EXPECT_EQ(db.exec("SHOW statement_timeout").text(0, 0), "1min");
  EXPECT_EQ(db.exec("SHOW idle_in_transaction_session_timeout").text(0, 0), "1min");
  // A URL that sets its own wins.
  const store::PgTarget own_target(url_ + (url_.find('?') == std::string::npos ? "?" : "&") +
                                   "options=-c%20statement_timeout%3D5s");
  store::PgConnection own(own_target);
  EXPECT_EQ(own.exec("SHOW statement_timeout").text(0, 0), "5s");
}

TEST_F(PostgresStoreTest, ValueWithANulByteIsRefusedNotTruncated) {
  auto store = replica();
  running_run(*store, 1);
  auto a = store->lease(LeaseRequest{"w", {}, 60000, 1000});
  ASSERT_TRUE(a.has_value());
  EXPECT_THROW(store->append_log(a->id, a->fencing_token, 0, std::string("bin\0ary\n", 7), 1100),
               Error);
  EXPECT_TRUE(store->logs(a->id, -1).empty());
  EXPECT_EQ(store->append_log(a->id, a->fencing_token, 0, "text\n", 1100), LeaseCheck::kHeld);
}

TEST(StoreOpen, SqliteHasNoCrossProcessNotifications) {
  TempDir dir("store_test");
  EXPECT_EQ(open_store(dir.file("server.db"))->listen(), nullptr);
}

// The server restarts PostgreSQL: calls fail with a clear error while it is down, and the
// store and its listener carry on by themselves once it is back.
TEST_F(PostgresStoreTest, StoreAndListenerReconnectAfterARestart) {
  PostgresCluster& cluster = shared_cluster();
  auto store = open_store(shared_cluster().url(url_.substr(url_.rfind('/') + 1), "s3cret"));
  store->migrate();
  store->add_repository(repository("infra", "/srv/git/infra"));
  auto listener = store->listen();
  ASSERT_NE(listener, nullptr);

  cluster.stop();
  const std::string where = "127.0.0.1:" + std::to_string(cluster.port());
  for (int call = 0; call < 2; ++call) {
    try {
      store->repositories();
      ADD_FAILURE() << "a call succeeded while the database was down";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kEnvironment);
      EXPECT_NE(e.message().find("the database at " + where + " is unreachable"), std::string::npos)
          << e.message();
      EXPECT_EQ(e.render().find("s3cret"), std::string::npos) << e.render();
    }
  }
  EXPECT_FALSE(listener->wait(std::chrono::milliseconds(300)));
  cluster.start();

  auto repositories = store->repositories();
  ASSERT_EQ(repositories.size(), 1u);
  EXPECT_EQ(repositories[0].name, "infra");
  EXPECT_TRUE(listener->wait(std::chrono::seconds(10))) << "back: look again";
  while (listener->wait(std::chrono::milliseconds(100))) {
  }
  running_run(*open_store(url_), 1);
  EXPECT_TRUE(listener->wait(std::chrono::seconds(10))) << "listening again after the restart";
}

// A connection that broke while idle in the pool (the server restarted between two calls)
// costs one failed call, not one per pooled connection.
TEST_F(PostgresStoreTest, OneFailedCallAfterARestartThenTheStoreWorks) {
  PostgresCluster& cluster = shared_cluster();
  auto store = replica();
  // Fill the pool: four threads at once each need a connection.
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&store] {
      for (int i = 0; i < 20; ++i) store->repositories();
    });
  }
  for (auto& thread : threads) thread.join();

  cluster.stop();
  cluster.start();
  int failures = 0;
  for (int call = 0; call < 3; ++call) {
    try {
      store->repositories();
    } catch (const Error& e) {
      ++failures;
      EXPECT_NE(e.message().find("unreachable"), std::string::npos) << e.message();
    }
  }
  EXPECT_LE(failures, 1);
  EXPECT_TRUE(store->repositories().empty());
}

TEST(StoreMigrations, EmbeddedInNameOrder) {
  const auto& migrations = embedded_migrations();
  ASSERT_FALSE(migrations.empty());
  EXPECT_EQ(migrations[0].first, "001_initial");
  EXPECT_NE(migrations[0].second.find("CREATE TABLE operations"), std::string::npos);
  EXPECT_TRUE(std::is_sorted(migrations.begin(), migrations.end()));
}

TEST(StoreIds, UuidsAreVersion4AndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string id = new_uuid();
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id[14], '4');
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 100u);
}

}  // namespace
}  // namespace strata::store

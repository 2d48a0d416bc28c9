// The control plane's parts without HTTP: code archives (what `strata worker` unpacks, from a
// server it trusts but checked as if it did not) and the LeaseBroker (long-polling workers
// answered when work becomes ready, first come first served) over a real SQLite store.
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "base/atomic_file.h"
#include "base/temp_dir.h"
#include "control/code_archive.h"
#include "control/control_plane.h"
#include "control/lease_broker.h"
#include "control/rate_limiter.h"
#include "control/sessions.h"
#include "control/stack_registry.h"
#include "control/worker_protocol.h"
#include "model/error.h"
#include "store/store.h"

namespace strata::control {
namespace {

using namespace std::chrono_literals;

std::string archive_of(const std::vector<ArchiveEntry>& entries) {
  return write_code_archive([&](const std::function<void(const ArchiveEntry&)>& add) {
    for (const ArchiveEntry& e : entries) add(e);
  });
}

std::string unpack_error(const std::string& archive, const std::string& dest) {
  try {
    unpack_code_archive(archive, dest);
  } catch (const Error& e) {
    return e.message();
  }
  return "";
}

TEST(CodeArchive, RoundTripKeepsFilesFoldersExecutableBitsAndSymlinks) {
  std::string archive = archive_of({{"modules/", 0755, "", ""},
                                    {"modules/m/", 0755, "", ""},
                                    {"modules/m/main.tf", 0644, "resource \"x\" \"y\" {}\n", ""},
                                    {"bin/", 0755, "", ""},
                                    {"bin/run.sh", 0755, "#!/bin/sh\necho hi\n", ""},
                                    {"current", 0, "", "modules/m"},
                                    {"empty.txt", 0644, "", ""}});
  TempDir dest("archive-test");
  unpack_code_archive(archive, dest.path());
  EXPECT_EQ(read_file(dest.file("modules/m/main.tf")), "resource \"x\" \"y\" {}\n");
  struct stat st{};
  ASSERT_EQ(::stat(dest.file("bin/run.sh").c_str(), &st), 0);
  EXPECT_TRUE(st.st_mode & S_IXUSR);
  ASSERT_EQ(::stat(dest.file("modules/m/main.tf").c_str(), &st), 0);
  EXPECT_FALSE(st.st_mode & S_IXUSR);
  EXPECT_EQ(std::filesystem::read_symlink(dest.file("current")), "modules/m");
  EXPECT_EQ(read_file(dest.file("current/main.tf")), "resource \"x\" \"y\" {}\n");
  EXPECT_TRUE(std::filesystem::exists(dest.file("empty.txt")));
}

TEST(CodeArchive, RefusesEntriesThatWouldLandOutsideTheFolder) {
  TempDir outside("archive-outside");
  TempDir dest("archive-test");
  EXPECT_NE(unpack_error(archive_of({{"../escaped", 0644, "x", ""}}), dest.path()).find("leaves its folder"),
            std::string::npos);
  EXPECT_NE(unpack_error(archive_of({{"a/../../escaped", 0644, "x", ""}}), dest.path()).find("leaves its folder"),
            std::string::npos);
  EXPECT_NE(unpack_error(archive_of({{outside.file("abs"), 0644, "x", ""}}), dest.path()).find("absolute"),
            std::string::npos);
  // A symlink to a folder outside, then a file through it.
  TempDir dest2("archive-test");
  std::string through = unpack_error(archive_of({{"link", 0, "", outside.path()}, {"link/planted", 0644, "x", ""}}),
                                     dest2.path());
  EXPECT_NE(through.find("not a folder"), std::string::npos) << through;
  // A file entry that would overwrite (or follow) what an earlier entry made.
  TempDir dest3("archive-test");
  std::string twice = unpack_error(archive_of({{"link", 0, "", outside.file("target")}, {"link", 0644, "x", ""}}),
                                   dest3.path());
  EXPECT_NE(twice.find("cannot create"), std::string::npos) << twice;
  EXPECT_TRUE(std::filesystem::is_empty(outside.path())) << "nothing was written outside";
}

TEST(CodeArchive, DamagedOrOversizedArchivesAreErrors) {
  TempDir dest("archive-test");
  std::string archive = archive_of({{"a.txt", 0644, std::string(10000, 'a'), ""}});
  EXPECT_NE(unpack_error(archive.substr(0, archive.size() / 2), dest.path()), "");
  TempDir dest2("archive-test");
  EXPECT_NE(unpack_error("not an archive at all", dest2.path()), "");
  TempDir dest3("archive-test");
  try {
    unpack_code_archive(archive, dest3.path(), 1000);
    ADD_FAILURE() << "the size limit was not applied";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("more than 1000 bytes"), std::string::npos) << e.message();
  }
}

class LeaseBrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::open_store(dir_.file("strata.db"));
    store_->migrate();
    store::Repository repo;
    repo.id = "repo-1";
    repo.name = "infra";
    repo.url = "/srv/git/infra";
    repo.default_branch = "main";
    repo_ = store_->add_repository(repo);
  }
  // A started plan run with one activity per id.
  void ready(const std::vector<std::string>& ids) {
    store::Run run;
    run.repository_id = repo_.id;
    run.command = "plan";
    run.commit = "0123456789abcdef0123456789abcdef01234567";
    std::vector<store::Activity> activities;
    for (const std::string& id : ids) {
      store::Activity a;
      a.id = id;
      a.stack = "dev";
      a.component = id;
      a.required_capabilities = {"terraform"};
      activities.push_back(a);
    }
    store_->create_run(run, activities);
    store_->start_ready_runs(store::now_millis());
  }
  TempDir dir_{"broker-test"};
  std::unique_ptr<store::Store> store_;
  store::Repository repo_;
};

// The credential an activity's engine presents to /tfstate cannot be made up from what the API
// shows (an activity's id) and a guessed fencing token: its MAC needs the server's key.
TEST(ActivityCredential, OnlyTheServersKeyMakesOne) {
  store::Activity a;
  a.id = "7d8e1f00-aaaa-4bbb-8ccc-000000000001";
  a.fencing_token = 42;
  std::string credential = activity_credential("server key", a);
  EXPECT_EQ(credential.rfind(a.id + ".42.", 0), 0u) << credential;
  auto claim = read_activity_credential("server key", credential);
  ASSERT_TRUE(claim.has_value());
  EXPECT_EQ(claim->first, a.id);
  EXPECT_EQ(claim->second, 42);

  EXPECT_FALSE(read_activity_credential("another key", credential).has_value());
  EXPECT_FALSE(read_activity_credential("server key", a.id + ".42").has_value()) << "the id and token alone";
  std::string tampered = credential;
  tampered[a.id.size() + 1] = '3';  // token 32 with 42's MAC
  EXPECT_FALSE(read_activity_credential("server key", tampered).has_value());
  EXPECT_FALSE(read_activity_credential("server key", "").has_value());
  EXPECT_FALSE(read_activity_credential("server key", "..").has_value());
  EXPECT_FALSE(read_activity_credential("server key", credential + "0").has_value());
}

// A lease crosses HTTP to `strata worker` whole: its state credential and its variable set.
TEST(WorkerProtocol, ALeaseKeepsItsCredentialAndVariablesOverTheWire) {
  Lease lease;
  lease.activity.id = "a1";
  lease.activity.run_id = "r1";
  lease.activity.stack = "dev";
  lease.activity.component = "db";
  lease.activity.command = "plan";
  lease.activity.fencing_token = 9;
  lease.repository = "infra";
  lease.commit = "0123";
  lease.state_credential = activity_credential("k", lease.activity);
  lease.env = {store::Variable{"", "", "SOPS_AGE_KEY", "AGE-SECRET-KEY-1X", true, 0, 0},
               store::Variable{"", "dev", "REGION", "eu", false, 0, 0}};
  Lease back = lease_from_json(nlohmann::json::parse(lease_to_json(lease).dump()));
  EXPECT_EQ(back.state_credential, lease.state_credential);
  ASSERT_EQ(back.env.size(), 2u);
  EXPECT_EQ(back.env[0].name, "SOPS_AGE_KEY");
  EXPECT_EQ(back.env[0].value, "AGE-SECRET-KEY-1X");
  EXPECT_TRUE(back.env[0].sensitive);
  EXPECT_FALSE(back.env[1].sensitive);
  // The stack's entry wins over the repository's of the same name; another stack's is not given.
  std::vector<store::Variable> set = {{"r", "", "REGION", "eu", false, 0, 0},
                                      {"r", "dev", "REGION", "us", false, 0, 0},
                                      {"r", "prod", "ONLY_PROD", "1", false, 0, 0}};
  std::vector<store::Variable> dev = variables_for_stack(set, "dev");
  ASSERT_EQ(dev.size(), 1u);
  EXPECT_EQ(dev[0].value, "us");
  EXPECT_EQ(variables_for_stack(set, "qa").at(0).value, "eu");
}

TEST_F(LeaseBrokerTest, WaitingWorkersAreAnsweredWhenWorkIsReadyInTheOrderTheyCame) {
  LeaseBroker broker(*store_, 60000, "test key", 10s);  // a long poll: only wake() can answer in time
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> got;  // worker, activity
  auto record = [&](std::string worker) {
    return [&, worker](std::optional<Lease> lease) {
      std::lock_guard lock(mutex);
      got.emplace_back(worker, lease ? lease->activity.id : "none");
    };
  };
  auto deadline = LeaseBroker::Clock::now() + 20s;
  EXPECT_NE(broker.wait("w1", {"terraform"}, deadline, record("w1")), 0u);
  std::this_thread::sleep_for(5ms);
  EXPECT_NE(broker.wait("w2", {"terraform"}, deadline, record("w2")), 0u);
  EXPECT_EQ(broker.waiting(), 2u);
  ready({"a1"});
  auto started = std::chrono::steady_clock::now();
  broker.wake();
  while (broker.waiting() == 2 && std::chrono::steady_clock::now() - started < 5s) std::this_thread::sleep_for(1ms);
  {
    std::lock_guard lock(mutex);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], std::make_pair(std::string("w1"), std::string("a1"))) << "the first to wait gets it";
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s) << "answered on wake, not at the next poll";
  broker.stop();
  std::lock_guard lock(mutex);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1], std::make_pair(std::string("w2"), std::string("none"))) << "stop answers everyone";
  EXPECT_EQ(store_->activity("a1")->lease_owner, "w1");
}

TEST_F(LeaseBrokerTest, DeadlinesCancelsAndReadyWork) {
  LeaseBroker broker(*store_, 60000, "test key", 50ms);
  // Nothing ready: the deadline answers nullopt.
  auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(broker.lease("w1", {"terraform"}, 100ms).has_value());
  EXPECT_GE(std::chrono::steady_clock::now() - started, 100ms);
  // A cancelled waiter is never answered, and holds nothing.
  std::atomic<int> calls{0};
  uint64_t ticket = broker.wait("w2", {"terraform"}, LeaseBroker::Clock::now() + 10s,
                                [&](std::optional<Lease>) { ++calls; });
  EXPECT_TRUE(broker.cancel(ticket));
  EXPECT_FALSE(broker.cancel(ticket));
  // Ready work is found by the periodic poll too (another replica made it ready: no wake).
  std::thread later([&] {
    std::this_thread::sleep_for(100ms);
    ready({"a1"});
  });
  std::optional<Lease> lease = broker.lease("w3", {"terraform"}, 5s);
  later.join();
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->activity.id, "a1");
  EXPECT_EQ(lease->repository, "infra");
  EXPECT_EQ(lease->commit, "0123456789abcdef0123456789abcdef01234567");
  EXPECT_EQ(calls.load(), 0);
  // What the worker cannot run is not offered.
  ready({"a2"});
  EXPECT_FALSE(broker.lease("w4", {"ansible"}, 100ms).has_value());
  EXPECT_TRUE(broker.lease("w4", {"terraform"}, 100ms).has_value());
}

// A lease request marks its worker seen, but writes that at most every couple of seconds: a
// write per request would be one more commit per activity.
TEST_F(LeaseBrokerTest, AWorkersLastSeenIsWrittenAtMostEveryFewSeconds) {
  ControlOptions options;
  options.data_dir = dir_.file("data");
  ControlPlane control(*store_, options);
  store::WorkerRecord w;
  w.id = "w1";
  w.name = "w1";
  w.registered_at = w.last_heartbeat = 1;
  store_->register_worker(w);
  control.worker_seen("w1");
  store::Millis first = store_->worker("w1")->last_heartbeat;
  EXPECT_GT(first, 1);
  store_->worker_seen("w1", 5);  // as if long ago
  control.worker_seen("w1");
  EXPECT_EQ(store_->worker("w1")->last_heartbeat, 5) << "written again within " << ControlPlane::kWorkerSeenEveryMs << " ms";
}

}  // namespace
}  // namespace strata::control

namespace strata::control {
namespace {

TEST(RateLimits, LimitsAreReadAsPeopleWriteThem) {
  auto per = [](const char* text) { return parse_rate_limit(text); };
  ASSERT_TRUE(per("20/s"));
  EXPECT_EQ(per("20/s")->per_second, 20);
  EXPECT_EQ(per("20/s")->burst, 20) << "a second's worth by default";
  EXPECT_EQ(per("600/m")->per_second, 10);
  EXPECT_EQ(per("60/h")->burst, 1);
  EXPECT_EQ(per("20/s:100")->burst, 100);
  EXPECT_FALSE(per("off")->on());
  for (const char* bad : {"", "20", "20/d", "/s", "-1/s", "0/s", "20/s:", "20/s:0", "2.5/s", "x/s", "20/s:1e3"})
    EXPECT_FALSE(per(bad)) << bad;
  EXPECT_EQ(format_rate_limit(*per("20/s:100")), "20/s:100");
  EXPECT_EQ(format_rate_limit(*per("30/m")), "30/m:1");
  EXPECT_EQ(format_rate_limit(RateLimit{}), "off");
  EXPECT_EQ(parse_rate_class("auth_failures"), RateClass::kAuthFailures);
  EXPECT_FALSE(parse_rate_class("webhooks"));
  EXPECT_EQ(parse_rate_class("webhook"), RateClass::kWebhook);
}

// A token bucket per key and class: a burst, then one request per 1/rate seconds; Retry-After
// is exactly when the next one may go; other keys and classes are untouched.
TEST(RateLimits, ABurstIsAllowedThenTheRateAndEachKeyAndClassHasItsOwnBucket) {
  RateLimits limits;
  limits.api = {2, 3};     // 2 a second, bursts of 3
  limits.worker = {1, 1};
  limits.state = {};       // off
  RateLimiter limiter(limits);
  using namespace std::chrono_literals;
  RateLimiter::Clock::time_point t0{};
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.take(RateClass::kApi, "a", t0), 0ms) << i;
  EXPECT_EQ(limiter.take(RateClass::kApi, "a", t0), 500ms) << "one more in half a second";
  EXPECT_EQ(limiter.wait(RateClass::kApi, "a", t0 + 200ms), 300ms) << "a refusal spends nothing";
  EXPECT_EQ(limiter.take(RateClass::kApi, "b", t0), 0ms) << "another token";
  EXPECT_EQ(limiter.take(RateClass::kWorker, "a", t0), 0ms) << "another class";
  EXPECT_EQ(limiter.take(RateClass::kApi, "a", t0 + 500ms), 0ms);
  EXPECT_EQ(limiter.take(RateClass::kApi, "a", t0 + 500ms), 500ms);
  EXPECT_EQ(limiter.take(RateClass::kApi, "a", t0 + 10s), 0ms) << "refilled";
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(limiter.take(RateClass::kState, "a", t0), 0ms);
  EXPECT_EQ(limiter.wait(RateClass::kAuthFailures, "127.0.0.1", t0), 0ms) << "an address never seen";
}

TEST(RateLimits, IdleBucketsDoNotPileUp) {
  RateLimits limits;
  limits.auth_failures = {1000, 1000};
  RateLimiter limiter(limits);
  RateLimiter::Clock::time_point t0{};
  for (size_t i = 0; i < RateLimiter::kMaxBuckets + 10; ++i)
    limiter.take(RateClass::kAuthFailures, "10.0." + std::to_string(i), t0);
  EXPECT_LE(limiter.buckets(), RateLimiter::kMaxBuckets);
}

}  // namespace
}  // namespace strata::control

namespace strata::control {
namespace {

TEST(Sessions, JwtsAreSignedReadBackAndAnythingElseIsRefused) {
  SessionClaims c{"github:alice", "alice", "operator", 1700000000, 1700000900, "jti-1"};
  std::string jwt = sign_session(c, "key-a");
  std::optional<SessionClaims> back = read_session(jwt, "key-a");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->subject, "github:alice");
  EXPECT_EQ(back->role, "operator");
  EXPECT_EQ(back->expires_at, 1700000900);
  EXPECT_EQ(back->id, "jti-1");
  EXPECT_FALSE(read_session(jwt, "key-b")) << "another server's key";
  std::string header = jwt.substr(0, jwt.find('.'));
  EXPECT_FALSE(read_session(base64url(R"({"alg":"none","typ":"JWT"})") + jwt.substr(header.size()), "key-a"));
  EXPECT_FALSE(read_session(jwt + "x", "key-a"));
  EXPECT_FALSE(read_session(jwt.substr(0, jwt.rfind('.')), "key-a"));
  EXPECT_FALSE(read_session("", "key-a"));
  EXPECT_FALSE(read_session("a.b.c.d", "key-a"));
  // A login cookie is not a session, nor the other way round.
  std::string ticket = sign_login({"s", "v", 5, 4242, "cli-state", "cli-challenge", "acme"}, "key-a");
  EXPECT_FALSE(read_session(ticket, "key-a"));
  EXPECT_FALSE(read_login(jwt, "key-a"));
  ASSERT_TRUE(read_login(ticket, "key-a"));
  EXPECT_EQ(read_login(ticket, "key-a")->verifier, "v");
  EXPECT_EQ(read_login(ticket, "key-a")->cli_port, 4242);
  EXPECT_EQ(read_login(ticket, "key-a")->account, "acme");
  // A grant for the CLI is neither, and reads back whole.
  std::string grant = sign_cli_grant({"github:alice", "alice", "viewer", "chal", "n1", 9, "acme"}, "key-a");
  EXPECT_FALSE(read_login(grant, "key-a"));
  EXPECT_FALSE(read_session(grant, "key-a"));
  EXPECT_FALSE(read_cli_grant(ticket, "key-a"));
  EXPECT_FALSE(read_cli_grant(grant, "key-b"));
  ASSERT_TRUE(read_cli_grant(grant, "key-a"));
  EXPECT_EQ(read_cli_grant(grant, "key-a")->nonce, "n1");
  EXPECT_EQ(read_cli_grant(grant, "key-a")->account, "acme");
}

TEST(Sessions, PkceAndRolesFromGroups) {
  // RFC 7636, appendix B.
  EXPECT_EQ(pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  std::map<std::string, std::string> rules = {{"acme", "viewer"}, {"acme/platform", "operator"}, {"acme/sre", "admin"}};
  EXPECT_EQ(role_for_groups({"acme"}, rules), Role::kViewer);
  EXPECT_EQ(role_for_groups({"acme", "acme/platform"}, rules), Role::kOperator);
  EXPECT_EQ(role_for_groups({"acme/sre", "acme"}, rules), Role::kAdmin) << "the highest";
  EXPECT_EQ(role_for_groups({"other"}, rules), std::nullopt);
  EXPECT_EQ(role_for_groups({"ACME/Platform"}, rules), Role::kOperator) << "GitHub's names in any case";
  EXPECT_EQ(role_for_groups({}, rules), std::nullopt);
}

// With accounts of kind github: a person lands in the server's own scope when a group of no
// account earns a role, else in the first account whose groups earn one; ?account= picks.
TEST(Sessions, ASignInLandsInOneAccountWithTheRoleItsGroupsEarn) {
  std::map<std::string, std::string> rules = {
      {"acme", "viewer"}, {"acme/sre", "admin"}, {"beta", "operator"}, {"ops", "admin"}};
  const std::vector<std::string> accounts = {"acme", "beta"};
  using S = SignInScope;
  // GitHub's logins keep their case; accounts are lower-case.
  EXPECT_EQ(sign_in_scope({"Acme", "acme/sre"}, rules, accounts, ""), (S{"acme", Role::kAdmin}));
  EXPECT_EQ(sign_in_scope({"acme", "beta"}, rules, accounts, ""), (S{"acme", Role::kViewer})) << "the first by name";
  EXPECT_EQ(sign_in_scope({"acme", "beta"}, rules, accounts, "beta"), (S{"beta", Role::kOperator}));
  EXPECT_EQ(sign_in_scope({"acme", "ops"}, rules, accounts, ""), (S{"", Role::kAdmin}))
      << "a group of no account: the server's own";
  EXPECT_EQ(sign_in_scope({"ops"}, rules, accounts, "acme"), std::nullopt) << "not a member of acme";
  EXPECT_EQ(sign_in_scope({"acme"}, rules, accounts, "gamma"), std::nullopt);
  EXPECT_EQ(sign_in_scope({"acme"}, rules, {}, ""), (S{"", Role::kViewer})) << "no accounts: as before accounts";
  EXPECT_EQ(sign_in_scope({"other"}, rules, accounts, ""), std::nullopt);
}

// The registry's decisions, without git or a store: what a push registers, updates and
// deregisters, and which stack states go loose.
RegistryInput registry_input() {
  RegistryInput in;
  in.repository_id = "r1";
  in.repository_name = "infra";
  in.account = "acme";
  in.commit = "c2";
  in.found = {{"dev", {{"network", "modules/net"}, {"app", "modules/app"}}}, {"tools", {{"ci", "modules/ci"}}}};
  return in;
}

store::StackCode code(const std::string& stack, const std::string& component, const std::string& path) {
  store::StackCode c;
  c.repository_id = "r1";
  c.stack = stack;
  c.component = component;
  c.path = path;
  c.commit = "c1";
  return c;
}

store::StackState active_state(const std::string& id, const std::string& stack, std::vector<std::string> components) {
  store::StackState s;
  s.id = id;
  s.repository_id = "r1";
  s.stack = stack;
  s.commit = "c1";
  s.state_key = "infra/" + stack;
  s.components = std::move(components);
  return s;
}

std::vector<std::string> kinds(const store::RegistryUpdate& u) {
  std::vector<std::string> out;
  for (const store::Event& e : u.events) out.push_back(e.kind + " " + e.subject);
  return out;
}

TEST(StackRegistry, AFirstPushRegistersEveryComponentAndAStateAStack) {
  RegistrySync sync;
  store::RegistryUpdate u = registry_update(registry_input(), &sync);
  EXPECT_EQ(u.commit, "c2");
  EXPECT_EQ(u.codes.size(), 3u);
  ASSERT_EQ(u.states.size(), 2u);
  EXPECT_EQ(u.states[0].stack, "dev");
  EXPECT_EQ(u.states[0].components, (std::vector<std::string>{"app", "network"}));
  EXPECT_EQ(u.states[0].state_key, "infra/dev");
  EXPECT_EQ(sync.registered, (std::vector<std::string>{"dev/app", "dev/network", "tools/ci"}));
  for (const store::Event& e : u.events) {
    EXPECT_EQ(e.account, "acme");
    EXPECT_EQ(e.repository_id, "r1");
  }
  EXPECT_EQ(sync.summary(), "registry at c2: registered 3, updated 0, deregistered 0");
}

TEST(StackRegistry, ChangedAndMovedComponentsAreUpdatedUnchangedOnesLeftAlone) {
  RegistryInput in = registry_input();
  in.codes = {code("dev", "app", "modules/app"), code("dev", "network", "modules/network-old"), code("tools", "ci", "modules/ci")};
  in.states = {active_state("s1", "dev", {"app", "network"}), active_state("s2", "tools", {"ci"})};
  in.changed = {{"dev", "app"}};
  RegistrySync sync;
  store::RegistryUpdate u = registry_update(in, &sync);
  EXPECT_EQ(sync.updated, (std::vector<std::string>{"dev/app", "dev/network"})) << "app changed; network's module moved";
  EXPECT_TRUE(sync.registered.empty());
  EXPECT_TRUE(sync.deregistered.empty());
  ASSERT_EQ(u.states.size(), 1u) << "tools is untouched";
  EXPECT_EQ(u.states[0].id, "s1");
  EXPECT_EQ(u.states[0].commit, "c2");
  EXPECT_EQ(kinds(u), (std::vector<std::string>{"module_updated dev/app", "module_updated dev/network"}));
}

TEST(StackRegistry, RemovedStacksAndComponentsGoLooseWithTheirComponents) {
  RegistryInput in = registry_input();
  in.found.erase("tools");
  in.found["dev"].erase("app");
  in.codes = {code("dev", "app", "modules/app"), code("dev", "network", "modules/net"), code("tools", "ci", "modules/ci")};
  in.states = {active_state("s1", "dev", {"app", "network"}), active_state("s2", "tools", {"ci"}),
               active_state("s3", "old", {"x"})};
  in.states[2].status = "loose";
  RegistrySync sync;
  store::RegistryUpdate u = registry_update(in, &sync);
  EXPECT_EQ(sync.deregistered, (std::vector<std::string>{"dev/app", "tools/ci"}));
  EXPECT_EQ(u.removed_codes, (std::vector<std::pair<std::string, std::string>>{{"dev", "app"}, {"tools", "ci"}}));
  std::map<std::string, store::StackState> by;
  for (const store::StackState& s : u.states) by[s.stack + ":" + s.status] = s;
  ASSERT_EQ(by.size(), 3u) << "dev stays active with network; app and tools go loose; old is left as it was";
  EXPECT_EQ(by["dev:active"].components, (std::vector<std::string>{"network"}));
  EXPECT_EQ(by["dev:loose"].components, (std::vector<std::string>{"app"}));
  EXPECT_NE(by["dev:loose"].id, "s1") << "a loose state of its own";
  EXPECT_EQ(by["tools:loose"].id, "s2");
  EXPECT_EQ(by["tools:loose"].components, (std::vector<std::string>{"ci"}));
  EXPECT_EQ(sync.loose, (std::vector<std::string>{"dev (app)", "tools"}));
}

}  // namespace
}  // namespace strata::control

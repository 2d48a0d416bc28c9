// `strata server` and `strata remote` through the real binaries on loopback (#21, slice a): a
// JS project in a real git repository registered, planned and applied by the server's
// in-process workers with the real Terraform (state kept by the server's http backend,
// outputs flowing between components run in separate fresh checkouts), and the bad requests
// every API must answer with a clear 4xx while storing nothing. The real-engine test runs in
// the Release build only; the requests and the tofu-sim plan (a simulator) run in both.
#include <sys/stat.h>

#include "app/http_client.h"
#include "base/atomic_file.h"
#include "base/subprocess.h"
#include "base/temp_dir.h"
#include "tests/integration/e2e_support.h"

namespace strata::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kModule = R"tf(
variable "in" {
  type    = string
  default = ""
}

resource "terraform_data" "r" {
  input = var.in
}

output "out" {
  value = "v-${terraform_data.r.output}"
}
)tf";

int free_port() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    int port = 20000 + static_cast<int>((::getpid() * 7919 + attempt * 104729 +
                                         std::chrono::steady_clock::now().time_since_epoch().count()) %
                                        30000);
    std::string out;
    // ss lists listening TCP ports; a port nobody listens on is ours for the test.
    if (run_tool({"/bin/sh", "-c", "ss -ltn | grep -q ':" + std::to_string(port) + " '"}, "/", &out) != 0)
      return port;
  }
  return 28470;
}

// A git repository holding a JS project: dev/network, and dev/app reading network's output.
class GitProject : public TestProject {
 public:
  GitProject() {
    write("strata.yaml", "stacks_dir: stacks\n");
    write("modules/m/main.tf", kModule);
    write("stacks/dev.js",
          "stack('dev');\n"
          "const network = component('network', 'modules/m', {\n"
          "  inputs: { in: 'net' },\n"
          "  mock_outputs: { out: 'not-yet' },\n"
          "});\n"
          "component('app', 'modules/m', { inputs: { in: `${network.out}-app` } });\n");
    git({"init", "-q", "-b", "main"});
    commit("first");
  }
  void git(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"git", "-c", "user.name=t", "-c", "user.email=t@example.com"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::string out;
    ASSERT_EQ(run_tool(argv, root(), &out), 0) << out;
  }
  void commit(const std::string& message) {
    git({"add", "-A"});
    git({"commit", "-q", "-m", message});
  }
};

// A `strata server` on a free loopback port, with its own data dir and temporary folder.
class ServerProcess {
 public:
  ServerProcess(std::map<std::string, std::string> env, std::vector<std::string> extra = {})
      : dir_("strata-server-test"), port_(free_port()) {
    std::filesystem::create_directories(tmp());
    SubprocessOptions o;
    o.argv = {strata_binary(), "server", "--listen", "127.0.0.1:" + std::to_string(port_), "--data-dir",
              data_dir(), "--workers", "2"};
    o.argv.insert(o.argv.end(), extra.begin(), extra.end());
    o.cwd = dir_.path();
    o.env = std::move(env);
    o.env.emplace("TF_CLI_CONFIG_FILE", "/dev/null");
    o.env.emplace("CHECKPOINT_DISABLE", "1");
    o.env.emplace("TMPDIR", tmp());
    o.env.emplace("XDG_CACHE_HOME", dir_.path() + "/cache");
    o.capture_stdout = true;
    o.capture_stderr = true;
    o.timeout = std::chrono::minutes(10);
    o.kill_grace = std::chrono::seconds(5);
    process_ = std::make_unique<Subprocess>(std::move(o));
    result_ = std::async(std::launch::async, [this] { return process_->run(); });
    ready_ = eventually([&] { return get("/healthz").status == 200 || finished(); }, 30s) && !finished();
  }
  ~ServerProcess() {
    if (result_.valid()) {
      process_->kill();
      result_.wait();
    }
  }
  bool ready() const { return ready_; }
  bool finished() { return result_.wait_for(0ms) == std::future_status::ready; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string data_dir() const { return dir_.path() + "/data"; }
  std::string tmp() const { return dir_.path() + "/tmp"; }
  std::string token() const {
    std::string t = read_file(data_dir() + "/admin-token");
    while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
    return t;
  }
  // SIGTERM, as a service manager stops it; the result once it exited.
  SubprocessResult terminate() {
    ::kill(process_->pid(), SIGTERM);
    return result_.get();
  }

  app::HttpResponse send(const std::string& method, const std::string& path, const std::string& body = "",
                         std::optional<std::string> token = std::nullopt) {
    app::HttpRequest r;
    r.method = method;
    r.url = url() + path;
    if (!body.empty()) {
      r.body = body;
      r.headers["Content-Type"] = "application/json";
    }
    std::string t = token ? *token : (std::filesystem::exists(data_dir() + "/admin-token") ? this->token() : "");
    if (!t.empty()) r.headers["Authorization"] = "Bearer " + t;
    try {
      return app::make_curl_client()->send(r);
    } catch (const std::exception&) {
      return {};  // not listening yet
    }
  }
  app::HttpResponse get(const std::string& path) { return send("GET", path, "", std::string()); }

 private:
  TempDir dir_;
  int port_;
  std::unique_ptr<Subprocess> process_;
  std::future<SubprocessResult> result_;
  bool ready_ = false;
};

nlohmann::json json_of(const app::HttpResponse& r) {
  return nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
}

std::string error_message(const app::HttpResponse& r) {
  nlohmann::json j = json_of(r);
  return j.is_object() && j.contains("error") ? j["error"].value("message", "") : "(not a JSON error: " + r.body + ")";
}

// `strata remote …` against the server, as a CI job would run it.
CliResult remote(const TestProject& where, const ServerProcess& server, std::vector<std::string> args) {
  args.insert(args.begin(), "remote");
  return where.run(args, {{"STRATA_SERVER", server.url()}, {"STRATA_TOKEN", server.token()},
                          {"HOME", where.path("home")}});
}

TEST(Server, AnswersBadRequestsWithClearErrorsAndStoresNothing) {
  GitProject project;
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}});
  ASSERT_TRUE(server.ready());

  // The admin token: written once, 0600, and never printed.
  struct stat st{};
  ASSERT_EQ(::stat((server.data_dir() + "/admin-token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(server.token().rfind("strata_", 0), 0u);

  // Only /healthz and /metrics answer without credentials.
  EXPECT_EQ(server.get("/healthz").status, 200);
  EXPECT_EQ(server.get("/metrics").status, 200);
  EXPECT_EQ(server.send("GET", "/api/v1/runs", "", std::string()).status, 401);
  EXPECT_EQ(server.send("GET", "/api/v1/runs", "", std::string("strata_wrong")).status, 401);
  EXPECT_EQ(server.send("GET", "/tfstate/a/b/c", "", std::string()).status, 401);

  auto bad = server.send("POST", "/api/v1/repositories", "{\"name\": ");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(error_message(bad).find("not JSON"), std::string::npos) << bad.body;
  bad = server.send("POST", "/api/v1/repositories", R"({"name":"r","url":"/x","branch":"main"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(error_message(bad).find("unknown field \"branch\""), std::string::npos) << bad.body;
  bad = server.send("POST", "/api/v1/repositories", R"({"name":"r","url":"/nowhere/at/all"})");
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(error_message(bad).find("cannot fetch /nowhere/at/all"), std::string::npos) << bad.body;
  bad = server.send("POST", "/api/v1/repositories", R"({"name":"../x","url":")" + project.root() + "\"}");
  EXPECT_EQ(bad.status, 422) << bad.body;
  bad = server.send("POST", "/api/v1/repositories", std::string(11 * 1024 * 1024, 'x'));
  EXPECT_EQ(bad.status, 413);
  EXPECT_EQ(json_of(server.send("GET", "/api/v1/repositories"))["repositories"].size(), 0u);

  auto added = server.send("POST", "/api/v1/repositories", R"({"name":"infra","url":")" + project.root() + "\"}");
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(json_of(added)["default_branch"], "main");
  EXPECT_EQ(server.send("POST", "/api/v1/repositories", R"({"name":"infra","url":")" + project.root() + "\"}").status, 409);

  bad = server.send("POST", "/api/v1/runs", R"({"repository":"nope","command":"plan","all":true})");
  EXPECT_EQ(bad.status, 404);
  bad = server.send("POST", "/api/v1/runs", R"({"repository":"infra","command":"plan","all":true,"commit":"0123456789abcdef"})");
  EXPECT_EQ(bad.status, 404);
  EXPECT_NE(error_message(bad).find("0123456789abcdef"), std::string::npos) << bad.body;
  bad = server.send("POST", "/api/v1/runs", R"({"repository":"infra","command":"deploy","all":true})");
  EXPECT_EQ(bad.status, 422);
  bad = server.send("POST", "/api/v1/runs", R"({"repository":"infra","command":"plan","stacks":["prod"]})");
  EXPECT_EQ(bad.status, 404) << bad.body;
  EXPECT_NE(error_message(bad).find("prod"), std::string::npos) << bad.body;
  EXPECT_EQ(json_of(server.send("GET", "/api/v1/runs"))["runs"].size(), 0u);
  EXPECT_EQ(server.send("GET", "/api/v1/runs/not-a-run").status, 404);
  EXPECT_EQ(server.send("DELETE", "/api/v1/runs").status, 405);

  // A project that does not load at the commit: the run fails with the loader's position.
  project.write("stacks/dev.js", "stack('dev');\ncomponent('network', 'modules/m', { inputs: { in: 'net' } );\n");
  project.commit("broken");
  auto broken = server.send("POST", "/api/v1/runs", R"({"repository":"infra","command":"plan","all":true})");
  ASSERT_EQ(broken.status, 201) << broken.body;
  EXPECT_EQ(json_of(broken)["status"], "failed");
  EXPECT_NE(json_of(broken).value("status_reason", "").find("stacks/dev.js:2:"), std::string::npos) << broken.body;
  EXPECT_EQ(json_of(broken).value("status_reason", "").find(server.tmp()), std::string::npos) << broken.body;

  SubprocessResult stopped = server.terminate();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.stderr_text;
  EXPECT_EQ(stopped.stderr_text.find(server.token()), std::string::npos) << "the token was printed";
  EXPECT_EQ(stopped.stdout_text.find(server.token()), std::string::npos) << "the token was printed";
}

// Plans with tofu-sim (a simulator): a run becomes one activity per component, in order, and
// its logs come back; `remote runs start --wait --detailed-exitcode` gives CI its exit codes.
TEST(Server, PlansThroughInProcessWorkersWithTheSimulator) {
  GitProject project;
  ServerProcess server({{"STRATA_ENGINE", tofu_sim_binary()}});
  ASSERT_TRUE(server.ready());
  CliResult added = remote(project, server, {"repos", "add", "infra", project.root()});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  CliResult plan = remote(project, server, {"runs", "start", "infra", "plan", "dev", "--wait", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("dev/network"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("succeeded"), std::string::npos) << plan.out;
  CliResult runs = remote(project, server, {"runs", "list", "--json"});
  ASSERT_EQ(runs.exit_code, 0) << runs.err;
  nlohmann::json list = nlohmann::json::parse(runs.out);
  ASSERT_EQ(list["runs"].size(), 1u);
  std::string id = list["runs"][0]["id"];
  nlohmann::json run = json_of(server.send("GET", "/api/v1/runs/" + id));
  ASSERT_EQ(run["activities"].size(), 2u) << run.dump(2);
  EXPECT_EQ(run["activities"][0]["component"], "network");
  EXPECT_EQ(run["activities"][1]["depends_on"][0], run["activities"][0]["id"]);
  CliResult logs = remote(project, server, {"runs", "logs", id});
  ASSERT_EQ(logs.exit_code, 0) << logs.err;
  size_t network = logs.out.find("== dev/network");
  size_t app = logs.out.find("== dev/app");
  EXPECT_NE(network, std::string::npos) << logs.out;
  EXPECT_LT(network, app) << logs.out;
  // Every activity's checkout was removed.
  EXPECT_TRUE(std::filesystem::is_empty(server.tmp())) << join([&] {
    std::vector<std::string> left;
    for (const auto& e : std::filesystem::directory_iterator(server.tmp())) left.push_back(e.path().string());
    return left;
  }());
  EXPECT_EQ(server.terminate().exit_code, 0);
}

#ifndef STRATA_SANITIZE_BUILD
// The real Terraform: the server's state keeps what each fresh checkout applied, so app reads
// network's real output and a second plan finds nothing to change.
TEST(Server, RealTerraformAppliesThroughTheServerAndKeepsItsState) {
  STRATA_REQUIRE_REAL_ENGINE(engine);
  GitProject project;
  ServerProcess server(engine_env(engine));
  ASSERT_TRUE(server.ready());
  ASSERT_EQ(remote(project, server, {"repos", "add", "infra", project.root()}).exit_code, 0);
  CliResult apply = remote(project, server, {"runs", "start", "infra", "apply", "dev", "--wait", "--json"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  nlohmann::json run = nlohmann::json::parse(apply.out);
  ASSERT_EQ(run["status"], "succeeded") << run.dump(2);
  EXPECT_EQ(run["activities"][1]["outputs"]["out"], "v-v-net-app") << run.dump(2);
  // The state is the server's: one version per apply, nothing in a workdir.
  auto state = server.send("GET", "/tfstate/infra/dev/app", "", std::string());
  EXPECT_EQ(state.status, 401);
  CliResult logs = remote(project, server, {"runs", "logs", run["id"]});
  EXPECT_NE(logs.out.find("Apply complete!"), std::string::npos) << logs.out;
  EXPECT_EQ(logs.out.find(server.token()), std::string::npos);

  CliResult again = remote(project, server, {"runs", "start", "infra", "plan", "dev", "--wait", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_TRUE(std::filesystem::is_empty(server.tmp()));
  EXPECT_EQ(server.terminate().exit_code, 0);
}
#endif

}  // namespace
}  // namespace strata::testing

// What the server's integration tests share (server_test.cc, state_backend_test.cc): a git
// repository holding a JS project, `strata server` and `strata worker` processes on loopback
// with their own folders, and the calls a client makes to them.
#pragma once

#include <sys/stat.h>

#include <fstream>
#include <future>
#include <iterator>

#include "app/http_client.h"
#include "base/atomic_file.h"
#include "base/subprocess.h"
#include "base/temp_dir.h"
#include "secrets/crypto.h"
#include "store/store.h"
#include "tests/integration/e2e_support.h"
#include "tests/support/free_port.h"

namespace strata::testing {

using namespace std::chrono_literals;

inline constexpr const char* kModule = R"tf(
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

// A strata process in the background (server or worker) with its own folder, temporary folder
// (where activities' checkouts go) and cache; killed when the test ends. Started through
// util-linux's setpriv --pdeathsig TERM, so it also stops when the test process dies before its
// destructor runs (an ASan report or a crash aborts the test: the server was left running).
class StrataProcess {
 public:
  explicit StrataProcess(const char* prefix) : dir_(prefix) { std::filesystem::create_directories(tmp()); }
  ~StrataProcess() {
    if (result_.valid()) {
      process_->kill();
      result_.wait();
    }
  }
  std::string tmp() const { return dir_.path() + "/tmp"; }
  // Its own folder: its working directory, holding tmp/ and the cache (a worker's checkouts).
  const std::string& dir() const { return dir_.path(); }
  bool finished() { return result_.wait_for(0ms) == std::future_status::ready; }
  // SIGTERM, as a service manager stops it; the result once it exited.
  SubprocessResult terminate() {
    ::kill(process_->pid(), SIGTERM);
    return result_.get();
  }
  SubprocessResult sigkill() {
    ::kill(process_->pid(), SIGKILL);
    return result_.get();
  }
  SubprocessResult wait() { return result_.get(); }

 protected:
  void start(std::vector<std::string> argv, std::map<std::string, std::string> env) {
    argv_ = argv;
    env_ = env;
    SubprocessOptions o;
    o.argv = {"/usr/bin/setpriv", "--pdeathsig", "TERM", "--"};
    o.argv.insert(o.argv.end(), argv.begin(), argv.end());
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
  }
  TempDir dir_;
  std::vector<std::string> argv_;
  std::map<std::string, std::string> env_;

 private:
  std::unique_ptr<Subprocess> process_;
  std::future<SubprocessResult> result_;
};

// A `strata server` on a free loopback port, with its own data dir and temporary folder.
class ServerProcess : public StrataProcess {
 public:
  ServerProcess(std::map<std::string, std::string> env, std::vector<std::string> extra = {})
      : StrataProcess("strata-server-test"), port_(free_port()) {
    // With --tls-cert the server speaks HTTPS, and its (self-signed) certificate is what the
    // test's client trusts.
    for (size_t n = 0; n + 1 < extra.size(); ++n)
      if (extra[n] == "--tls-cert") ca_file_ = extra[n + 1];
    std::vector<std::string> argv = {strata_binary(), "server", "--listen", "127.0.0.1:" + std::to_string(port_),
                                     "--data-dir", data_dir()};
    if (std::find(extra.begin(), extra.end(), "--workers") == extra.end()) extra.insert(extra.end(), {"--workers", "2"});
    argv.insert(argv.end(), extra.begin(), extra.end());
    start(std::move(argv), std::move(env));
    ready_ = eventually([&] { return get("/healthz").status == 200 || finished(); }, 30s) && !finished();
  }
  // Starts the server again, as it was started, on the same port and data dir (after it was
  // killed). True once it answers.
  bool restart() {
    start(argv_, env_);
    ready_ = eventually([&] { return get("/healthz").status == 200 || finished(); }, 30s) && !finished();
    return ready_;
  }
  bool ready() const { return ready_; }
  std::string url() const {
    return (ca_file_.empty() ? "http://127.0.0.1:" : "https://127.0.0.1:") + std::to_string(port_);
  }
  const std::string& ca_file() const { return ca_file_; }
  std::string data_dir() const { return dir_.path() + "/data"; }
  std::string token() const {
    // Replicas of one database share the token given them; only the first writes the file.
    if (auto it = env_.find("STRATA_SERVER_ADMIN_TOKEN"); it != env_.end()) return it->second;
    std::string t = read_file(data_dir() + "/admin-token");
    while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
    return t;
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
    bool known = env_.count("STRATA_SERVER_ADMIN_TOKEN") || std::filesystem::exists(data_dir() + "/admin-token");
    std::string t = token ? *token : (known ? this->token() : "");
    if (!t.empty()) r.headers["Authorization"] = "Bearer " + t;
    try {
      return app::make_curl_client({ca_file_})->send(r);
    } catch (const std::exception&) {
      return {};  // not listening yet
    }
  }
  app::HttpResponse get(const std::string& path) { return send("GET", path, "", std::string()); }

 private:
  int port_;
  std::string ca_file_;
  bool ready_ = false;
};

inline nlohmann::json json_of(const app::HttpResponse& r) {
  return nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
}

inline std::string error_message(const app::HttpResponse& r) {
  nlohmann::json j = json_of(r);
  return j.is_object() && j.contains("error") ? j["error"].value("message", "") : "(not a JSON error: " + r.body + ")";
}

// `strata remote …` against the server, as a CI job would run it.
inline CliResult remote(const TestProject& where, const ServerProcess& server, std::vector<std::string> args) {
  args.insert(args.begin(), "remote");
  return where.run(args, {{"STRATA_SERVER", server.url()}, {"STRATA_TOKEN", server.token()},
                          {"HOME", where.path("home")}, {"STRATA_CA_CERT", server.ca_file()}});
}

// A `strata worker` for a server.
class WorkerProcess : public StrataProcess {
 public:
  WorkerProcess(const ServerProcess& server, const std::string& name, std::map<std::string, std::string> env,
                std::vector<std::string> extra = {})
      : StrataProcess("strata-worker-test") {
    std::vector<std::string> argv = {strata_binary(), "worker", "--server", server.url(), "--name", name, "--poll", "2"};
    if (!server.ca_file().empty()) argv.insert(argv.end(), {"--ca-cert", server.ca_file()});
    argv.insert(argv.end(), extra.begin(), extra.end());
    env.emplace("STRATA_WORKER_TOKEN", server.token());
    start(std::move(argv), std::move(env));
  }
};

inline bool registered(ServerProcess& server, size_t count) {
  return eventually([&] { return json_of(server.send("GET", "/api/v1/workers"))["workers"].size() >= count; }, 30s);
}

// Starts a plan of stack dev through `via` and waits until `observer` says its first activity is
// running; the run's id, or "" (with the failure reported) when either does not happen.
inline std::string start_plan_until_running(const TestProject& project, ServerProcess& via, ServerProcess& observer) {
  CliResult started = remote(project, via, {"runs", "start", "infra", "plan", "dev", "--json"});
  EXPECT_EQ(started.exit_code, 0) << started.err;
  if (started.exit_code != 0) return "";
  std::string run_id = nlohmann::json::parse(started.out)["id"];
  bool running = eventually([&] {
    return json_of(observer.send("GET", "/api/v1/runs/" + run_id))["activities"][0]["status"] == "running";
  }, 30s);
  EXPECT_TRUE(running) << "the first activity of run " << run_id << " never ran";
  return running ? run_id : "";
}

// The run as `observer` answers it once it ended (succeeded or failed), waiting up to a minute;
// its last state (with the failure reported) when it did not end.
inline nlohmann::json run_when_ended(ServerProcess& observer, const std::string& run_id) {
  nlohmann::json run;
  bool ended = eventually([&] {
    run = json_of(observer.send("GET", "/api/v1/runs/" + run_id));
    return run["status"] == "succeeded" || run["status"] == "failed";
  }, 60s);
  EXPECT_TRUE(ended) << run.dump(2);
  return run;
}

inline std::vector<std::string> left_in(const std::string& dir) {
  std::vector<std::string> left;
  for (const auto& e : std::filesystem::directory_iterator(dir)) left.push_back(e.path().string());
  return left;
}

// Terraform's http backend as Terraform calls it: basic auth (any user, an API token as the
// password), POST /tfstate/KEY with the state.
inline app::HttpResponse post_state(ServerProcess& server, const std::string& key, const std::string& state,
                             const std::string& query = "") {
  app::HttpRequest r;
  r.method = "POST";
  r.url = server.url() + "/tfstate/" + key + query;
  r.body = state;
  r.headers["Content-Type"] = "application/json";
  r.headers["Authorization"] = "Basic " + secrets::base64_encode("terraform:" + server.token());
  return app::make_curl_client({server.ca_file()})->send(r);
}

inline std::string state_json(int serial, const std::string& lineage, const std::string& marker) {
  return R"({"version":4,"terraform_version":"1.11.4","serial":)" + std::to_string(serial) + R"(,"lineage":")" +
         lineage + R"(","outputs":{"m":{"value":")" + marker + R"(","type":"string"}},"resources":[]})";
}

// A token that is not an admin's, written into the server's store as the identity work's token
// commands will (there is no API for it yet).
inline std::string add_plain_token(ServerProcess& server) {
  std::string token = "strata_plain_" + secrets::hex_encode(secrets::random_bytes(16));
  std::unique_ptr<store::Store> store = store::open_store(server.data_dir() + "/strata.db");
  store::ApiToken record;
  record.id = store::new_uuid();
  record.name = "ci";
  record.hash = secrets::hex_encode(secrets::sha256(token));
  record.admin = false;
  record.created_at = store::now_millis();
  store->add_token(record);
  return token;
}

// The bytes of a stopped server's SQLite files (the database and its write-ahead log): what a
// copy of its data dir without the key ring would give away.
inline std::string database_bytes(const ServerProcess& server) {
  std::string bytes;
  for (const char* f : {"/strata.db", "/strata.db-wal"}) {
    std::ifstream in(server.data_dir() + f, std::ios::binary);
    bytes += std::string(std::istreambuf_iterator<char>(in), {});
  }
  return bytes;
}

inline nlohmann::json audit(ServerProcess& server) {
  return json_of(server.send("GET", "/api/v1/audit"))["entries"];
}

}  // namespace strata::testing

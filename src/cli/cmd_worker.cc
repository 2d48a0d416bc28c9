// `strata worker`: runs a strata server's activities on this machine (DESIGN §11.3) — flags,
// then worker/worker.h over worker/http_connection.h, one lease loop per --concurrency.
// SIGTERM or Ctrl-C: no new leases; a running activity's engine stops at a safe point (its
// state written) and the activity is handed back to the server for another worker; exit 0.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include "base/atomic_file.h"
#include "base/supervisor.h"
#include "cli/commands.h"
#include "cli/interrupts.h"
#include "cli/open_workspace.h"
#include "model/error.h"
#include "worker/http_connection.h"
#include "worker/worker.h"

namespace strata::cli {

namespace {

struct WorkerFlags {
  std::string server;
  std::string token;
  std::string ca_cert;
  std::string name;
  std::vector<std::string> features = {"terraform"};
  std::vector<std::string> labels;
  int concurrency = 1;
  int poll_seconds = 30;
  std::string work_dir;
};

// ~/.cache/strata/worker (XDG_CACHE_HOME when set).
std::string default_work_dir(const workspace::Environment& env) {
  auto it = env.find("XDG_CACHE_HOME");
  if (it != env.end() && !it->second.empty()) return it->second + "/strata/worker";
  it = env.find("HOME");
  return (it != env.end() && !it->second.empty() ? it->second : std::string("/tmp")) + "/.cache/strata/worker";
}

// Takes <dir>/.lock for as long as the worker runs: two workers of one name on one machine
// would share the folder.
int lock_work_dir(const std::string& dir) {
  std::filesystem::create_directories(dir);
  ::chmod(dir.c_str(), 0700);
  int fd = ::open((dir + "/.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || ::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (fd >= 0) ::close(fd);
    throw Error(ErrorKind::kConflict, "another worker is using " + dir, {},
                "give each worker on this machine its own --name (or --work-dir)");
  }
  return fd;
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || !*name) return "worker";
  return name;
}

int run_worker(WorkerFlags& f, const Globals& globals) {
  workspace::Environment env = process_environment();
  auto take = [&env](const char* name) {
    std::string value;
    if (auto it = env.find(name); it != env.end()) {
      value = it->second;
      env.erase(it);  // engines and stack files never see it
    }
    return value;
  };
  std::string env_token = take("STRATA_WORKER_TOKEN");
  std::string env_server = take("STRATA_SERVER");
  take("STRATA_TOKEN");
  if (f.token.empty()) f.token = env_token;
  if (f.server.empty()) f.server = env_server;
  if (f.server.empty())
    throw Error("strata worker needs the server's URL", {}, "pass --server URL (or set STRATA_SERVER)");
  if (f.server.rfind("http://", 0) != 0 && f.server.rfind("https://", 0) != 0)
    throw Error("--server must be an http:// or https:// URL, not \"" + f.server + "\"", {},
                "for example --server http://127.0.0.1:8470");
  if (f.token.empty())
    throw Error("strata worker needs a join token", {},
                "pass --join-token TOKEN or set STRATA_WORKER_TOKEN (an admin API token of the server, in this version)");
  if (f.concurrency < 1 || f.concurrency > 64) throw Error("--concurrency must be from 1 to 64", {});
  if (f.poll_seconds < 1 || f.poll_seconds > 60) throw Error("--poll must be from 1 to 60 seconds", {});
  std::vector<std::string> capabilities;
  for (const std::string& feature : f.features) {
    if (feature.empty() || feature.find('=') != std::string::npos)
      throw Error("--features takes names (terraform, ansible, …), not \"" + feature + "\"", {},
                  "labels go in --label KEY=VALUE");
    capabilities.push_back(feature);
  }
  for (const std::string& label : f.labels) {
    size_t eq = label.find('=');
    if (eq == std::string::npos || eq == 0)
      throw Error("--label must be KEY=VALUE, not \"" + label + "\"", {}, "for example --label region=eu");
    capabilities.push_back(label);
  }
  if (f.name.empty()) f.name = host_name();
  // Engines reaching the server's state over HTTPS trust what the worker trusts.
  if (!f.ca_cert.empty()) {
    std::string pem = read_file(f.ca_cert);
    env["TF_HTTP_CLIENT_CA_CERTIFICATE_PEM"] = pem;
  }

  if (f.work_dir.empty()) f.work_dir = default_work_dir(env);
  std::vector<int> locks;
  struct Unlock {
    std::vector<int>& fds;
    ~Unlock() {
      for (int fd : fds) ::close(fd);
    }
  } unlock{locks};

  std::atomic<bool> stop{false};
  InterruptScope scope(globals.interrupts, [&](int) { stop = true; });
  std::vector<std::unique_ptr<worker::HttpConnection>> connections;
  std::vector<std::unique_ptr<worker::Worker>> workers;
  for (int n = 0; n < f.concurrency; ++n) {
    connections.push_back(std::make_unique<worker::HttpConnection>(worker::HttpConnectionOptions{f.server, f.token, f.ca_cert}));
    worker::WorkerOptions wo;
    wo.name = f.concurrency == 1 ? f.name : f.name + "-" + std::to_string(n + 1);
    wo.capabilities = capabilities;
    wo.env = env;
    wo.engine = globals.engine;
    wo.engine_supervisor = supervisor_executable();
    wo.poll = std::chrono::seconds(f.poll_seconds);
    wo.scratch_dir = f.work_dir + "/" + wo.name;
    locks.push_back(lock_work_dir(wo.scratch_dir));
    workers.push_back(std::make_unique<worker::Worker>(*connections.back(), wo));
  }
  if (!globals.quiet)
    std::cerr << "strata worker: " << f.name << " working for " << f.server << " (" << f.concurrency
              << " at a time; offers " << CLI::detail::join(capabilities, ", ") << ")\n";
  std::mutex mutex;
  std::string fatal;
  std::vector<std::thread> threads;
  for (auto& w : workers) {
    threads.emplace_back([&, w = w.get()] {
      try {
        w->run(stop);
      } catch (const Error& e) {
        std::lock_guard lock(mutex);
        if (fatal.empty()) fatal = e.render();
        stop = true;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  if (!fatal.empty()) {
    std::cerr << fatal << (fatal.back() == '\n' ? "" : "\n");
    return 1;
  }
  if (!globals.quiet) std::cerr << "strata worker: stopped\n";
  return 0;
}

}  // namespace

void add_worker_command(CLI::App& app, Globals& globals, Action& action) {
  auto f = std::make_shared<WorkerFlags>();
  auto* cmd = app.add_subcommand("worker", "Run a strata server's plans and applies on this machine");
  cmd->footer(
      "The worker asks the server for activities whose capabilities it offers, fetches the run's code\n"
      "from the server, runs each component exactly as `strata plan|apply|destroy` would (in a fresh\n"
      "folder removed afterwards; Terraform's state stays in the server), and sends the log and result\n"
      "back. SIGTERM or Ctrl-C hands a running activity back to the server and exits 0.\n"
      "  strata worker --server http://HOST:8470 --join-token \"$(cat .strata-server/admin-token)\"");
  cmd->add_option("--server", f->server, "The server's URL (or STRATA_SERVER)");
  cmd->add_option("--join-token", f->token, "A token the server accepts for workers (or STRATA_WORKER_TOKEN)");
  cmd->add_option("--ca-cert", f->ca_cert, "PEM bundle to trust for the server's HTTPS instead of the system's")
      ->check(CLI::ExistingFile);
  cmd->add_option("--name", f->name, "How the server lists this worker (default: the host name)");
  cmd->add_option("--features", f->features, "What this worker can run, comma-separated")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--label", f->labels, "KEY=VALUE an activity may require (repeat for more)");
  cmd->add_option("--concurrency", f->concurrency, "Activities run at the same time")->capture_default_str();
  cmd->add_option("--work-dir", f->work_dir,
                  "Where activities' checkouts (fresh each time, removed after) and the stack-file cache go "
                  "(default ~/.cache/strata/worker; one folder per --name)");
  cmd->add_option("--poll", f->poll_seconds, "Seconds one lease request waits for work before asking again")
      ->capture_default_str();
  cmd->callback([&globals, &action, f] { action = [&globals, f] { return run_worker(*f, globals); }; });
}

}  // namespace strata::cli

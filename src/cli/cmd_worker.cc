// `strata worker`: runs a strata server's activities on this machine (DESIGN §11.3) — flags,
// then worker/worker.h over worker/http_connection.h, one lease loop per --concurrency.
// SIGTERM or Ctrl-C: no new leases; a running activity's engine stops at a safe point (its
// state written) and the activity is handed back to the server for another worker; exit 0.
#include <iostream>

#include "base/atomic_file.h"
#include "base/supervisor.h"
#include "cli/commands.h"
#include "cli/interrupts.h"
#include "cli/open_workspace.h"
#include "model/error.h"
#include "worker/http_connection.h"
#include "worker/worker_pool.h"

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

int run_worker(WorkerFlags& f, const Globals& globals) {
  workspace::Environment env = process_environment();
  worker::WorkerCredentials given = worker::take_worker_credentials(env);
  if (f.token.empty()) f.token = given.token;
  if (f.server.empty()) f.server = given.server;
  if (f.concurrency < 1 || f.concurrency > 64) throw Error("--concurrency must be from 1 to 64", {});
  if (f.poll_seconds < 1 || f.poll_seconds > 60) throw Error("--poll must be from 1 to 60 seconds", {});
  worker::HttpConnectionOptions connection{f.server, f.token, f.ca_cert};
  connection.check();

  worker::WorkerPoolOptions wo;
  wo.name = f.name.empty() ? worker::default_worker_name() : f.name;
  wo.count = f.concurrency;
  wo.capabilities = worker::worker_capabilities(f.features, f.labels);
  if (!f.ca_cert.empty()) wo.ca_pem = read_file(f.ca_cert);
  wo.work_dir = f.work_dir.empty() ? worker::default_worker_dir(env) : f.work_dir;
  wo.env = std::move(env);
  wo.engine = globals.engine;
  wo.engine_supervisor = supervisor_executable();
  wo.poll = std::chrono::seconds(f.poll_seconds);
  worker::WorkerPool pool(wo, [&](int) { return std::make_unique<worker::HttpConnection>(connection); });

  InterruptScope scope(globals.interrupts, [&](int) { pool.stop(); });
  if (!globals.quiet)
    std::cerr << "strata worker: " << wo.name << " working for " << f.server << " (" << f.concurrency
              << " at a time; offers " << CLI::detail::join(wo.capabilities, ", ") << ")\n";
  pool.start();
  std::string fatal = pool.join();
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
      "It registers with a join token (an admin makes one: `strata remote workers join-token`) and\n"
      "then works with the credential the server hands it, kept in memory only.\n"
      "  STRATA_WORKER_TOKEN=strata_… strata worker --server https://HOST:8470");
  cmd->add_option("--server", f->server, "The server's URL (or STRATA_SERVER)");
  cmd->add_option("--join-token", f->token, "A join token from `strata remote workers join-token` (or STRATA_WORKER_TOKEN)");
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

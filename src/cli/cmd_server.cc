// `strata server`: the control plane on this machine (DESIGN §11) — flags, then server/server.h.
// SIGTERM or Ctrl-C drains: no new connections, requests in flight finish, running activities
// stop at a safe point and are handed back, then the process exits 0.
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <set>

#include "base/supervisor.h"
#include "cli/commands.h"
#include "cli/interrupts.h"
#include "cli/open_workspace.h"
#include "model/error.h"
#include "server/server.h"
#include "server/server_config.h"

namespace strata::cli {

namespace {

struct ServerFlags {
  server::ServerOptions options;
  int lease_seconds = 60;
  bool no_metrics = false;
  std::string config;
  std::set<std::string> given;  // the flags on the command line: they win over --config
  std::vector<std::string> rate_limits;  // --rate-limit CLASS=LIMIT, over the file's
};

int run_server(ServerFlags& flags, const Globals& globals) {
  flags.options.lease = std::chrono::seconds(flags.lease_seconds);
  flags.options.metrics = !flags.no_metrics;
  server::ServerOptions options =
      server::merged_server_options(flags.config, flags.options, flags.given, flags.rate_limits);
  options.env = process_environment();
  options.admin_token = server::take_admin_token(options.env);
  options.keyring_text = server::take_keyring_text(options.env);
  server::take_oauth_secret(options.env, options);
  server::take_github_token(options.env, options);
  options.engine = globals.engine;
  options.engine_supervisor = supervisor_executable();

  server::Server server(options);
  server.start();
  std::cerr << "strata server: listening on " << server.url() << " (data in " << options.data_dir << ", "
            << options.workers << " in-process worker" << (options.workers == 1 ? "" : "s") << ")\n";
  std::mutex mutex;
  std::condition_variable stopped;
  bool stop = false;
  InterruptScope scope(globals.interrupts, [&](int) {
    std::lock_guard lock(mutex);
    stop = true;
    stopped.notify_all();
  });
  {
    std::unique_lock lock(mutex);
    stopped.wait(lock, [&] { return stop; });
  }
  std::cerr << "strata server: stopping (requests in flight finish, running activities are handed back)\n";
  server.stop();
  std::cerr << "strata server: stopped\n";
  return 0;
}

}  // namespace

void add_server_command(CLI::App& app, Globals& globals, Action& action) {
  auto flags = std::make_shared<ServerFlags>();
  auto* cmd = app.add_subcommand("server", "Run the control plane: API, runs on workers, Terraform state");
  cmd->footer(
      "Data (the SQLite store, the git cache, the admin token) lives in --data-dir. On the first start\n"
      "the server writes an admin API token to <data-dir>/admin-token (mode 0600), or takes\n"
      "STRATA_SERVER_ADMIN_TOKEN. Then, from any machine:\n"
      "  strata remote login http://HOST:8470 --token \"$(cat .strata-server/admin-token)\"\n"
      "  strata remote repos add infra /path/to/repo\n"
      "  strata remote runs start infra plan --all --wait\n"
      "Components without a remote backend of their own keep their state in the server\n"
      "(Terraform's http backend at /tfstate/...). SIGTERM drains and exits 0.");
  cmd->add_option("--listen", flags->options.listen, "ADDRESS:PORT to serve on (port 0: any free one)")
      ->capture_default_str();
  cmd->add_option("--data-dir", flags->options.data_dir, "Where the server keeps its data")->capture_default_str();
  cmd->add_option("--database", flags->options.database,
                  "The store: a SQLite file (default <data-dir>/strata.db) or postgres://USER:PASSWORD@HOST:PORT/DB");
  cmd->add_option("--workers", flags->options.workers, "In-process workers running activities")->capture_default_str();
  cmd->add_option("--lease", flags->lease_seconds, "Seconds an activity's lease lasts without a heartbeat")
      ->capture_default_str();
  cmd->add_option("--tls-cert", flags->options.tls_cert,
                  "PEM certificate chain: serve HTTPS (with --tls-key); in-process workers' engines trust it for /tfstate")
      ->check(CLI::ExistingFile);
  cmd->add_option("--tls-key", flags->options.tls_key, "PEM private key of --tls-cert")->check(CLI::ExistingFile);
  cmd->add_flag("--no-metrics", flags->no_metrics, "Do not serve /metrics");
  cmd->add_option("--keyring", flags->options.keyring,
                  "Key ring file sealing states, logs and outputs at rest (default <data-dir>/keyring, made on the "
                  "first start; or its text in STRATA_SERVER_KEYRING)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--keep-state-versions", flags->options.keep_state_versions,
                  "Keep each Terraform state's newest N versions (the latest always stays; 0: every version)")
      ->capture_default_str();
  cmd->add_option("--keep-logs-days", flags->options.keep_logs_days,
                  "Remove the logs and saved plans of activities that ended more than N days ago (0: keep them)")
      ->capture_default_str();
  cmd->add_option("--rate-limit", flags->rate_limits,
                  "CLASS=LIMIT, repeatable: requests per token (api, worker, state), per account (account: all its "
                  "tokens together; an account may have its own) or refused credentials per client address "
                  "(auth_failures), as 20/s, 600/m or 20/s:100 (a burst of 100), or off. Defaults: api=50/s:200 "
                  "worker=200/s:1000 state=50/s:200 account=100/s:400 webhook=100/s:2000 auth_failures=5/s:30; each replica counts its "
                  "own")
      ->type_name("CLASS=LIMIT");
  cmd->add_option("--config", flags->config,
                  "HCL file with these settings (listen, data_dir, database, workers, lease, tls_cert, tls_key, "
                  "metrics, keyring, keep_state_versions, keep_logs_days, rate_limits); flags given here win over it")
      ->check(CLI::ExistingFile);
  auto* keyring = cmd->add_subcommand("keyring", "The key ring sealing what the server keeps at rest");
  keyring->require_subcommand(1);
  auto* rotate = keyring->add_subcommand(
      "rotate", "Add a new key version to the key ring file (new records use it after a restart; old ones still open)");
  rotate->add_option("--keyring", flags->options.keyring, "The key ring file (default <data-dir>/keyring)");
  rotate->add_option("--data-dir", flags->options.data_dir, "The server's data dir")->capture_default_str();
  rotate->callback([&action, flags] {
    action = [flags] {
      auto [path, version] = server::rotate_keyring(flags->options);
      std::cout << "key ring " << path << ": version " << version << " added. Restart the server: new records are "
                << "sealed with version " << version << ", those sealed before still open with theirs.\n";
      return 0;
    };
  });
  cmd->callback([&globals, &action, flags, cmd, keyring] {
    if (keyring->parsed()) return;  // `strata server keyring …`: its own action
    // Every flag given wins over --config (a list written out here once left two out).
    for (const CLI::Option* option : cmd->get_options())
      if (option->count() > 0)
        for (const std::string& name : option->get_lnames()) flags->given.insert("--" + name);
    action = [&globals, flags] { return run_server(*flags, globals); };
  });
}

}  // namespace strata::cli

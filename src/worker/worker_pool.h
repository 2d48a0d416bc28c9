// WorkerPool: the workers of one process, each with its own folder and lease loop on a thread
// of its own (DESIGN §11.3). `strata worker --concurrency N` and the server's in-process workers
// both run one, so the two set workers up the same way: names, folders, capabilities, the
// engines' environment.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "worker/worker.h"

namespace strata::worker {

struct WorkerPoolOptions {
  std::string name;  // one worker: this name; several: NAME-1, NAME-2, …
  bool number_always = false;  // NAME-1 even for one worker
  int count = 1;
  std::vector<std::string> capabilities = {"terraform"};
  workspace::Environment env;  // what projects load with and engines see
  std::string engine;          // --engine for every activity; "" = the project's
  std::string engine_supervisor;
  // The server's certificate chain (PEM) when it is self-signed: engines reaching its state over
  // HTTPS trust it (TF_HTTP_CLIENT_CA_CERTIFICATE_PEM). "" = the system's trust store.
  std::string ca_pem;
  std::chrono::milliseconds poll{1000};
  // Worker NAME works in <work_dir>/NAME (WorkerOptions::scratch_dir).
  std::string work_dir;
  // Take <work_dir>/NAME/.lock while the pool runs: two processes running a worker of the same
  // name on one machine would share the folder (a kConflict Error says so).
  bool lock_folders = true;
  // A worker that stops on an error (its server refuses its version, …): without this, the error
  // stops the whole pool and join() returns it; with it, it is reported here and the other
  // workers go on.
  std::function<void(const std::string& worker, const std::string& error)> on_error;
};

// Capabilities from --features (names) and --label (KEY=VALUE); an Error names a bad one.
std::vector<std::string> worker_capabilities(const std::vector<std::string>& features,
                                             const std::vector<std::string>& labels);

// ~/.cache/strata/worker ($XDG_CACHE_HOME/strata/worker when set) in `env`.
std::string default_worker_dir(const workspace::Environment& env);

// This machine's host name ("worker" when it has none).
std::string default_worker_name();

// What a `strata worker` process was given in its environment to reach the server; taken out of
// the environment, so engines and stack files never see it.
struct WorkerCredentials {
  std::string server;  // STRATA_SERVER
  std::string token;   // STRATA_WORKER_TOKEN
};
WorkerCredentials take_worker_credentials(workspace::Environment& env);

class WorkerPool {
 public:
  // Worker n (0-based) talks to the control plane through make_connection(n).
  using ConnectionFactory = std::function<std::unique_ptr<WorkerConnection>(int n)>;
  // Makes and locks the folders; throws an Error (kConflict when another process holds one).
  WorkerPool(WorkerPoolOptions options, const ConnectionFactory& make_connection);
  ~WorkerPool();  // stop() and join()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Starts every worker's lease loop.
  void start();
  // No new leases; a running activity's engine stops at a safe point and the activity goes back
  // to the control plane. Safe from any thread.
  void stop() { stopping_ = true; }
  // Waits for every worker to end. Returns the first error that stopped one (which stopped the
  // others too), rendered; "" when they stopped because they were asked to.
  std::string join();

  const std::vector<std::string>& names() const { return names_; }

 private:
  WorkerPoolOptions options_;
  std::vector<std::string> names_;
  std::vector<int> locks_;
  std::vector<std::unique_ptr<WorkerConnection>> connections_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::string error_;
};

}  // namespace strata::worker

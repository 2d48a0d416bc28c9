// Server: `strata server` put together (DESIGN §11.1) — the store (migrated at start), the
// control plane, the HTTP API and Terraform state backend, the in-process workers and the
// ticker that returns expired leases. No Beast in this header: the CLI includes it.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "control/pull_requests.h"
#include "control/rate_limiter.h"
#include "control/sessions.h"
#include "store/keyring.h"
#include "workspace/workspace.h"

namespace strata::server {

struct ServerOptions {
  std::string listen = "127.0.0.1:8470";  // ADDRESS:PORT; port 0 picks a free one
  std::string data_dir = ".strata-server";
  std::string database;                   // "" = SQLite at <data-dir>/strata.db
  int workers = 1;                        // in-process workers
  std::chrono::milliseconds lease{60000};
  std::string tls_cert, tls_key;
  bool metrics = true;                    // serve /metrics (to everyone)
  // Retention (0 = keep everything): each state's newest N versions; the logs of activities
  // that ended more than N days ago.
  int keep_state_versions = 0;
  int keep_logs_days = 0;
  control::RateLimits rate_limits;        // per replica (control/rate_limiter.h)
  control::OAuthSettings oauth;           // sign-in (control/sessions.h); off without a client id
  control::GitHubOptions github;          // pull requests (control/pull_requests.h); off without a token
  std::string admin_token;                // STRATA_SERVER_ADMIN_TOKEN, for the first start
  // The key ring sealing states, logs and outputs at rest (store/keyring.h): a file, or its text
  // (STRATA_SERVER_KEYRING); neither = <data-dir>/keyring, made on the first start.
  std::string keyring;
  std::string keyring_text;
  workspace::Environment env;             // what projects load with and engines see
  std::string engine;                     // --engine for every run; "" = the project's
  std::string engine_supervisor;
};

// The key ring `options` name: the text, else the file, else <data-dir>/keyring — made (0600)
// when it does not exist yet, and then `*generated` is set. Throws an Error saying what to fix.
store::Keyring server_keyring(const ServerOptions& options, const std::string& data_dir, bool* generated);

// `strata server keyring rotate`: a new key version in the key ring file `options` name
// (--keyring, else <data-dir>/keyring), written atomically (0600). The file's path and the
// version added; an Error saying what to pass when there is no such file.
std::pair<std::string, int> rotate_keyring(const ServerOptions& options);

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Opens and migrates the store, creates the admin token on first start, starts listening,
  // the workers and the ticker. Throws an Error saying what to fix (a port in use, a data dir
  // it cannot write).
  void start();
  // "http://127.0.0.1:8470" (the port chosen, when 0 was asked).
  std::string url() const;
  // SIGTERM: stop accepting, let requests in flight finish (up to `grace`), stop the workers
  // (an activity running is interrupted, its engine stops at a safe point and the activity is
  // handed back), stop.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(30));

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace strata::server

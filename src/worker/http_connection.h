// HttpConnection: the WorkerConnection of `strata worker` — the worker protocol over HTTP(S)
// (src/server/api/worker_api.h; the JSON in src/control/worker_protocol.h). One connection per
// lease loop: its calls are made one at a time, on kept-alive connections.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>

#include "worker/worker.h"

namespace strata::app {
class HttpClient;
struct HttpRequest;
struct HttpResponse;
}

namespace strata::worker {

struct HttpConnectionOptions {
  std::string server;   // "https://strata.example.com:8470"
  std::string token;    // a join token (or an admin's API token)
  std::string ca_file;  // PEM bundle trusted for the server's HTTPS instead of the system's
  // An Error saying what is missing or wrong (no server, not an http(s) URL, no token).
  void check() const;
};

class HttpConnection : public WorkerConnection {
 public:
  explicit HttpConnection(HttpConnectionOptions options);
  ~HttpConnection() override;

  // Throws an Error: kConflict when the server refuses this worker's version (both named),
  // kUserInput when it refuses the token — neither goes away by asking again — and
  // kEnvironment when the server cannot be reached.
  void register_worker(const store::WorkerRecord& worker) override;
  std::optional<Lease> lease(const std::string& worker_id, const std::vector<std::string>& capabilities,
                             std::chrono::milliseconds wait) override;
  std::optional<std::string> state_outputs(const store::Activity& activity, const std::string& stack,
                                           const std::string& component) override;
  void fetch_code(const Lease& lease, const std::string& dest) override;
  store::LeaseCheck start(const store::Activity& activity) override;
  store::LeaseCheck heartbeat(const store::Activity& activity, bool* cancel) override;
  store::LeaseCheck append_log(const store::Activity& activity, int64_t seq, const std::string& data) override;
  store::LeaseCheck finish(const store::Activity& activity, const store::Finish& result) override;
  store::LeaseCheck save_plan(const store::Activity& activity, const std::string& plan_file,
                              const std::string& stamp) override;
  std::optional<std::string> lock_holder(const store::Activity& activity, const std::string& stack,
                                         const std::string& component) override;
  store::LeaseCheck release(const store::Activity& activity) override;
  std::string server_url() override { return options_.server; }
  std::chrono::milliseconds lease_duration() override { return lease_duration_; }

 private:
  struct Answer;
  app::HttpResponse send(const app::HttpRequest& request);
  Answer post(const std::string& path, const std::string& body, const std::string& content_type);
  store::LeaseCheck activity_call(const store::Activity& activity, const std::string& what, nlohmann::json body,
                                  nlohmann::json* answer = nullptr);

  // The credential registering gave, else the token the worker was started with.
  const std::string& bearer() const { return credential_.empty() ? options_.token : credential_; }

  HttpConnectionOptions options_;
  std::string credential_;
  std::unique_ptr<app::HttpClient> client_;
  std::chrono::milliseconds lease_duration_{60000};
};

}  // namespace strata::worker

#include "server/server.h"

#include <cstring>

#include <sys/stat.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "base/atomic_file.h"
#include "control/control_plane.h"
#include "model/error.h"
#include "server/api/api.h"
#include "server/http_server.h"
#include "server/metrics.h"
#include "store/sealed_store.h"
#include "store/store.h"
#include "worker/in_process.h"
#include "worker/worker_pool.h"

namespace strata::server {

namespace {

struct Listen {
  std::string address;
  unsigned short port = 0;
};

Listen parse_listen(const std::string& text) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0)
    throw Error("--listen \"" + text + "\" is not ADDRESS:PORT", {}, "for example --listen 127.0.0.1:8470");
  std::string port = text.substr(colon + 1);
  char* end = nullptr;
  long n = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end || n < 0 || n > 65535)
    throw Error("--listen \"" + text + "\": the port is not a number from 0 to 65535", {},
                "for example --listen 127.0.0.1:8470");
  std::string address = text.substr(0, colon);
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') address = address.substr(1, address.size() - 2);
  return {address, static_cast<unsigned short>(n)};
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<control::ControlPlane> control;
  std::unique_ptr<HttpMetrics> metrics;
  std::unique_ptr<Api> api;
  std::unique_ptr<HttpServer> http;
  std::unique_ptr<worker::WorkerPool> workers;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::condition_variable stop_changed;
  std::string url;
};

store::Keyring server_keyring(const ServerOptions& options, const std::string& data_dir, bool* generated) {
  *generated = false;
  if (!options.keyring_text.empty()) return store::Keyring::parse(options.keyring_text, "STRATA_SERVER_KEYRING");
  if (!options.keyring.empty()) return store::read_keyring_file(options.keyring);
  const std::string path = data_dir + "/keyring";
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return store::read_keyring_file(path);
  store::Keyring ring = store::Keyring::generate();
  write_file_atomic(path, ring.text(), 0600);
  *generated = true;
  return ring;
}

std::pair<std::string, int> rotate_keyring(const ServerOptions& options) {
  const std::string path = options.keyring.empty() ? options.data_dir + "/keyring" : options.keyring;
  std::string text;
  if (!try_read_file(path, text)) {
    throw Error(ErrorKind::kUserInput, "no key ring at " + path + ": " + std::strerror(errno), {},
                options.keyring.empty() ? "pass --data-dir the server's data dir, or --keyring the key ring file"
                                        : "pass --keyring the key ring file the server runs with");
  }
  store::Keyring ring = store::Keyring::parse(text, path);
  int version = ring.rotate();
  write_file_atomic(path, ring.text(), 0600);
  return {path, version};
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>()) { impl_->options = std::move(options); }

Server::~Server() { stop(std::chrono::seconds(5)); }

void Server::start() {
  Impl& i = *impl_;
  Listen listen = parse_listen(i.options.listen);
  bool tls = !i.options.tls_cert.empty() || !i.options.tls_key.empty();
  if (tls && (i.options.tls_cert.empty() || i.options.tls_key.empty()))
    throw Error(ErrorKind::kUserInput, "HTTPS needs both --tls-cert and --tls-key", {},
                "pass the PEM certificate chain with --tls-cert and its PEM key with --tls-key");
  // The engines of in-process workers reach /tfstate over the same HTTPS listener; they trust
  // the certificate it serves (a self-signed one included) and nothing else.
  std::string tls_chain;
  if (tls) {
    std::ifstream in(i.options.tls_cert, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in && !in.eof())
      throw Error(ErrorKind::kUserInput, "cannot read the TLS certificate " + i.options.tls_cert, {},
                  "pass --tls-cert a PEM file this user can read");
    tls_chain = text.str();
  }
  std::error_code ec;
  std::filesystem::create_directories(i.options.data_dir, ec);
  if (ec)
    throw Error(ErrorKind::kEnvironment, "cannot create the data dir " + i.options.data_dir + ": " + ec.message(), {},
                "pass --data-dir a folder this user can write");
  ::chmod(i.options.data_dir.c_str(), 0700);
  std::string data_dir = std::filesystem::absolute(i.options.data_dir).lexically_normal().string();
  bool generated = false;
  store::Keyring keyring = server_keyring(i.options, data_dir, &generated);
  if (generated) {
    std::cerr << "strata server: made a new key ring at " << data_dir
              << "/keyring (mode 0600): what the server keeps at rest opens only with it; back it up with the "
                 "database\n";
  }
  // Activity credentials for /tfstate are minted with a secret every replica derives alike.
  std::string credential_key = keyring.derive("strata activity credentials v1");
  std::string session_key = keyring.derive("strata session signing v1");
  auto sealed = std::make_unique<store::SealedStore>(
      store::open_store(i.options.database.empty() ? data_dir + "/strata.db" : i.options.database), std::move(keyring));
  sealed->migrate();
  sealed->check_keyring();
  i.store = std::move(sealed);

  control::ControlOptions co;
  co.data_dir = data_dir;
  co.env = i.options.env;
  co.lease_ms = i.options.lease.count();
  co.credential_key = std::move(credential_key);
  co.keep_state_versions = i.options.keep_state_versions;
  co.keep_logs_days = i.options.keep_logs_days;
  co.rate_limits = i.options.rate_limits;
  co.oauth = i.options.oauth;
  co.github = i.options.github;
  co.session_key = std::move(session_key);
  i.control = std::make_unique<control::ControlPlane>(*i.store, co);
  i.control->bootstrap_admin_token(i.options.admin_token);

  if (i.options.metrics) i.metrics = std::make_unique<HttpMetrics>();
  i.api = std::make_unique<Api>(*i.control, i.metrics.get());
  HttpServer::Options ho;
  ho.address = listen.address;
  ho.port = listen.port;
  ho.tls_cert_file = i.options.tls_cert;
  ho.tls_key_file = i.options.tls_key;
  if (i.metrics) ho.observer = i.metrics->observer();
  Api* api = i.api.get();
  i.http = std::make_unique<HttpServer>(ho, [api](Request& request, Responder responder) {
    api->handle(request, std::move(responder));
  });
  i.http->start();
  std::string host = listen.address.find(':') != std::string::npos ? "[" + listen.address + "]" : listen.address;
  if (host == "0.0.0.0" || host == "[::]") host = "127.0.0.1";
  i.url = (tls ? "https://" : "http://") + host + ":" + std::to_string(i.http->port());
  i.control->set_server_url(i.url);

  // Expired leases go back to the queue; waiting runs start when their stacks are free.
  i.threads.emplace_back([&i] {
    std::unique_lock lock(i.mutex);
    while (!i.stop_changed.wait_for(lock, std::chrono::seconds(1), [&] { return i.stopping.load(); })) {
      lock.unlock();
      try {
        i.control->tick();
      } catch (const std::exception&) {
        // The store may be briefly unavailable; the next tick tries again.
      }
      lock.lock();
    }
  });
  // GitHub's webhook deliveries, processed from the store's outbox in order per repository (a
  // delivery is answered at once; another replica's deliveries are found by polling).
  i.threads.emplace_back([&i] {
    control::WebhookInbox& inbox = i.control->webhooks();
    while (!i.stopping.load()) {
      try {
        inbox.process_ready();
      } catch (const std::exception& e) {
        std::cerr << "strata server: processing webhook deliveries: " << e.what() << "\n";
      }
      inbox.wait(std::chrono::seconds(1));
    }
  });
  if (i.options.workers > 0) {
    worker::WorkerPoolOptions wo;
    wo.name = "in-process";
    wo.number_always = true;
    wo.count = i.options.workers;
    wo.work_dir = data_dir + "/workers";
    wo.lock_folders = false;  // the data dir is this server's alone
    wo.env = i.options.env;
    wo.ca_pem = tls_chain;
    wo.engine = i.options.engine;
    wo.engine_supervisor = i.options.engine_supervisor;
    wo.poll = std::chrono::seconds(5);  // the broker wakes a waiting worker the moment work is ready
    wo.on_error = [](const std::string& name, const std::string& error) {
      std::cerr << "strata server: worker " << name << " stopped: " << error << (error.ends_with('\n') ? "" : "\n");
    };
    control::ControlPlane* control = i.control.get();
    i.workers = std::make_unique<worker::WorkerPool>(
        wo, [control](int) { return std::make_unique<worker::InProcessConnection>(*control); });
    i.workers->start();
  }
}

std::string Server::url() const { return impl_->url; }

void Server::stop(std::chrono::milliseconds grace) {
  Impl& i = *impl_;
  if (!i.http) return;
  if (i.stopping.exchange(true)) return;
  i.http->stop_accepting();
  // Every worker waiting for a lease (long-polls and in-process ones) is answered now.
  i.control->leases().stop();
  i.control->webhooks().stop();
  i.stop_changed.notify_all();
  if (i.workers) {
    i.workers->stop();
    i.workers->join();
  }
  for (std::thread& t : i.threads) t.join();
  i.threads.clear();
  i.http->drain(std::chrono::steady_clock::now() + grace);
}

}  // namespace strata::server

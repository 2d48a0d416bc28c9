// HttpServer: starting, accepting, draining. Connections themselves are in http_connection.h
// (plain ones instantiated here, TLS ones in http_server_tls.cc).
#include "server/http_server.h"

#include "server/http_connection.h"

namespace strata {
namespace detail {

using http_internal::Connection;
using http_internal::Session;
namespace beast = boost::beast;

std::vector<std::shared_ptr<Connection>> HttpServerCore::live_sessions() {
  std::vector<std::shared_ptr<Connection>> out;
  std::lock_guard<std::mutex> lock(mu);
  for (auto& [raw, weak] : sessions)
    if (auto session = weak.lock()) out.push_back(std::move(session));
  return out;
}

void HttpServerCore::do_accept(const std::shared_ptr<HttpServerCore>& self) {
  acceptor->async_accept(
      net::make_strand(ioc), [self](beast::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || !self->acceptor->is_open()) return;
        if (ec) {
          // Out of descriptors, most likely: try again shortly rather than spin.
          self->log(LogLevel::kWarning, "http: accept failed: " + ec.message());
          self->accept_retry->expires_after(std::chrono::milliseconds(50));
          self->accept_retry->async_wait([self](beast::error_code wait_ec) {
            if (!wait_ec && self->acceptor->is_open()) self->do_accept(self);
          });
          return;
        }
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        if (self->tls)
          http_internal::start_tls_session(self, std::move(socket));
        else
          std::make_shared<Session<beast::tcp_stream>>(self, std::move(socket))->start();
        self->do_accept(self);
      });
}

}  // namespace detail

namespace {
namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;
}  // namespace

HttpServer::HttpServer(Options options, Handler handler)
    : core_(std::make_shared<detail::HttpServerCore>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { drain(std::chrono::steady_clock::now()); }

void HttpServer::start() {
  detail::HttpServerCore& core = *core_;
  if (core.started) return;
  beast::error_code ec;
  auto address = net::ip::make_address(core.options.address, ec);
  if (ec) throw Error(ErrorKind::kUserInput, "not an IP address: " + core.options.address);
  if (!core.options.tls_cert_file.empty() || !core.options.tls_key_file.empty())
    core.tls = http_internal::make_tls_context(core.options.tls_cert_file, core.options.tls_key_file);
  core.accept_strand.emplace(net::make_strand(core.ioc));
  core.acceptor.emplace(*core.accept_strand);
  core.accept_retry.emplace(*core.accept_strand);
  tcp::endpoint endpoint(address, core.options.port);
  core.acceptor->open(endpoint.protocol(), ec);
  if (!ec) core.acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) core.acceptor->bind(endpoint, ec);
  if (!ec) core.acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    throw Error(ErrorKind::kEnvironment, "cannot listen on " + core.options.address + ":" +
                                             std::to_string(core.options.port) + ": " +
                                             ec.message());
  core.port = core.acceptor->local_endpoint().port();
  core.started = true;
  core.work.emplace(core.ioc.get_executor());
  core.do_accept(core_);
  int threads = core.options.threads > 0 ? core.options.threads
                                         : static_cast<int>(std::thread::hardware_concurrency());
  if (threads < 1) threads = 1;
  for (int i = 0; i < threads; ++i) core.threads.emplace_back([&core] { core.ioc.run(); });
}

uint16_t HttpServer::port() const { return core_->port; }

void HttpServer::stop_accepting() {
  detail::HttpServerCore& core = *core_;
  if (!core.started || core.stopped.load()) return;
  std::promise<void> done;
  net::dispatch(*core.accept_strand, [&core, &done] {
    beast::error_code ignored;
    core.acceptor->close(ignored);
    core.accept_retry->cancel();
    done.set_value();
  });
  done.get_future().wait();
}

void HttpServer::drain(std::chrono::steady_clock::time_point deadline) {
  detail::HttpServerCore& core = *core_;
  if (!core.started || core.drained) return;
  core.drained = true;
  stop_accepting();
  core.draining = true;
  for (auto& session : core.live_sessions()) session->run([session] { session->close_if_idle(); }, false);
  {
    std::unique_lock<std::mutex> lock(core.mu);
    core.cv.wait_until(lock, deadline, [&core] { return core.in_flight == 0; });
  }
  for (auto& session : core.live_sessions()) session->run([session] { session->force_close(); }, false);
  {
    // Streams send their last chunk and close; give them a moment.
    std::unique_lock<std::mutex> lock(core.mu);
    core.cv.wait_until(lock, std::max(deadline, std::chrono::steady_clock::now()) + std::chrono::seconds(1),
                       [&core] { return core.open_connections == 0; });
  }
  core.stopped = true;
  core.work.reset();
  core.ioc.stop();
  for (auto& thread : core.threads) thread.join();
  core.threads.clear();
  // Run what is still queued (completions on closed sockets) so that nothing queued keeps a
  // Session, and with it the Core, alive.
  core.ioc.restart();
  while (core.ioc.poll() > 0) {
  }
}

}  // namespace strata

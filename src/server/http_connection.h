// The inside of HttpServer: the state the server shares with its connections, the Exchange
// behind each Responder, and Session, one connection, over a plain or a TLS stream. Included
// only by http_server.cc and http_server_tls.cc (Beast is slow to compile; nothing else may
// include this).
//
// A Session's life: read a request → call the handler → (the Exchange answers, maybe later,
// maybe from another thread, by posting to the strand) → write the response → read the next
// one. While the handler has not answered, or a stream is open, a "watch" read stays armed on
// the socket: it notices a client that goes away (so a long-poll or a stream producer can stop)
// and keeps any pipelined bytes in the buffer for the next request.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "base/log.h"
#include "server/http_server.h"
#include "model/error.h"
#include "server/uri.h"

namespace boost::asio::ssl {
class context;
}

namespace strata::http_internal {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

inline constexpr size_t kHeaderLimit = 64 * 1024;
// Bytes a client may pipeline behind a request whose answer is pending before we stop reading
// (and so stop noticing a disconnect) until the answer is written.
inline constexpr size_t kPipelineLimit = 64 * 1024;
// A stream whose client reads slower than this much queued output is closed.
inline constexpr size_t kStreamQueueLimit = 8 * 1024 * 1024;
// How long a closing connection keeps reading what the client still sends, so our last
// response is not lost to a reset.
inline constexpr std::chrono::milliseconds kLingerTime{2000};

class Connection;

}  // namespace strata::http_internal

namespace strata::detail {
namespace net = boost::asio;
using tcp = net::ip::tcp;

// What the server and its connections share (see HttpServer::core_).
struct HttpServerCore {
  using Options = HttpServer::Options;
  Options options;
  Handler handler;
  net::io_context ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::optional<tcp::acceptor> acceptor;  // used on accept_strand only
  std::optional<net::strand<net::io_context::executor_type>> accept_strand;
  std::optional<net::steady_timer> accept_retry;
  std::shared_ptr<net::ssl::context> tls;  // null: plain HTTP
  std::vector<std::thread> threads;
  uint16_t port = 0;
  bool started = false;
  bool drained = false;
  std::atomic<bool> draining{false};
  std::atomic<bool> stopped{false};

  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;         // requests read whose response is not yet written; guarded by mu
  int open_connections = 0;  // guarded by mu
  std::unordered_map<http_internal::Connection*, std::weak_ptr<http_internal::Connection>> sessions;  // guarded by mu

  HttpServerCore(Options o, Handler h) : options(std::move(o)), handler(std::move(h)) {}

  void log(LogLevel level, std::string_view message) {
    if (options.logger) options.logger->log(level, message);
  }
  void request_started() {
    std::lock_guard<std::mutex> lock(mu);
    ++in_flight;
  }
  void request_finished() {
    std::lock_guard<std::mutex> lock(mu);
    --in_flight;
    cv.notify_all();
  }
  void do_accept(const std::shared_ptr<HttpServerCore>& self);
  std::vector<std::shared_ptr<http_internal::Connection>> live_sessions();
};
}  // namespace strata::detail

namespace strata::http_internal {

using Core = detail::HttpServerCore;

// One connection as the Exchange sees it, whatever its stream (plain or TLS). Everything but
// run() and queued_bytes() must be called on the connection's strand (through run()).
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  explicit Connection(net::any_io_executor executor) : executor_(std::move(executor)) {}
  virtual ~Connection() = default;

  template <typename F>
  void run(F&& f, bool inline_ok) {
    if (inline_ok)
      net::dispatch(executor_, std::forward<F>(f));
    else
      net::post(executor_, std::forward<F>(f));
  }
  size_t queued_bytes() const { return queued_bytes_.load(std::memory_order_relaxed); }

  virtual void start() = 0;
  virtual void respond(Response response, uint64_t seq) = 0;
  virtual void begin_stream(int status, HeaderList headers, uint64_t seq) = 0;
  virtual void stream_write(std::string chunk, uint64_t seq) = 0;
  virtual void end_stream(uint64_t seq) = 0;
  virtual void close_if_idle() = 0;
  virtual void force_close() = 0;

 protected:
  net::any_io_executor executor_;
  std::atomic<size_t> queued_bytes_{0};
};

class ExchangeImpl;

// Starts serving an accepted connection over TLS (http_server_tls.cc).
void start_tls_session(const std::shared_ptr<Core>& core, tcp::socket socket);
// The TLS context for a certificate chain and key in PEM files; throws strata::Error.
std::shared_ptr<net::ssl::context> make_tls_context(const std::string& cert_file,
                                                    const std::string& key_file);

// A connection over `Stream`: beast::tcp_stream, or beast::ssl_stream of one.
template <typename Stream>
class Session : public Connection {
 public:
  template <typename... Args>
  Session(std::shared_ptr<Core> core, tcp::socket socket, Args&&... args)
      : Connection(socket.get_executor()),
        core_(std::move(core)),
        stream_(std::move(socket), std::forward<Args>(args)...) {
    beast::error_code ec;
    auto endpoint = lowest().socket().remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  }
  ~Session() {
    std::lock_guard<std::mutex> lock(core_->mu);
    core_->sessions.erase(this);
  }

  void start() override {
    {
      std::lock_guard<std::mutex> lock(core_->mu);
      core_->sessions.emplace(this, weak_from_this());
      ++core_->open_connections;
    }
    net::dispatch(executor_, [self = self()] { self->begin(); });
  }

  void respond(Response response, uint64_t seq) override;
  void begin_stream(int status, HeaderList headers, uint64_t seq) override;
  void stream_write(std::string chunk, uint64_t seq) override;
  void end_stream(uint64_t seq) override;
  void close_if_idle() override {
    if (phase_ == Phase::kReading || phase_ == Phase::kResuming) close_socket();
  }
  void force_close() override;

 protected:
  // Runs first on the strand: a TLS session shakes hands here.
  virtual void begin() { read_request(); }
  std::shared_ptr<Session> self() { return std::static_pointer_cast<Session>(shared_from_this()); }
  auto& lowest() { return beast::get_lowest_layer(stream_); }

  enum class Phase {
    kReading,      // waiting for (the rest of) a request
    kHandling,     // the handler has the request; no answer yet
    kWriting,      // writing a whole response
    kStreaming,    // a stream is open
    kStreamEnding, // the last chunk is queued
    kResuming,     // response written; waiting for the watch read to stop before reading on
    kLingering,    // closing: our side is shut, reading until the client closes too
    kClosed,
  };

  void read_request();
  void on_read(beast::error_code ec);
  void call_handler();
  void send_error_and_close(int status, std::string_view code, std::string_view message);
  void on_write(beast::error_code ec, bool keep_alive);
  void after_response(bool keep_alive);
  void arm_watch();
  void on_watch(beast::error_code ec, size_t bytes);
  void enqueue(std::string bytes);
  void write_next();
  void client_gone();
  void close_socket();
  void finish_request(int status);
  void report(int status);

  std::shared_ptr<Core> core_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> response_;
  std::string remote_;
  Phase phase_ = Phase::kReading;
  bool watch_armed_ = false;
  bool keep_alive_ = false;
  bool in_flight_ = false;  // counted in core_->in_flight
  bool observed_ = true;    // the current request was reported to the observer
  uint64_t seq_ = 0;        // which request the current exchange answers
  Request request_;
  Clock::time_point started_;
  int status_ = 0;
  std::weak_ptr<ExchangeImpl> exchange_;
  std::deque<std::string> outbox_;
  bool writing_ = false;
};

class ExchangeImpl final : public detail::Exchange {
 public:
  ExchangeImpl(std::shared_ptr<Connection> session, std::shared_ptr<Core> core,
               uint64_t seq)
      : session_(std::move(session)), core_(std::move(core)), seq_(seq) {}

  ~ExchangeImpl() override {
    State state = state_.load();
    if (gone_.load() || core_->stopped.load()) return;
    if (state == State::kPending) {
      core_->log(LogLevel::kError, "http: a handler dropped its responder without answering");
      session_->run([s = session_, seq = seq_] {
        s->respond(error_response(500, "internal", "the server gave no response"), seq);
      }, false);
    } else if (state == State::kStreaming) {
      session_->run([s = session_, seq = seq_] { s->end_stream(seq); }, false);
    }
  }

  bool send(Response response) override {
    if (gone_.load() || core_->stopped.load()) return false;
    if (!transition(State::kPending, State::kDone)) return false;
    session_->run([s = session_, seq = seq_, r = std::move(response)]() mutable {
      s->respond(std::move(r), seq);
    }, true);
    return true;
  }

  bool start_stream(int status, HeaderList headers) override {
    if (gone_.load() || core_->stopped.load()) return false;
    if (!transition(State::kPending, State::kStreaming)) return false;
    session_->run([s = session_, seq = seq_, status, h = std::move(headers)]() mutable {
      s->begin_stream(status, std::move(h), seq);
    }, true);
    return true;
  }

  bool write(std::string chunk) override {
    if (state_.load() != State::kStreaming || gone_.load() || core_->stopped.load()) return false;
    if (session_->queued_bytes() > kStreamQueueLimit) {
      // The client reads too slowly; end the stream rather than buffer without bound.
      core_->log(LogLevel::kWarning, "http: closing a stream whose client does not keep up");
      session_->run([s = session_] { s->force_close(); }, false);
      return false;
    }
    session_->run([s = session_, seq = seq_, c = std::move(chunk)]() mutable {
      s->stream_write(std::move(c), seq);
    }, true);
    return true;
  }

  void close() override {
    if (!transition(State::kStreaming, State::kDone) || core_->stopped.load()) return;
    session_->run([s = session_, seq = seq_] { s->end_stream(seq); }, true);
  }

  void on_close(std::function<void()> callback) override {
    std::unique_lock<std::mutex> lock(mu_);
    if (gone_.load()) {
      lock.unlock();
      callback();
      return;
    }
    on_close_ = std::move(callback);
  }

  bool open() const override { return !gone_.load() && state_.load() != State::kDone; }

  // On the strand: the client went away, or the server closed the exchange.
  void notify_gone() {
    std::function<void()> callback;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (gone_.exchange(true)) return;
      callback = std::move(on_close_);
    }
    if (callback) callback();
  }

 private:
  enum class State { kPending, kStreaming, kDone };
  bool transition(State from, State to) { return state_.compare_exchange_strong(from, to); }

  std::shared_ptr<Connection> session_;
  std::shared_ptr<Core> core_;
  uint64_t seq_;
  std::atomic<State> state_{State::kPending};
  std::atomic<bool> gone_{false};
  std::mutex mu_;
  std::function<void()> on_close_;
};

template <typename Stream>
void Session<Stream>::read_request() {
  phase_ = Phase::kReading;
  if (core_->draining.load()) {
    close_socket();
    return;
  }
  parser_.emplace();
  parser_->body_limit(core_->options.max_body_bytes);
  parser_->header_limit(kHeaderLimit);
  lowest().expires_after(core_->options.read_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = this->self()](beast::error_code ec, size_t) { self->on_read(ec); });
}

template <typename Stream>
void Session<Stream>::on_read(beast::error_code ec) {
  if (phase_ != Phase::kReading) return;
  if (ec == http::error::end_of_stream || ec == net::error::eof ||
      ec == net::error::operation_aborted || ec == beast::error::timeout ||
      ec == net::error::connection_reset || ec == net::error::broken_pipe ||
      ec == net::error::bad_descriptor) {
    close_socket();
    return;
  }
  if (ec == http::error::body_limit) {
    send_error_and_close(413, "body_too_large",
                         "the request body is larger than " +
                             std::to_string(core_->options.max_body_bytes) + " bytes");
    return;
  }
  if (ec == http::error::header_limit) {
    send_error_and_close(431, "headers_too_large", "the request headers are too large");
    return;
  }
  if (ec) {
    send_error_and_close(400, "bad_request", "malformed HTTP request: " + ec.message());
    return;
  }
  call_handler();
}

template <typename Stream>
void Session<Stream>::call_handler() {
  auto& message = parser_->get();
  request_ = Request{};
  request_.method = std::string(message.method_string());
  request_.target = std::string(message.target());
  std::string_view target = request_.target;
  size_t question = target.find('?');
  request_.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) request_.query_params = parse_query(target.substr(question + 1));
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto [it, inserted] = request_.headers.emplace(std::move(name), std::string(field.value()));
    if (!inserted) (it->second += ", ") += std::string_view(field.value());
  }
  request_.body = std::move(message.body());
  request_.remote_address = remote_;
  keep_alive_ = message.keep_alive();
  parser_.reset();

  phase_ = Phase::kHandling;
  started_ = Clock::now();
  status_ = 0;
  observed_ = false;
  in_flight_ = true;
  core_->request_started();
  lowest().expires_never();
  auto exchange = std::make_shared<ExchangeImpl>(shared_from_this(), core_, ++seq_);
  exchange_ = exchange;
  {
    Responder responder(std::move(exchange));
    try {
      core_->handler(request_, responder);
    } catch (const Error& e) {
      responder.send(error_response(e));
    } catch (const std::exception& e) {
      core_->log(LogLevel::kError, "http: handler failed on " + request_.method + " " +
                                       request_.path + ": " + e.what());
      responder.send(error_response(500, "internal", "internal server error"));
    } catch (...) {
      core_->log(LogLevel::kError,
                 "http: handler failed on " + request_.method + " " + request_.path);
      responder.send(error_response(500, "internal", "internal server error"));
    }
  }
  // Not answered yet (a long-poll) or streaming: watch for the client going away.
  if ((phase_ == Phase::kHandling || phase_ == Phase::kStreaming) && !watch_armed_) arm_watch();
}

template <typename Stream>
void Session<Stream>::finish_request(int status) {
  if (in_flight_) {
    in_flight_ = false;
    core_->request_finished();
  }
  report(status);
}

// Reported when the response is handed to the socket, not when the write completes: the client
// may otherwise see its answer (and ask /metrics) before the request is counted.
template <typename Stream>
void Session<Stream>::report(int status) {
  if (observed_) return;
  observed_ = true;
  if (core_->options.observer) {
    double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    core_->options.observer(request_, status, seconds);
  }
}

template <typename Stream>
void Session<Stream>::send_error_and_close(int status, std::string_view code, std::string_view message) {
  parser_.reset();
  request_ = Request{};  // counted in metrics as method "OTHER", route "unmatched"
  request_.remote_address = remote_;
  started_ = Clock::now();
  observed_ = false;
  keep_alive_ = false;
  phase_ = Phase::kHandling;
  respond(error_response(status, code, message), seq_);
}

template <typename Stream>
void Session<Stream>::respond(Response response, uint64_t seq) {
  if (phase_ != Phase::kHandling || seq != seq_) return;
  phase_ = Phase::kWriting;
  status_ = response.status;
  response_.emplace();
  response_->version(11);
  response_->result(static_cast<unsigned>(response.status));
  for (auto& [name, value] : response.headers) response_->insert(name, value);
  response_->body() = std::move(response.body);
  bool keep_alive = keep_alive_ && !core_->draining.load();
  response_->keep_alive(keep_alive);
  response_->prepare_payload();
  report(status_);
  lowest().expires_after(core_->options.read_timeout);
  http::async_write(stream_, *response_,
                    [self = this->self(), keep_alive](beast::error_code ec, size_t) {
                      self->on_write(ec, keep_alive);
                    });
}

template <typename Stream>
void Session<Stream>::on_write(beast::error_code ec, bool keep_alive) {
  response_.reset();
  finish_request(499);  // already reported, unless the client went away meanwhile
  if (phase_ != Phase::kWriting) return;  // closed meanwhile
  if (ec) {
    client_gone();
    return;
  }
  after_response(keep_alive);
}

// The response is out: read the next request, or close (reading until the client does).
template <typename Stream>
void Session<Stream>::after_response(bool keep_alive) {
  beast::error_code ignored;
  if (!keep_alive) {
    phase_ = Phase::kLingering;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
  } else {
    phase_ = Phase::kResuming;
  }
  if (watch_armed_) {
    lowest().socket().cancel(ignored);  // on_watch goes on from here
    return;
  }
  if (keep_alive)
    read_request();
  else
    arm_watch();
}

template <typename Stream>
void Session<Stream>::arm_watch() {
  watch_armed_ = true;
  if (phase_ == Phase::kLingering) {
    buffer_.clear();
    lowest().expires_after(core_->draining.load() ? kLingerTime / 10 : kLingerTime);
  }
  stream_.async_read_some(buffer_.prepare(4096),
                          [self = this->self()](beast::error_code ec, size_t bytes) {
                            self->on_watch(ec, bytes);
                          });
}

template <typename Stream>
void Session<Stream>::on_watch(beast::error_code ec, size_t bytes) {
  watch_armed_ = false;
  if (!ec) buffer_.commit(bytes);
  switch (phase_) {
    case Phase::kClosed:
    case Phase::kReading:
      return;
    case Phase::kResuming:
      if (ec && ec != net::error::operation_aborted) {
        close_socket();
        return;
      }
      read_request();
      return;
    case Phase::kLingering:
      if (ec && ec != net::error::operation_aborted) {
        close_socket();
        return;
      }
      arm_watch();
      return;
    case Phase::kHandling:
    case Phase::kWriting:
    case Phase::kStreaming:
    case Phase::kStreamEnding:
      if (ec && ec != net::error::operation_aborted) {
        client_gone();
        return;
      }
      if (buffer_.size() < kPipelineLimit) arm_watch();
      return;
  }
}

template <typename Stream>
void Session<Stream>::begin_stream(int status, HeaderList headers, uint64_t seq) {
  if (phase_ != Phase::kHandling || seq != seq_) return;
  phase_ = Phase::kStreaming;
  status_ = status;
  // A stream is not an in-flight request: drain waits for requests, then closes streams.
  if (in_flight_) {
    in_flight_ = false;
    core_->request_finished();
  }
  std::string head = "HTTP/1.1 " + std::to_string(status) + " ";
  head += std::string_view(http::obsolete_reason(static_cast<http::status>(status)));
  head += "\r\n";
  for (auto& [name, value] : headers) head += name + ": " + value + "\r\n";
  head += "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  lowest().expires_never();
  enqueue(std::move(head));
  if (!watch_armed_) arm_watch();
}

template <typename Stream>
void Session<Stream>::stream_write(std::string chunk, uint64_t seq) {
  if (phase_ != Phase::kStreaming || seq != seq_ || chunk.empty()) return;
  char size[20];
  std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
  chunk.insert(0, size);
  chunk += "\r\n";
  enqueue(std::move(chunk));
}

template <typename Stream>
void Session<Stream>::end_stream(uint64_t seq) {
  if (phase_ != Phase::kStreaming || seq != seq_) return;
  phase_ = Phase::kStreamEnding;
  enqueue("0\r\n\r\n");
}

template <typename Stream>
void Session<Stream>::enqueue(std::string bytes) {
  queued_bytes_ += bytes.size();
  outbox_.push_back(std::move(bytes));
  if (!writing_) write_next();
}

template <typename Stream>
void Session<Stream>::write_next() {
  writing_ = true;
  net::async_write(stream_, net::buffer(outbox_.front()),
                   [self = this->self()](beast::error_code ec, size_t) {
                     self->writing_ = false;
                     self->queued_bytes_ -= self->outbox_.front().size();
                     self->outbox_.pop_front();
                     if (self->phase_ == Phase::kClosed) return;
                     if (ec) {
                       self->client_gone();
                       return;
                     }
                     if (!self->outbox_.empty()) {
                       self->write_next();
                     } else if (self->phase_ == Phase::kStreamEnding) {
                       self->finish_request(self->status_);
                       if (auto exchange = self->exchange_.lock()) exchange->notify_gone();
                       self->after_response(false);
                     }
                   });
}

template <typename Stream>
void Session<Stream>::client_gone() {
  finish_request(499);  // nginx's "client closed request"
  auto exchange = exchange_.lock();
  close_socket();
  if (exchange) exchange->notify_gone();
}

template <typename Stream>
void Session<Stream>::force_close() {
  switch (phase_) {
    case Phase::kStreaming:
      // End the stream properly; its producer learns through on_close / write() == false.
      if (auto exchange = exchange_.lock()) exchange->notify_gone();
      end_stream(seq_);
      return;
    case Phase::kStreamEnding:
    case Phase::kClosed:
      return;
    default:
      client_gone();
  }
}

template <typename Stream>
void Session<Stream>::close_socket() {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  if (in_flight_) {
    in_flight_ = false;
    core_->request_finished();
  }
  beast::error_code ignored;
  lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
  lowest().close();
  std::lock_guard<std::mutex> lock(core_->mu);
  --core_->open_connections;
  core_->cv.notify_all();
}

}  // namespace strata::http_internal

// HttpServer: the control plane's HTTP/1.1 server. A handler receives each Request with a
// Responder it may complete at once or later from any thread (long-polls), or turn into a
// chunked stream (server-sent events). Connections are served asynchronously by a small fixed
// pool of io threads, so idle keep-alive connections, pending long-polls and open streams cost
// a socket each, not a thread. Boost.Beast stays inside http_server.cc: this header is cheap to
// include.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace strata {

class Error;
class Logger;

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // as sent: "GET", "POST", ...
  std::string target;  // as sent: path and query, not decoded
  std::string path;    // target before '?', not decoded (the Router decodes segments)
  std::map<std::string, std::string, std::less<>> query_params;  // decoded ('+' is a space)
  std::map<std::string, std::string, std::less<>> headers;  // lower-case names; repeats joined by ", "
  std::string body;
  std::string remote_address;  // "127.0.0.1:51234"
  // Filled by the Router: the decoded {param} segments and the pattern that matched ("" when
  // none did), which names the route in metrics and logs.
  std::map<std::string, std::string, std::less<>> params;
  std::string route;

  // "" when absent. `name` is matched case-insensitively.
  std::string_view header(std::string_view name) const;
  std::string_view query(std::string_view name) const;
  std::string_view param(std::string_view name) const;
};

struct Response {
  int status = 200;
  HeaderList headers;
  std::string body;
};

// `body` serialized, with Content-Type: application/json.
Response json_response(int status, const nlohmann::json& body);
// {"error":{"code":code,"message":message}} with Content-Type: application/json.
Response error_response(int status, std::string_view code, std::string_view message);
// The answer for a strata::Error: the status from the ErrorKind table (model/error_kind.h), the
// kind's name as the code ("not_found"), the error's message and hint.
Response error_response(const Error& error);
Response text_response(int status, std::string body,
                       std::string_view content_type = "text/plain; charset=utf-8");

namespace detail {
struct HttpServerCore;
// What a Responder talks to; implemented by the server for each request.
class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual bool send(Response response) = 0;
  virtual bool start_stream(int status, HeaderList headers) = 0;
  virtual bool write(std::string chunk) = 0;
  virtual void close() = 0;
  virtual void on_close(std::function<void()> callback) = 0;
  virtual bool open() const = 0;
};
}  // namespace detail

// The answer to one request. Copies share one exchange, and every method may be called from
// any thread. Exactly one of send() or start_stream() takes effect; later calls return false.
// If the last copy goes away before either was called, the client gets a 500.
class Responder {
 public:
  // The exchange is shared: the connection and whoever answers (a handler, a worker thread
  // holding a long-poll) both keep it, and neither knows which lets go last.
  explicit Responder(std::shared_ptr<detail::Exchange> exchange) : exchange_(std::move(exchange)) {}

  bool send(Response response) { return exchange_->send(std::move(response)); }
  // Sends the status and headers and switches to a chunked body written by write(). A stream
  // always ends its connection when it closes.
  bool start_stream(int status, HeaderList headers = {}) {
    return exchange_->start_stream(status, std::move(headers));
  }
  // Queues one chunk of the stream; false once the client has gone (or the server drained),
  // which tells the producer to stop.
  bool write(std::string chunk) { return exchange_->write(std::move(chunk)); }
  // Ends the stream.
  void close() { exchange_->close(); }
  // `callback` runs once, on an io thread, when the client disconnects or the server closes
  // the stream; at once if that has already happened. It must not block.
  void on_close(std::function<void()> callback) { exchange_->on_close(std::move(callback)); }
  // False once the client has gone or the response is complete.
  bool open() const { return exchange_->open(); }

 private:
  std::shared_ptr<detail::Exchange> exchange_;
};

// Called on an io thread for each request. It must not block for long: a long-poll keeps the
// Responder and returns. A strata::Error it throws is answered by error_response(error); any
// other exception becomes a 500 JSON error, logged (the request body never is).
using Handler = std::function<void(Request& request, Responder responder)>;

// Called once per finished request (response written, or the client gone) with the status sent
// (0 if none was) and the time since the request was read; `request.route` names the route.
using ResponseObserver = std::function<void(const Request& request, int status, double seconds)>;

class HttpServer {
 public:
  struct Options {
    std::string address = "127.0.0.1";
    uint16_t port = 0;  // 0: pick a free port; see port()
    int threads = 0;    // io threads; 0: the number of cores
    size_t max_body_bytes = 10 * 1024 * 1024;  // larger: 413
    // Reading a request's headers and body, and waiting for the next request on a keep-alive
    // connection, may take this long (slowloris); writing one response too.
    std::chrono::milliseconds read_timeout{30000};
    // HTTPS when both are set: a PEM certificate chain and its PEM private key.
    std::string tls_cert_file;
    std::string tls_key_file;
    Logger* logger = nullptr;  // borrowed; may be null
    ResponseObserver observer;
  };

  HttpServer(Options options, Handler handler);
  ~HttpServer();  // drains with no grace period if still running
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the io threads. Throws strata::Error (kEnvironment) when the
  // address cannot be bound.
  void start();
  // The bound port (useful with port 0); valid after start().
  uint16_t port() const;
  // Closes the listening socket: new connections are refused from the moment this returns.
  void stop_accepting();
  // Stops accepting, lets in-flight requests finish until `deadline` (idle keep-alive
  // connections are closed, responses get "Connection: close"), then closes open streams and
  // whatever is left, and stops the io threads. Idempotent.
  void drain(std::chrono::steady_clock::time_point deadline);

 private:
  // Shared with every connection: a connection held by a long-poll's Responder may outlive
  // the HttpServer object.
  std::shared_ptr<detail::HttpServerCore> core_;
};

}  // namespace strata

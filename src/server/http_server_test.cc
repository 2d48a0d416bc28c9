// HttpServer over real sockets on 127.0.0.1: routing, errors, limits, keep-alive, long-polls
// answered from other threads, many idle long-polls on two io threads, streams, drain, metrics.
// The client is a few raw-socket helpers, so the test controls every byte sent.
#include "server/http_server.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "model/error.h"
#include "server/metrics.h"
#include "server/router.h"

namespace strata {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// One client connection with a read buffer; every wait has a timeout so a bug fails, not hangs.
class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~Client() { close(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return fd_ >= 0; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
  }
  void get(std::string_view target) {
    send("GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n\r\n");
  }

  // Reads more bytes into the buffer; false on timeout, close or error.
  bool fill(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char chunk[65536];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  // True when the server closes the connection (or resets it) before the timeout.
  bool closed_by_server(std::chrono::milliseconds timeout = 3000ms) {
    auto deadline = Clock::now() + timeout;
    while (!eof_ && fill(deadline)) {
    }
    return eof_;
  }

  std::optional<Reply> read_head(std::chrono::milliseconds timeout = 5000ms) {
    auto deadline = Clock::now() + timeout;
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos)
      if (!fill(deadline)) return std::nullopt;
    Reply reply;
    std::string head = buffer_.substr(0, end + 2);
    buffer_.erase(0, end + 4);
    size_t line_end = head.find("\r\n");
    reply.status = std::stoi(head.substr(9, 3));
    for (size_t at = line_end + 2; at < head.size();) {
      size_t next = head.find("\r\n", at);
      std::string line = head.substr(at, next - at);
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      reply.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
      at = next + 2;
    }
    return reply;
  }

  // The next chunk of a chunked body; "" for the last one, nullopt on timeout or close.
  std::optional<std::string> read_chunk(std::chrono::milliseconds timeout = 5000ms) {
    auto deadline = Clock::now() + timeout;
    size_t eol;
    while ((eol = buffer_.find("\r\n")) == std::string::npos)
      if (!fill(deadline)) return std::nullopt;
    size_t size = std::stoul(buffer_.substr(0, eol), nullptr, 16);
    while (buffer_.size() < eol + 2 + size + 2)
      if (!fill(deadline)) return std::nullopt;
    std::string data = buffer_.substr(eol + 2, size);
    buffer_.erase(0, eol + 2 + size + 2);
    return data;
  }

  std::optional<Reply> read_response(std::chrono::milliseconds timeout = 5000ms) {
    auto deadline = Clock::now() + timeout;
    auto reply = read_head(timeout);
    if (!reply) return std::nullopt;
    size_t length = reply->headers.count("content-length")
                        ? std::stoul(reply->headers["content-length"])
                        : 0;
    while (buffer_.size() < length)
      if (!fill(deadline)) return std::nullopt;
    reply->body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return reply;
  }

 private:
  int fd_ = -1;
  std::string buffer_;
  bool eof_ = false;
};

Reply get_once(uint16_t port, std::string_view target) {
  Client client(port);
  client.get(target);
  auto reply = client.read_response();
  return reply ? *reply : Reply{};
}

std::string error_code(const Reply& reply) {
  return nlohmann::json::parse(reply.body).at("error").at("code").get<std::string>();
}

int thread_count() {
  int count = 0;
  DIR* dir = ::opendir("/proc/self/task");
  while (dirent* entry = ::readdir(dir))
    if (entry->d_name[0] != '.') ++count;
  ::closedir(dir);
  return count;
}

// Long-polls parked by handlers, answered later by the test.
class ParkedRequests {
 public:
  void park(Responder responder) {
    std::lock_guard<std::mutex> lock(mu_);
    parked_.push_back(std::move(responder));
    cv_.notify_all();
  }
  bool wait_for(size_t count, std::chrono::milliseconds timeout = 10000ms) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return parked_.size() >= count; });
  }
  std::vector<Responder> take() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::move(parked_);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Responder> parked_;
};

// A server with a router; tests add routes before start().
struct TestServer {
  explicit TestServer(HttpServer::Options options = {}) {
    options.threads = options.threads ? options.threads : 2;
    options.observer = metrics.observer();
    server = std::make_unique<HttpServer>(std::move(options), router.handler());
  }
  ~TestServer() { server->drain(Clock::now() + 2s); }
  uint16_t start() {
    server->start();
    return server->port();
  }
  Router router;
  HttpMetrics metrics;
  std::unique_ptr<HttpServer> server;
};

TEST(HttpServer, RoutesByPatternAndAnswersJsonErrors) {
  TestServer t;
  t.router.add("GET", "/api/v1/runs/{id}/logs", [](const Request& request) {
    return json_response(200, {{"id", request.param("id")}, {"tail", request.query("tail")}});
  });
  t.router.add("DELETE", "/api/v1/runs/{id}/logs",
               [](const Request&) { return text_response(204, ""); });
  uint16_t port = t.start();

  Reply ok = get_once(port, "/api/v1/runs/run%2042/logs?tail=a+b%21");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.headers["content-type"], "application/json");
  EXPECT_EQ(nlohmann::json::parse(ok.body),
            nlohmann::json({{"id", "run 42"}, {"tail", "a b!"}}));

  Reply missing = get_once(port, "/api/v1/nothing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.headers["content-type"], "application/json");
  EXPECT_EQ(error_code(missing), "not_found");

  Client client(port);
  client.send("PUT /api/v1/runs/7/logs HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
  auto wrong_method = client.read_response();
  ASSERT_TRUE(wrong_method);
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(wrong_method->headers["allow"], "DELETE, GET");
  EXPECT_EQ(error_code(*wrong_method), "method_not_allowed");
}

TEST(HttpServer, BodyOverTheLimitIs413) {
  HttpServer::Options options;
  options.max_body_bytes = 1024;
  TestServer t(options);
  t.router.add("POST", "/echo", [](const Request& request) {
    return text_response(200, request.body);
  });
  uint16_t port = t.start();

  Client small(port);
  small.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
  auto echoed = small.read_response();
  ASSERT_TRUE(echoed);
  EXPECT_EQ(echoed->body, "hello");

  Client big(port);
  big.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2000\r\n\r\n" +
           std::string(2000, 'x'));
  auto refused = big.read_response();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 413);
  EXPECT_EQ(error_code(*refused), "body_too_large");
  EXPECT_TRUE(big.closed_by_server());
}

TEST(HttpServer, MalformedRequestIs400AndTheServerGoesOn) {
  TestServer t;
  t.router.add("GET", "/healthz", [](const Request&) { return text_response(200, "ok"); });
  uint16_t port = t.start();

  Client bad(port);
  bad.send("GARBAGE\x01 / HTTP/9\r\n\r\n");
  auto reply = bad.read_response();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 400);
  EXPECT_EQ(error_code(*reply), "bad_request");
  EXPECT_TRUE(bad.closed_by_server());

  Reply next = get_once(port, "/healthz");
  EXPECT_EQ(next.status, 200);
  EXPECT_EQ(next.body, "ok");
}

TEST(HttpServer, SlowHeadersAreCutOff) {
  HttpServer::Options options;
  options.read_timeout = 300ms;
  TestServer t(options);
  uint16_t port = t.start();
  Client slow(port);
  slow.send("GET /healthz HTTP/1.1\r\nHost: t\r\n");  // and never the blank line
  auto started = Clock::now();
  EXPECT_TRUE(slow.closed_by_server(3000ms));
  EXPECT_LT(Clock::now() - started, 2000ms);
}

TEST(HttpServer, HandlerExceptionsBecomeJsonErrors) {
  TestServer t;
  t.router.add("GET", "/throws", [](const Request&) -> Response {
    throw std::runtime_error("boom");
  });
  t.router.add("GET", "/missing", [](const Request&) -> Response {
    throw Error(ErrorKind::kNotFound, "no stack named dev");
  });
  uint16_t port = t.start();

  Reply crashed = get_once(port, "/throws");
  EXPECT_EQ(crashed.status, 500);
  EXPECT_EQ(error_code(crashed), "internal");
  EXPECT_EQ(crashed.body.find("boom"), std::string::npos);  // internals stay in the log

  Reply missing = get_once(port, "/missing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(error_code(missing), "not_found");
  EXPECT_NE(missing.body.find("no stack named dev"), std::string::npos);
}

TEST(HttpServer, KeepAliveAndPipelining) {
  TestServer t;
  std::atomic<int> calls{0};
  t.router.add("GET", "/n", [&](const Request&) {
    return text_response(200, std::to_string(++calls));
  });
  uint16_t port = t.start();

  Client client(port);
  client.get("/n");
  auto first = client.read_response();
  client.get("/n");
  auto second = client.read_response();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body, "1");
  EXPECT_EQ(second->body, "2");

  // Two requests in one packet are answered in order.
  client.send("GET /n HTTP/1.1\r\nHost: t\r\n\r\nGET /n HTTP/1.1\r\nHost: t\r\n\r\n");
  auto third = client.read_response();
  auto fourth = client.read_response();
  ASSERT_TRUE(third && fourth);
  EXPECT_EQ(third->body, "3");
  EXPECT_EQ(fourth->body, "4");
}

TEST(HttpServer, LongPollAnsweredLaterDoesNotBlockOthers) {
  TestServer t;
  ParkedRequests parked;
  t.router.add_async("GET", "/poll", [&](Request&, Responder responder) {
    parked.park(std::move(responder));
  });
  t.router.add("GET", "/now", [](const Request&) { return text_response(200, "now"); });
  uint16_t port = t.start();

  Client poller(port);
  auto started = Clock::now();
  poller.get("/poll");
  ASSERT_TRUE(parked.wait_for(1));
  std::thread answerer([&] {
    std::this_thread::sleep_for(200ms);
    for (Responder& responder : parked.take()) responder.send(text_response(200, "later"));
  });

  Reply now = get_once(port, "/now");
  EXPECT_EQ(now.body, "now");
  EXPECT_LT(Clock::now() - started, 200ms);

  auto later = poller.read_response();
  answerer.join();
  ASSERT_TRUE(later);
  EXPECT_EQ(later->body, "later");
  EXPECT_GE(Clock::now() - started, 200ms);
}

TEST(HttpServer, FiveHundredIdleLongPollsOnTwoThreads) {
  // 500 client sockets and 500 server sockets in one process.
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < 2048 && limit.rlim_max >= 2048) {
    limit.rlim_cur = 2048;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
  TestServer t;
  ParkedRequests parked;
  t.router.add_async("GET", "/poll/{n}", [&](Request& request, Responder responder) {
    std::string n(request.param("n"));
    responder.on_close([] {});
    parked.park(std::move(responder));
    (void)n;
  });
  uint16_t port = t.start();

  constexpr int kPolls = 500;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kPolls; ++i) {
    clients.push_back(std::make_unique<Client>(port));
    ASSERT_TRUE(clients.back()->connected());
    clients.back()->get("/poll/" + std::to_string(i));
  }
  ASSERT_TRUE(parked.wait_for(kPolls));
  // The test's main thread plus the two io threads (and nothing per connection).
  EXPECT_LE(thread_count(), 4);

  std::vector<Responder> responders = parked.take();
  for (Responder& responder : responders) responder.send(text_response(200, "done"));
  for (auto& client : clients) {
    auto reply = client->read_response();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->body, "done");
  }
}

TEST(HttpServer, StreamDeliversChunksInOrderAndNoticesDisconnect) {
  TestServer t;
  std::atomic<bool> producer_saw_close{false};
  std::atomic<bool> write_failed{false};
  std::mutex mu;
  std::condition_variable cv;
  std::thread producer;
  t.router.add_async("GET", "/events", [&](Request&, Responder responder) {
    responder.start_stream(200, {{"Content-Type", "text/event-stream"}});
    responder.on_close([&] {
      producer_saw_close = true;
      cv.notify_all();
    });
    producer = std::thread([&, responder]() mutable {
      for (int i = 1; i <= 3; ++i) responder.write("data: " + std::to_string(i) + "\n\n");
      // Keep writing until the client goes away.
      auto deadline = Clock::now() + 5s;
      while (Clock::now() < deadline && responder.write(": ping\n\n"))
        std::this_thread::sleep_for(20ms);
      write_failed = !responder.write(": ping\n\n");
    });
  });
  uint16_t port = t.start();

  auto client = std::make_unique<Client>(port);
  client->get("/events");
  auto head = client->read_head();
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->headers["content-type"], "text/event-stream");
  EXPECT_EQ(head->headers["transfer-encoding"], "chunked");
  for (int i = 1; i <= 3; ++i) {
    auto chunk = client->read_chunk();
    ASSERT_TRUE(chunk);
    EXPECT_EQ(*chunk, "data: " + std::to_string(i) + "\n\n");
  }
  client.reset();  // the browser tab closes

  {
    std::unique_lock<std::mutex> lock(mu);
    EXPECT_TRUE(cv.wait_for(lock, 3s, [&] { return producer_saw_close.load(); }));
  }
  producer.join();
  EXPECT_TRUE(write_failed);
}

TEST(HttpServer, DrainFinishesInFlightRequestsAndRefusesNewOnes) {
  TestServer t;
  ParkedRequests parked;
  t.router.add_async("GET", "/slow", [&](Request&, Responder responder) {
    parked.park(std::move(responder));
  });
  std::atomic<bool> stream_closed{false};
  ParkedRequests streams;  // the producer keeps its stream open until the server closes it
  t.router.add_async("GET", "/events", [&](Request&, Responder responder) {
    responder.start_stream(200, {{"Content-Type", "text/event-stream"}});
    responder.on_close([&] { stream_closed = true; });
    responder.write("data: hello\n\n");
    streams.park(std::move(responder));
  });
  uint16_t port = t.start();

  Client streaming(port);
  streaming.get("/events");
  ASSERT_TRUE(streaming.read_head());
  Client slow(port);
  slow.get("/slow");
  ASSERT_TRUE(parked.wait_for(1));
  ASSERT_TRUE(streams.wait_for(1));

  std::thread drainer([&] { t.server->drain(Clock::now() + 5s); });
  std::this_thread::sleep_for(100ms);
  Client refused(port);
  EXPECT_FALSE(refused.connected());

  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(stream_closed);  // drain waits for the request before closing streams
  for (Responder& responder : parked.take()) responder.send(text_response(200, "finished"));
  auto reply = slow.read_response();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->body, "finished");
  EXPECT_EQ(reply->headers["connection"], "close");

  EXPECT_EQ(streaming.read_chunk(), "data: hello\n\n");
  EXPECT_EQ(streaming.read_chunk(), "");  // the stream ended properly
  drainer.join();
  EXPECT_TRUE(stream_closed);
}

TEST(HttpServer, MetricsCountRequests) {
  TestServer t;
  t.router.add("GET", "/runs/{id}", [](const Request&) { return text_response(200, "run"); });
  t.metrics.add_route(t.router);
  uint16_t port = t.start();

  get_once(port, "/runs/1");
  get_once(port, "/runs/2");
  get_once(port, "/nowhere");
  Reply metrics = get_once(port, "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find(
                R"(strata_http_requests_total{method="GET",route="/runs/{id}",status="200"} 2)"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find(
                R"(strata_http_requests_total{method="GET",route="unmatched",status="404"} 1)"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("strata_http_request_duration_seconds_count"), std::string::npos);
}

}  // namespace
}  // namespace strata

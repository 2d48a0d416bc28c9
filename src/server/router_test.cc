// Router without a socket: a fake exchange records what the router answers.
#include "server/router.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "model/error.h"

namespace strata {
namespace {

class RecordingExchange : public detail::Exchange {
 public:
  bool send(Response response) override {
    sent = std::move(response);
    return true;
  }
  bool start_stream(int, HeaderList) override { return false; }
  bool write(std::string) override { return false; }
  void close() override {}
  void on_close(std::function<void()>) override {}
  bool open() const override { return true; }
  Response sent;
};

Response route(const Router& router, std::string method, std::string path, Request* seen = nullptr) {
  Request request;
  request.method = std::move(method);
  request.path = std::move(path);
  auto exchange = std::make_shared<RecordingExchange>();
  router.dispatch(request, Responder(exchange));
  if (seen) *seen = request;
  return exchange->sent;
}

TEST(HttpRouter, LiteralSegmentsBeatParameters) {
  Router router;
  router.add("GET", "/runs/{id}", [](const Request& r) { return text_response(200, "id " + std::string(r.param("id"))); });
  router.add("GET", "/runs/latest", [](const Request&) { return text_response(200, "latest"); });
  EXPECT_EQ(route(router, "GET", "/runs/latest").body, "latest");
  Request seen;
  EXPECT_EQ(route(router, "GET", "/runs/a%2Fb", &seen).body, "id a/b");
  EXPECT_EQ(seen.route, "/runs/{id}");
  EXPECT_EQ(route(router, "GET", "/runs/").status, 404);  // an empty segment is no id
  EXPECT_EQ(route(router, "GET", "/runs/1/x").status, 404);
}

TEST(HttpRouter, WrongMethodIs405WithAllow) {
  Router router;
  router.add("GET", "/tfstate/{key}", [](const Request&) { return text_response(200, ""); });
  router.add("LOCK", "/tfstate/{key}", [](const Request&) { return text_response(200, ""); });
  Response response = route(router, "POST", "/tfstate/prod");
  EXPECT_EQ(response.status, 405);
  ASSERT_EQ(response.headers.size(), 2u);
  EXPECT_EQ(response.headers[1], (std::pair<std::string, std::string>("Allow", "GET, LOCK")));
  auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["error"]["code"], "method_not_allowed");
}

TEST(HttpRouter, RejectsMalformedPatterns) {
  Router router;
  auto ok = [](const Request&) { return text_response(200, ""); };
  EXPECT_THROW(router.add("GET", "runs", ok), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/runs/{}", ok), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/runs/{id", ok), std::invalid_argument);
  router.add("GET", "/runs", ok);
  EXPECT_THROW(router.add("GET", "/runs", ok), std::invalid_argument);
}

TEST(HttpRouter, ErrorResponsesFollowTheErrorKindTable) {
  Response response = error_response(Error(ErrorKind::kConflict, "locked by run 7", {}, "wait"));
  EXPECT_EQ(response.status, 409);
  auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["error"]["code"], "conflict");
  EXPECT_EQ(body["error"]["message"], "locked by run 7");
  EXPECT_EQ(body["error"]["hint"], "wait");
}

}  // namespace
}  // namespace strata

#include "worker/http_connection.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/http_client.h"
#include "base/percent_escape.h"
#include "control/code_archive.h"
#include "control/control_plane.h"
#include "control/worker_protocol.h"
#include "model/error.h"
#include "remote/api_client.h"

namespace strata::worker {

namespace {

// The server's message and hint, from the API's error body.
std::string message_of(const app::HttpResponse& r) {
  remote::ApiError e = remote::read_api_error(r.body);
  return e.hint.empty() ? e.message : e.message + " (" + e.hint + ")";
}

std::string code_of(const app::HttpResponse& r) { return remote::read_api_error(r.body).code; }

}  // namespace

struct HttpConnection::Answer {
  app::HttpResponse response;
};

void HttpConnectionOptions::check() const {
  if (server.empty())
    throw Error("strata worker needs the server's URL", {}, "pass --server URL (or set STRATA_SERVER)");
  if (server.rfind("http://", 0) != 0 && server.rfind("https://", 0) != 0)
    throw Error("--server must be an http:// or https:// URL, not \"" + server + "\"", {},
                "for example --server http://127.0.0.1:8470");
  if (token.empty())
    throw Error("strata worker needs a join token", {},
                "pass --join-token TOKEN or set STRATA_WORKER_TOKEN (an admin makes one: `strata remote workers "
                "join-token`)");
}

HttpConnection::HttpConnection(HttpConnectionOptions options)
    : options_(std::move(options)), client_(app::make_curl_client({options_.ca_file})) {
  while (!options_.server.empty() && options_.server.back() == '/') options_.server.pop_back();
}

HttpConnection::~HttpConnection() = default;

app::HttpResponse HttpConnection::send(const app::HttpRequest& request) {
  // Past the server's rate limit (429): wait as Retry-After says and ask again, for up to a
  // minute in all — a worker slowed down, never one that drops its activity.
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    app::HttpResponse response = client_->send(request);
    if (response.status != 429 || std::chrono::steady_clock::now() >= give_up) return response;
    int seconds = std::atoi(response.header("retry-after").c_str());
    std::this_thread::sleep_for(std::chrono::seconds(std::clamp(seconds, 1, 30)));
  }
}

HttpConnection::Answer HttpConnection::post(const std::string& path, const std::string& body,
                                            const std::string& content_type) {
  app::HttpRequest request;
  request.method = "POST";
  request.url = options_.server + path;
  request.headers["Authorization"] = "Bearer " + bearer();
  request.headers["Content-Type"] = content_type;
  request.body = body;
  app::HttpResponse response = send(request);
  if (response.status == 401 || response.status == 403)
    throw Error(ErrorKind::kUserInput,
                options_.server + " refused the worker's " + (credential_.empty() ? "join token" : "credential") +
                    ": " + message_of(response),
                {},
                "pass a join token with --join-token or STRATA_WORKER_TOKEN (an admin makes one: "
                "`strata remote workers join-token`)");
  return Answer{std::move(response)};
}

void HttpConnection::register_worker(const store::WorkerRecord& worker) {
  Answer a = post("/api/v1/worker/register", control::dump_json(control::worker_to_json(worker)), "application/json");
  if (a.response.status == 409)
    throw Error(ErrorKind::kConflict, options_.server + ": " + message_of(a.response));
  if (a.response.status != 201)
    throw Error(ErrorKind::kEnvironment, options_.server + " did not register the worker (" +
                                             std::to_string(a.response.status) + "): " + message_of(a.response));
  nlohmann::json j = nlohmann::json::parse(a.response.body, nullptr, false);
  // A join token is exchanged for this worker's own credential (kept in memory only).
  if (j.is_object() && j.contains("credential") && j["credential"].is_string()) credential_ = j["credential"];
  if (j.is_object() && j.contains("lease_ms") && j["lease_ms"].is_number_integer() && j["lease_ms"].get<int64_t>() > 0)
    lease_duration_ = std::chrono::milliseconds(j["lease_ms"].get<int64_t>());
}

std::optional<Lease> HttpConnection::lease(const std::string& worker_id, const std::vector<std::string>& capabilities,
                                           std::chrono::milliseconds wait) {
  (void)capabilities;  // the server offers what the worker registered with
  nlohmann::json body = {{"worker_id", worker_id}, {"wait_ms", wait.count()}};
  Answer a = post("/api/v1/worker/lease", body.dump(), "application/json");
  if (a.response.status == 204) return std::nullopt;
  if (a.response.status != 200)
    throw Error(ErrorKind::kEnvironment, options_.server + " answered a lease request with " +
                                             std::to_string(a.response.status) + ": " + message_of(a.response));
  nlohmann::json j = nlohmann::json::parse(a.response.body, nullptr, false);
  return control::lease_from_json(j);
}

void HttpConnection::fetch_code(const Lease& lease, const std::string& dest) {
  app::HttpRequest request;
  request.url = options_.server + "/api/v1/worker/activities/" + lease.activity.id +
                "/code?fencing_token=" + std::to_string(lease.activity.fencing_token);
  request.headers["Authorization"] = "Bearer " + bearer();
  app::HttpResponse response = send(request);
  if (response.status != 200)
    throw Error(ErrorKind::kEnvironment, "cannot fetch the code of activity " + lease.activity.id + " (" +
                                             std::to_string(response.status) + "): " + message_of(response));
  control::unpack_code_archive(response.body, dest);
}

std::optional<std::string> HttpConnection::state_outputs(const store::Activity& activity, const std::string& stack,
                                                         const std::string& component) {
  app::HttpRequest request;
  request.url = options_.server + "/api/v1/worker/activities/" + activity.id +
                "/outputs?fencing_token=" + std::to_string(activity.fencing_token) +
                "&stack=" + percent_escape(stack) + "&component=" + percent_escape(component);
  request.headers["Authorization"] = "Bearer " + bearer();
  app::HttpResponse response = send(request);
  if (response.status == 409 && code_of(response) == "lease_lost") return std::nullopt;
  nlohmann::json j = response.status == 200 ? nlohmann::json::parse(response.body, nullptr, false) : nlohmann::json();
  if (!j.is_object() || !j.contains("outputs") || !j["outputs"].is_object())
    throw Error(ErrorKind::kEnvironment, "cannot read the outputs of " + stack + "/" + component + " from " +
                                             options_.server + " (" + std::to_string(response.status) +
                                             "): " + message_of(response));
  return j["outputs"].dump();
}

std::optional<std::string> HttpConnection::lock_holder(const store::Activity& activity, const std::string& stack,
                                                       const std::string& component) {
  app::HttpRequest request;
  request.url = options_.server + "/api/v1/worker/activities/" + activity.id +
                "/lock?fencing_token=" + std::to_string(activity.fencing_token) + "&stack=" + percent_escape(stack) +
                "&component=" + percent_escape(component);
  request.headers["Authorization"] = "Bearer " + bearer();
  app::HttpResponse response = send(request);
  nlohmann::json j = response.status == 200 ? nlohmann::json::parse(response.body, nullptr, false) : nlohmann::json();
  if (!j.is_object() || !j.contains("holder") || !j["holder"].is_string()) return std::nullopt;
  return j["holder"].get<std::string>();
}

store::LeaseCheck HttpConnection::activity_call(const store::Activity& activity, const std::string& what,
                                                nlohmann::json body, nlohmann::json* answer) {
  body["fencing_token"] = activity.fencing_token;
  Answer a = post("/api/v1/worker/activities/" + activity.id + "/" + what, control::dump_json(body),
                  "application/json");
  if (a.response.status == 409 && code_of(a.response) == "lease_lost") return store::LeaseCheck::kLost;
  if (a.response.status != 200)
    throw Error(ErrorKind::kEnvironment, options_.server + " answered " + what + " of activity " + activity.id +
                                             " with " + std::to_string(a.response.status) + ": " +
                                             message_of(a.response));
  if (answer) *answer = nlohmann::json::parse(a.response.body, nullptr, false);
  return store::LeaseCheck::kHeld;
}

store::LeaseCheck HttpConnection::start(const store::Activity& activity) {
  return activity_call(activity, "start", nlohmann::json::object());
}

store::LeaseCheck HttpConnection::heartbeat(const store::Activity& activity, bool* cancel) {
  nlohmann::json answer;
  store::LeaseCheck check = activity_call(activity, "heartbeat", nlohmann::json::object(), &answer);
  if (cancel) *cancel = answer.is_object() && answer.value("cancel", false);
  return check;
}

store::LeaseCheck HttpConnection::append_log(const store::Activity& activity, int64_t seq, const std::string& data) {
  Answer a = post("/api/v1/worker/activities/" + activity.id + "/logs?fencing_token=" +
                      std::to_string(activity.fencing_token) + "&seq=" + std::to_string(seq),
                  data, "text/plain; charset=utf-8");
  if (a.response.status == 409 && code_of(a.response) == "lease_lost") return store::LeaseCheck::kLost;
  if (a.response.status != 200)
    throw Error(ErrorKind::kEnvironment, options_.server + " did not store a log chunk (" +
                                             std::to_string(a.response.status) + "): " + message_of(a.response));
  return store::LeaseCheck::kHeld;
}

store::LeaseCheck HttpConnection::finish(const store::Activity& activity, const store::Finish& result) {
  return activity_call(activity, "finish", control::finish_to_json(result));
}

store::LeaseCheck HttpConnection::save_plan(const store::Activity& activity, const std::string& plan_file,
                                            const std::string& stamp) {
  return activity_call(activity, "plan", {{"activity_id", activity.id}, {"plan_file", plan_file}, {"stamp", stamp}});
}

store::LeaseCheck HttpConnection::release(const store::Activity& activity) {
  return activity_call(activity, "release", nlohmann::json::object());
}

}  // namespace strata::worker

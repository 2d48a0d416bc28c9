#include "server/api/api.h"

#include <nlohmann/json.hpp>
#include <set>

#include "model/error.h"
#include "secrets/crypto.h"
#include "server/api/api_json.h"
#include "server/api/log_streams.h"
#include "server/api/worker_api.h"
#include "server/api/openapi_json.h"
#include "server/router.h"
#include "store/json_list.h"

namespace strata::server {

using strata::Request;
using strata::Response;

namespace {

using Params = std::map<std::string, std::string, std::less<>>;

Response error_of(const Error& e) { return error_response(e); }


struct BasicAuth {
  std::string user;
  std::string password;
};
std::optional<BasicAuth> basic_auth(const Request& request) {
  std::string h(request.header("authorization"));
  if (h.size() < 7 || (h.rfind("Basic ", 0) != 0 && h.rfind("basic ", 0) != 0)) return std::nullopt;
  std::optional<std::string> decoded = secrets::base64_decode_std(h.substr(6));
  if (!decoded) return std::nullopt;
  size_t colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return BasicAuth{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

}  // namespace

Response bad_request(const Error& e) {
  Response r = error_response(e);
  r.status = 400;
  nlohmann::json body = nlohmann::json::parse(r.body);
  body["error"]["code"] = "bad_request";
  r.body = body.dump();
  return r;
}

std::string bearer(const Request& request) {
  std::string h(request.header("authorization"));
  if (h.size() > 7 && (h.rfind("Bearer ", 0) == 0 || h.rfind("bearer ", 0) == 0)) return h.substr(7);
  return "";
}

Response unauthorized(const std::string& message, const std::string& challenge) {
  Response r = error_response(401, "unauthorized", message);
  r.headers.emplace_back("WWW-Authenticate", challenge == "Basic" ? "Basic realm=\"strata\"" : "Bearer");
  return r;
}

struct Api::Impl {
  control::ControlPlane& control;
  HttpMetrics* metrics;
  Router router;
  LogStreams streams;

  Impl(control::ControlPlane& c, HttpMetrics* m) : control(c), metrics(m), streams(c) {}

  std::string repository_name(const std::string& id) {
    std::optional<store::Repository> repo = control.store().repository(id);
    return repo ? repo->name : id;
  }

  nlohmann::json run_json(const store::Run& run, bool with_activities) {
    nlohmann::json j = to_json(run, repository_name(run.repository_id));
    if (with_activities) {
      j["activities"] = nlohmann::json::array();
      for (const store::Activity& a : control.store().activities(run.id)) j["activities"].push_back(to_json(a));
    }
    return j;
  }

  // --- /api/v1 (every route needs a token)
  Response repositories_add(const Request& request, const Params&) {
    NewRepository body;
    try {
      body = parse_new_repository(request.body);
    } catch (const Error& e) {
      return bad_request(e);
    }
    return json_response(201, to_json(control.add_repository(body.name, body.url)));
  }
  Response repositories_list(const Request&, const Params&) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : control.store().repositories()) list.push_back(to_json(r));
    return json_response(200, {{"repositories", list}});
  }
  Response runs_start(const Request& request, const Params&, const store::ApiToken& who) {
    control::RunRequest body;
    try {
      body = parse_run_request(request.body);
    } catch (const Error& e) {
      return bad_request(e);
    }
    store::Run run = control.start_run(body, who.id);
    return json_response(201, run_json(run, true));
  }
  Response runs_list(const Request& request, const Params&) {
    size_t limit = 50;
    std::string text = std::string(request.query("limit"));
    if (!text.empty()) {
      char* end = nullptr;
      long n = std::strtol(text.c_str(), &end, 10);
      if (*end || n < 1 || n > 1000)
        return error_response(400, "bad_request", "limit must be a number from 1 to 1000, not \"" + text + "\"");
      limit = static_cast<size_t>(n);
    }
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : control.store().runs(limit)) list.push_back(run_json(r, false));
    return json_response(200, {{"runs", list}});
  }
  std::optional<store::Run> find_run(const std::string& id) { return control.store().run(id); }
  Response no_run(const std::string& id) {
    return error_response(404, "not_found", "no run " + id);
  }
  Response runs_show(const Request&, const Params& p) {
    std::optional<store::Run> run = find_run(p.at("id"));
    if (!run) return no_run(p.at("id"));
    return json_response(200, run_json(*run, true));
  }
  Response runs_cancel(const Request&, const Params& p) {
    std::optional<store::Run> run = find_run(p.at("id"));
    if (!run) return no_run(p.at("id"));
    control.store().request_cancel(run->id, store::now_millis());
    return json_response(202, run_json(*control.store().run(run->id), true));
  }
  Response runs_logs(const Request& request, const Params& p) {
    std::optional<store::Run> run = find_run(p.at("id"));
    if (!run) return no_run(p.at("id"));
    std::string only = std::string(request.query("activity"));
    std::string text;
    bool found = only.empty();
    for (const store::Activity& a : control.store().activities(run->id)) {
      if (!only.empty() && a.id != only) continue;
      found = true;
      text += "== " + a.stack + "/" + a.component + " (" + a.status + ") ==\n";
      for (const store::LogChunk& chunk : control.store().logs(a.id, -1)) text += chunk.data;
      if (!text.empty() && text.back() != '\n') text += '\n';
    }
    if (!found) return error_response(404, "not_found", "run " + run->id + " has no activity " + only);
    return text_response(200, std::move(text));
  }
  Response workers_list(const Request&, const Params&) {
    nlohmann::json list = nlohmann::json::array();
    store::Millis now = store::now_millis();
    for (const auto& w : control.store().workers()) list.push_back(to_json(w, now));
    return json_response(200, {{"workers", list}});
  }

  // --- /tfstate/<key>: Terraform's http backend (DESIGN §11.9)
  Response tfstate(const Request& request, const std::string& key) {
    std::optional<BasicAuth> auth = basic_auth(request);
    if (!auth) return unauthorized("the state backend needs basic auth", "Basic");
    bool admin = false;
    std::optional<store::Activity> activity;
    if (auth->user == "activity") {
      activity = control.activity_for_credential(auth->password);
      if (!activity) return unauthorized("this activity's lease is over, or the credential is wrong", "Basic");
    } else {
      std::optional<store::ApiToken> token = control.authenticate(auth->password);
      if (!token) return unauthorized("unknown token (the password must be an API token)", "Basic");
      if (!token->admin) return error_response(403, "forbidden", "only an admin token reaches the state backend");
      admin = true;
    }
    const std::string& method = request.method;
    if (activity) {
      // An activity reads the state of its repository (its dependencies' outputs) and writes
      // only its own component's.
      std::optional<store::Run> run = control.store().run(activity->run_id);
      std::string repo = run ? repository_name(run->repository_id) : "";
      std::string own = control::state_key(repo, activity->stack, activity->component);
      bool reading = method == "GET";
      if (reading ? key.rfind(control::url_escape(repo) + "/", 0) != 0 : key != own)
        return error_response(403, "forbidden",
                              "activity " + activity->id + " may " + (reading ? "read state of its repository" : "write only " + own));
    }
    store::Store& store = control.store();
    if (method == "GET") {
      std::optional<store::StateVersion> state = store.latest_state(key);
      if (!state) return error_response(404, "not_found", "no state at " + key);
      Response r;
      r.status = 200;
      r.headers.emplace_back("Content-Type", "application/json");
      r.body = state->data;
      return r;
    }
    if (method == "POST") {
      std::string id = std::string(request.query("ID"));
      std::optional<store::StateLock> lock = store.state_lock(key);
      if (lock && lock->lock_id != id) {
        Response r;
        r.status = 423;
        r.headers.emplace_back("Content-Type", "application/json");
        r.body = lock->info_json;
        return r;
      }
      nlohmann::json doc = nlohmann::json::parse(request.body, nullptr, false);
      if (!doc.is_object()) return error_response(400, "bad_request", "the state is not a JSON object");
      // What Terraform checks before it pushes a state, kept by the server for every writer: a
      // write never goes back in time, nor replaces the state with another one. An admin may
      // overwrite with ?force=true (as `terraform state push -force`).
      if (std::optional<store::StateVersion> latest = store.latest_state(key);
          latest && !(admin && request.query("force") == "true")) {
        auto [held_serial, held_lineage] = store::serial_and_lineage(latest->data);
        auto [serial, lineage] = store::serial_and_lineage(request.body);
        if (!held_lineage.empty() && lineage != held_lineage)
          return error_response(Error(ErrorKind::kConflict,
                                      "the state at " + key + " has lineage " + held_lineage + "; this one has " +
                                          (lineage.empty() ? "none" : lineage) + ": it is another state, not a newer one",
                                      {},
                                      "pull the server's state (terraform state pull) and work from it; an admin can "
                                      "replace it with ?force=true"));
        if (serial < held_serial)
          return error_response(Error(ErrorKind::kConflict,
                                      "serial " + std::to_string(serial) + " is older than the server's " +
                                          std::to_string(held_serial) + " for " + key + ": the write would lose changes",
                                      {},
                                      "plan and apply again on the latest state; an admin can overwrite with "
                                      "?force=true"));
      }
      store.put_state(key, request.body, store::now_millis());
      return json_response(200, nlohmann::json::object());
    }
    if (method == "DELETE") {
      store.delete_state(key);
      return json_response(200, nlohmann::json::object());
    }
    if (method == "LOCK") {
      nlohmann::json info = nlohmann::json::parse(request.body, nullptr, false);
      if (!info.is_object() || !info.contains("ID") || !info["ID"].is_string())
        return error_response(400, "bad_request", "LOCK needs Terraform's LockInfo JSON with an ID");
      store::StateLock lock{key, info["ID"].get<std::string>(), request.body, store::now_millis()};
      if (std::optional<store::StateLock> holder = store.lock_state(lock)) {
        Response r;
        r.status = 423;
        r.headers.emplace_back("Content-Type", "application/json");
        r.body = holder->info_json;
        return r;
      }
      return json_response(200, nlohmann::json::object());
    }
    if (method == "UNLOCK") {
      if (request.body.empty()) {
        // `terraform force-unlock` sends no LockInfo: only an admin may break a lock.
        if (!admin) return error_response(403, "forbidden", "force-unlock needs an admin token");
        store.unlock_state(key, "", true);
        return json_response(200, nlohmann::json::object());
      }
      nlohmann::json info = nlohmann::json::parse(request.body, nullptr, false);
      if (!info.is_object() || !info.contains("ID") || !info["ID"].is_string())
        return error_response(400, "bad_request", "UNLOCK needs the LockInfo JSON the lock was taken with");
      if (!store.unlock_state(key, info["ID"].get<std::string>(), false)) {
        Response r;
        r.status = 423;
        r.headers.emplace_back("Content-Type", "application/json");
        std::optional<store::StateLock> holder = store.state_lock(key);
        r.body = holder ? holder->info_json : "{}";
        return r;
      }
      return json_response(200, nlohmann::json::object());
    }
    Response r = error_response(405, "method_not_allowed", method + " is not part of the state backend");
    r.headers.emplace_back("Allow", "GET, POST, DELETE, LOCK, UNLOCK");
    return r;
  }
};

Api::Api(control::ControlPlane& control, HttpMetrics* metrics) : impl_(std::make_unique<Impl>(control, metrics)) {
  Impl& i = *impl_;
  using Handler = Response (Impl::*)(const Request&, const Params&);
  // Routes that need any valid token.
  auto authed = [&i](Handler h) {
    return [&i, h](const Request& request) -> Response {
      const Params& params = request.params;
      if (!i.control.authenticate(bearer(request)))
        return unauthorized(bearer(request).empty() ? "this needs an API token (Authorization: Bearer TOKEN)"
                                                    : "unknown or expired token");
      try {
        return (i.*h)(request, params);
      } catch (const Error& e) {
        return error_of(e);
      }
    };
  };
  i.router.add("GET", "/healthz", [](const Request&) {
    return json_response(200, {{"status", "ok"}});
  });
  if (metrics) metrics->add_route(i.router);
  i.router.add("GET", "/api/v1/openapi.json", [](const Request&) {
    Response r;
    r.status = 200;
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = openapi_json();
    return r;
  });
  i.router.add("POST", "/api/v1/repositories", authed(&Impl::repositories_add));
  i.router.add("GET", "/api/v1/repositories", authed(&Impl::repositories_list));
  i.router.add("POST", "/api/v1/runs", [&i](const Request& request) -> Response {
    const Params& params = request.params;
    std::optional<store::ApiToken> who = i.control.authenticate(bearer(request));
    if (!who) return unauthorized("this needs an API token (Authorization: Bearer TOKEN)");
    try {
      return i.runs_start(request, params, *who);
    } catch (const Error& e) {
      return error_of(e);
    }
  });
  i.router.add("GET", "/api/v1/runs", authed(&Impl::runs_list));
  i.router.add("GET", "/api/v1/runs/{id}", authed(&Impl::runs_show));
  i.router.add("POST", "/api/v1/runs/{id}/cancel", authed(&Impl::runs_cancel));
  // ?follow=true (or Accept: text/event-stream): server-sent events while the run goes on.
  i.router.add_async("GET", "/api/v1/runs/{id}/logs", [&i](Request& request, Responder responder) {
    if (!i.control.authenticate(bearer(request))) {
      responder.send(unauthorized(bearer(request).empty() ? "this needs an API token (Authorization: Bearer TOKEN)"
                                                          : "unknown or expired token"));
      return;
    }
    bool follow = request.query("follow") == "true" || request.query("follow") == "1" ||
                  request.header("accept").find("text/event-stream") != std::string_view::npos;
    if (!follow) {
      Response r;
      try {
        r = i.runs_logs(request, request.params);
      } catch (const Error& e) {
        r = error_of(e);
      }
      responder.send(std::move(r));
      return;
    }
    std::string id(request.param("id"));
    std::string only(request.query("activity"));
    if (!i.find_run(id)) {
      responder.send(i.no_run(id));
      return;
    }
    i.streams.follow(id, only, std::move(responder));
  });
  i.router.add("GET", "/api/v1/workers", authed(&Impl::workers_list));
  add_worker_routes(i.router, control, STRATA_VERSION);
}

Api::~Api() = default;

void Api::handle(Request& request, Responder responder) {
  Impl& i = *impl_;
  if (request.path.rfind("/tfstate/", 0) == 0) {
    std::string key = request.path.substr(9);
    Response r;
    try {
      r = key.empty() ? error_response(404, "not_found", "no state key in the path")
                      : i.tfstate(request, key);
    } catch (const Error& e) {
      r = error_of(e);
    }
    responder.send(std::move(r));
    return;
  }
  i.router.dispatch(request, std::move(responder));
}

}  // namespace strata::server

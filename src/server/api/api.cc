#include "server/api/api.h"

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "control/authorization.h"
#include "model/error.h"
#include "server/api/api_json.h"
#include "server/api/auth_api.h"
#include "server/api/github_api.h"
#include "server/api/log_streams.h"
#include "server/api/worker_api.h"
#include "server/api/openapi_json.h"
#include "server/api/state_api.h"
#include "server/api/tokens_api.h"
#include "server/api/variables_api.h"
#include "secrets/crypto.h"
#include "server/router.h"
#include "store/json_list.h"

namespace strata::server {

using strata::Request;
using strata::Response;

namespace {

using Params = std::map<std::string, std::string, std::less<>>;

Response error_of(const Error& e) { return error_response(e); }


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

std::string actor_of(const store::ApiToken& token) {
  if (!token.session_of.empty()) return "user:" + token.session_of;
  return (control::kind_of(token) == control::TokenKind::kWorker ? "worker:" : "token:") + token.name;
}

std::string cookie(const Request& request, std::string_view name) {
  std::string_view all = request.header("cookie");
  while (!all.empty()) {
    size_t end = all.find(';');
    std::string_view pair = all.substr(0, end);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name && pair[name.size()] == '=')
      return std::string(pair.substr(name.size() + 1));
    if (end == std::string_view::npos) break;
    all.remove_prefix(end + 1);
  }
  return "";
}

std::optional<store::ApiToken> signed_in(control::ControlPlane& control, const Request& request, bool expired_too,
                                         Response* refused) {
  std::optional<store::ApiToken> who = control.authenticate_session(cookie(request, kSessionCookie), expired_too);
  if (!who) {
    note_refused_credential(control, request);
    *refused = unauthorized(expired_too ? "no sign-in session that still lasts: sign in again (/auth/login)"
                                        : "the sign-in session is over, revoked or not this server's: refresh it "
                                          "(POST /auth/refresh) or sign in again (/auth/login)");
    return std::nullopt;
  }
  // A browser sends the cookie with any request a page makes; a request that changes anything
  // (and a refresh or logout) must also carry the CSRF cookie's value in a header, which only
  // this server's pages can read.
  const std::string& m = request.method;
  if (m != "GET" && m != "HEAD" && m != "OPTIONS") {
    if (std::optional<std::string> why = csrf_refusal(request)) {
      *refused = denied(control, request, *who, *why);
      return std::nullopt;
    }
  }
  return who;
}

std::optional<std::string> csrf_refusal(const Request& request) {
  std::string expected = cookie(request, kCsrfCookie);
  if (!expected.empty() && secrets::equal_in_constant_time(expected, std::string(request.header("x-strata-csrf"))))
    return std::nullopt;
  return "a signed-in " + request.method + " needs the X-Strata-CSRF header (the strata_csrf cookie's value)";
}

void audit(control::ControlPlane& control, const Request& request, const std::string& actor,
           const std::string& action, const std::string& target, const nlohmann::json& detail,
           const std::string& outcome, const std::string& account) {
  control.store().append_audit(store::AuditEntry{"", actor, action, target, detail.dump(), outcome,
                                                 request.remote_address, store::now_millis(), account});
}

void audit(control::ControlPlane& control, const Request& request, const store::ApiToken& who,
           const std::string& action, const std::string& target, const nlohmann::json& detail,
           const std::string& outcome) {
  audit(control, request, actor_of(who), action, target, detail, outcome, who.account);
}

Response denied(control::ControlPlane& control, const Request& request, const store::ApiToken& who,
                const std::string& why) {
  audit(control, request, who, "access.denied", request.method + " " + request.path,
        {{"why", why}, {"role", control::role_label(who)}}, "denied");
  return error_response(403, "forbidden", why);
}

namespace {
Response too_many(const std::string& message, std::chrono::milliseconds wait, const std::string& hint) {
  Response r = error_response(Error(ErrorKind::kUserInput, message, {}, hint));
  r.status = 429;
  nlohmann::json body = nlohmann::json::parse(r.body);
  body["error"]["code"] = "rate_limited";
  r.body = body.dump();
  r.headers.emplace_back("Retry-After", std::to_string(std::max<int64_t>(1, (wait.count() + 999) / 1000)));
  return r;
}

}  // namespace

// The client's address without its port (the server writes ADDRESS:PORT): "127.0.0.1", "::1".
std::string client_address(const Request& request) {
  const std::string& a = request.remote_address;
  size_t colon = a.rfind(':');
  return colon == std::string::npos ? a : a.substr(0, colon);
}

std::optional<Response> refuse_failing_address(control::ControlPlane& control, const Request& request) {
  std::chrono::milliseconds wait = control.rate_limiter().wait(control::RateClass::kAuthFailures, client_address(request));
  if (wait.count() == 0) return std::nullopt;
  return too_many("too many refused credentials from " + client_address(request) + " lately", wait,
                  "check the token; this address may try again after Retry-After seconds");
}

void note_refused_credential(control::ControlPlane& control, const Request& request) {
  control.rate_limiter().take(control::RateClass::kAuthFailures, client_address(request));
}

std::optional<Response> over_limit(control::ControlPlane& control, control::RateClass c, const std::string& key,
                                   const std::string& who) {
  std::chrono::milliseconds wait = control.rate_limiter().take(c, key);
  if (wait.count() == 0) return std::nullopt;
  const control::RateLimit& limit = control.rate_limiter().limits().of(c);
  return too_many(who + " made more " + control::rate_class_name(c) + " requests than its limit, " +
                      control::format_rate_limit(limit) + " (rate:burst)",
                  wait, "wait Retry-After seconds and send fewer requests (the server's --rate-limit sets the limit)");
}

std::optional<Response> account_over_limit(control::ControlPlane& control, const store::ApiToken& who) {
  std::chrono::milliseconds wait = control.take_account_request(who.account);
  if (wait.count() == 0) return std::nullopt;
  return too_many("account " + who.account + " made more requests than its limit", wait,
                  "wait Retry-After seconds and send fewer requests (the account's rate limit, or the server's "
                  "--rate-limit account=…, sets it)");
}

namespace {
// A caller known by its token or session: within its rate limits, and allowed by the table.
std::optional<store::ApiToken> checked(control::ControlPlane& control, const Request& request, store::ApiToken who,
                                       Response* refused, std::string_view repository, std::string_view as) {
  const control::RateClass c =
      request.route.rfind("/api/v1/worker/", 0) == 0 ? control::RateClass::kWorker : control::RateClass::kApi;
  const std::string named = who.session_of.empty() ? "token \"" + who.name + "\"" : who.session_of + "'s session";
  if (std::optional<Response> r = over_limit(control, c, who.id, named)) {
    *refused = std::move(*r);
    return std::nullopt;
  }
  if (std::optional<Response> r = account_over_limit(control, who)) {
    *refused = std::move(*r);
    return std::nullopt;
  }
  const control::RouteRule* rule = control::rule_for(as.empty() ? request.method : as, request.route);
  const std::string account = repository.empty() ? "" : control.repository_account(repository);
  std::optional<std::string> why =
      rule ? control::route_refusal(who, *rule, repository, account)
           : std::optional<std::string>("no rule says who may " + request.method + " " + request.route);
  if (why) {
    *refused = denied(control, request, who, *why);
    return std::nullopt;
  }
  return who;
}
}  // namespace

std::optional<store::ApiToken> who_asks(control::ControlPlane& control, const Request& request, Response* refused,
                                        std::string_view repository, std::string_view as) {
  if (std::optional<Response> r = refuse_failing_address(control, request)) {
    *refused = std::move(*r);
    return std::nullopt;
  }
  // A browser signed in: its session cookie, when no token is given.
  if (bearer(request).empty() && !cookie(request, kSessionCookie).empty()) {
    std::optional<store::ApiToken> who = signed_in(control, request, /*expired_too=*/false, refused);
    if (!who) return std::nullopt;
    return checked(control, request, std::move(*who), refused, repository, as);
  }
  std::optional<store::ApiToken> who = control.authenticate(bearer(request));
  if (!who) {
    note_refused_credential(control, request);
    *refused = unauthorized(bearer(request).empty() ? "this needs an API token (Authorization: Bearer TOKEN)"
                                                    : "unknown, expired or revoked token");
    return std::nullopt;
  }
  return checked(control, request, std::move(*who), refused, repository, as);
}


std::optional<Response> refuse_outside(control::ControlPlane& control, const Request& request,
                                       const store::ApiToken& who, const std::string& repository) {
  const std::string account = control.repository_account(repository);
  if (!control::outside_scope(who, repository, account)) return std::nullopt;
  return denied(control, request, who, *control::refusal(who, control::Role::kViewer, repository, account));
}

std::optional<size_t> query_limit(const Request& request, size_t fallback, Response* refused) {
  std::string text(request.query("limit"));
  if (text.empty()) return fallback;
  char* end = nullptr;
  long n = std::strtol(text.c_str(), &end, 10);
  if (*end || n < 1 || n > 1000) {
    *refused = error_response(400, "bad_request", "limit must be a number from 1 to 1000, not \"" + text + "\"");
    return std::nullopt;
  }
  return static_cast<size_t>(n);
}

struct Api::Impl {
  control::ControlPlane& control;
  HttpMetrics* metrics;
  Router router;
  LogStreams streams;
  StateApi states;

  Impl(control::ControlPlane& c, HttpMetrics* m) : control(c), metrics(m), streams(c), states(c) {}

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

  // --- /api/v1 (every route needs a token; who_asks checks its role before these run)
  using Who = store::ApiToken;
  Response repositories_add(const Request& request, const Params&, const Who& who) {
    NewRepository body;
    try {
      body = parse_new_repository(request.body);
    } catch (const Error& e) {
      return bad_request(e);
    }
    // A token of an account registers its account's repositories; the server's own name any
    // account (or none).
    const std::string account = body.account.value_or(who.account);
    if (!control::sees_account(who, account))
      return denied(control, request, who,
                    "token \"" + who.name + "\" belongs to account " + who.account +
                        ": it registers repositories of that account only");
    if (control::outside_scope(who, body.name, account))
      return denied(control, request, who, *control::refusal(who, control::Role::kViewer, body.name, account));
    store::Repository added = control.add_repository(body.name, body.url, account, body.github, body.webhook_secret,
                                                       body.auto_destroy);
    audit(control, request, who, "repository.add", added.name,
          {{"url", added.url}, {"account", added.account}, {"github", added.github}, {"auto_destroy", added.auto_destroy}},
          "ok");
    return json_response(201, to_json(added));
  }
  Response repositories_list(const Request&, const Params&, const Who& who) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : control.store().repositories())
      if (!control::outside_scope(who, r.name, r.account)) list.push_back(to_json(r));
    return json_response(200, {{"repositories", list}});
  }
  Response accounts_add(const Request& request, const Params&, const Who& who) {
    NewAccount body;
    try {
      body = parse_new_account(request.body);
    } catch (const Error& e) {
      return bad_request(e);
    }
    store::Account added = control.create_account(body.name, body.kind, body.rate_limit, who.id);
    audit(control, request, actor_of(who), "account.create", "account:" + added.name,
          {{"kind", added.kind}, {"rate_limit", added.rate_limit}}, "ok", added.name);
    return json_response(201, to_json(added));
  }
  Response accounts_list(const Request&, const Params&, const Who& who) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& a : control.store().accounts())
      if (control::sees_account(who, a.name)) list.push_back(to_json(a));
    return json_response(200, {{"accounts", list}});
  }
  Response runs_start(const Request& request, const Params&, const Who& who) {
    control::RunRequest body;
    try {
      body = parse_run_request(request.body);
    } catch (const Error& e) {
      return bad_request(e);
    }
    std::optional<store::Repository> repo = control.store().repository(body.repository);
    if (auto refused = refuse_outside(control, request, who, repo ? repo->name : body.repository)) return *refused;
    store::Run run = control.start_run(body, who.id);
    return json_response(201, run_json(run, true));
  }
  // POST /api/v1/runs/{id}/apply: the plan run's saved plans, applied as they are.
  Response runs_apply(const Request& request, const Params& p, const Who& who) {
    if (!request.body.empty() && request.body.find_first_not_of(" \t\r\n{}") != std::string::npos)
      return error_response(400, "bad_request", "POST /api/v1/runs/{id}/apply takes no body (or {})");
    std::optional<store::Run> run = find_run(p.at("id"));
    if (!run) return no_run(p.at("id"));
    if (auto refused = refuse_outside(control, request, who, repository_name(run->repository_id))) return *refused;
    return json_response(201, run_json(control.apply_plan(run->id, who.id), true));
  }
  Response runs_list(const Request& request, const Params&, const Who& who) {
    Response refused;
    std::optional<size_t> limit = query_limit(request, 50, &refused);
    if (!limit) return refused;
    // The repositories once, not a lookup per run.
    std::map<std::string, store::Repository> repositories;
    for (store::Repository& r : control.store().repositories()) repositories.emplace(r.id, std::move(r));
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : control.store().runs(*limit)) {
      auto repo = repositories.find(r.repository_id);
      const store::Repository* known = repo == repositories.end() ? nullptr : &repo->second;
      const std::string name = known ? known->name : r.repository_id;
      if (!control::outside_scope(who, name, known ? known->account : "")) list.push_back(to_json(r, name));
    }
    return json_response(200, {{"runs", list}});
  }
  std::optional<store::Run> find_run(const std::string& id) { return control.store().run(id); }
  Response no_run(const std::string& id) {
    return error_response(404, "not_found", "no run " + id);
  }
  // The run `id` when `who` may see it; else the answer (404, or the audited 403).
  std::optional<store::Run> visible_run(const Request& request, const std::string& id, const Who& who,
                                        Response* refused) {
    std::optional<store::Run> run = find_run(id);
    if (!run) {
      *refused = no_run(id);
      return std::nullopt;
    }
    if (auto outside = refuse_outside(control, request, who, repository_name(run->repository_id))) {
      *refused = *outside;
      return std::nullopt;
    }
    return run;
  }
  Response runs_show(const Request& request, const Params& p, const Who& who) {
    Response refused;
    std::optional<store::Run> run = visible_run(request, p.at("id"), who, &refused);
    if (!run) return refused;
    return json_response(200, run_json(*run, true));
  }
  Response runs_cancel(const Request& request, const Params& p, const Who& who) {
    Response refused;
    std::optional<store::Run> run = visible_run(request, p.at("id"), who, &refused);
    if (!run) return refused;
    control.store().request_cancel(run->id, store::now_millis());
    return json_response(202, run_json(*control.store().run(run->id), true));
  }
  Response runs_logs(const Request& request, const Params& p, const Who& who) {
    Response refused;
    std::optional<store::Run> run = visible_run(request, p.at("id"), who, &refused);
    if (!run) return refused;
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
  Response workers_list(const Request&, const Params&, const Who&) {
    nlohmann::json list = nlohmann::json::array();
    store::Millis now = store::now_millis();
    for (const auto& w : control.store().workers()) list.push_back(to_json(w, now));
    return json_response(200, {{"workers", list}});
  }
};

Api::Api(control::ControlPlane& control, HttpMetrics* metrics) : impl_(std::make_unique<Impl>(control, metrics)) {
  Impl& i = *impl_;
  using Handler = Response (Impl::*)(const Request&, const Params&, const store::ApiToken&);
  // Every route here: a token whose role the table allows (who_asks), then the handler.
  auto authed = [&i](Handler h) {
    return [&i, h](const Request& request) -> Response {
      Response refused;
      std::optional<store::ApiToken> who = who_asks(i.control, request, &refused);
      if (!who) return refused;
      try {
        return (i.*h)(request, request.params, *who);
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
  i.router.add("POST", "/api/v1/accounts", authed(&Impl::accounts_add));
  i.router.add("GET", "/api/v1/accounts", authed(&Impl::accounts_list));
  i.router.add("POST", "/api/v1/repositories", authed(&Impl::repositories_add));
  i.router.add("GET", "/api/v1/repositories", authed(&Impl::repositories_list));
  i.router.add("POST", "/api/v1/runs", authed(&Impl::runs_start));
  i.router.add("GET", "/api/v1/runs", authed(&Impl::runs_list));
  i.router.add("GET", "/api/v1/runs/{id}", authed(&Impl::runs_show));
  i.router.add("POST", "/api/v1/runs/{id}/cancel", authed(&Impl::runs_cancel));
  i.router.add("POST", "/api/v1/runs/{id}/apply", authed(&Impl::runs_apply));
  // ?follow=true (or Accept: text/event-stream): server-sent events while the run goes on.
  i.router.add_async("GET", "/api/v1/runs/{id}/logs", [&i](Request& request, Responder responder) {
    Response refused;
    std::optional<store::ApiToken> who = who_asks(i.control, request, &refused);
    if (!who) {
      responder.send(std::move(refused));
      return;
    }
    bool follow = request.query("follow") == "true" || request.query("follow") == "1" ||
                  request.header("accept").find("text/event-stream") != std::string_view::npos;
    if (!follow) {
      Response r;
      try {
        r = i.runs_logs(request, request.params, *who);
      } catch (const Error& e) {
        r = error_of(e);
      }
      responder.send(std::move(r));
      return;
    }
    std::string id(request.param("id"));
    std::string only(request.query("activity"));
    if (!i.visible_run(request, id, *who, &refused)) {
      responder.send(std::move(refused));
      return;
    }
    i.streams.follow(id, only, std::move(responder));
  });
  i.router.add("GET", "/api/v1/workers", authed(&Impl::workers_list));
  i.states.add_routes(i.router);
  add_variable_routes(i.router, control);
  add_token_routes(i.router, control);
  add_auth_routes(i.router, control);
  add_github_routes(i.router, control);
  add_worker_routes(i.router, control, STRATA_VERSION);
}

Api::~Api() = default;

std::vector<std::pair<std::string, std::string>> Api::routes() const { return impl_->router.routes(); }

void Api::handle(Request& request, Responder responder) {
  Impl& i = *impl_;
  if (request.path.rfind("/tfstate/", 0) == 0) {
    std::string key = request.path.substr(9);
    Response r;
    try {
      r = key.empty() ? error_response(404, "not_found", "no state key in the path")
                      : i.states.tfstate(request, key);
    } catch (const Error& e) {
      r = error_of(e);
    }
    responder.send(std::move(r));
    return;
  }
  i.router.dispatch(request, std::move(responder));
}

}  // namespace strata::server

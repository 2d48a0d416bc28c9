#include "server/api/github_api.h"

#include <nlohmann/json.hpp>

#include "control/authorization.h"
#include "model/error.h"
#include "server/api/api.h"
#include "server/api/api_json.h"

namespace strata::server {

namespace {

nlohmann::json stack_state_json(const store::StackState& s, const std::string& repository) {
  return {{"id", s.id},
          {"repository", repository},
          {"stack", s.stack},
          {"status", s.status},
          {"commit", text_or_null(s.commit)},
          {"state_key", s.state_key},
          {"components", s.components},
          {"alert", text_or_null(s.alert)},
          {"destroy_run", text_or_null(s.destroy_run)},
          {"created_at", time_json(s.created_at)},
          {"updated_at", time_json(s.updated_at)}};
}

nlohmann::json event_json(const store::Event& e, const std::string& repository) {
  nlohmann::json detail = nlohmann::json::parse(e.detail_json, nullptr, false);
  return {{"id", e.id},
          {"seq", e.seq},
          {"repository", text_or_null(repository)},
          {"account", text_or_null(e.account)},
          {"kind", e.kind},
          {"subject", e.subject},
          {"detail", detail.is_discarded() ? nlohmann::json::object() : detail},
          {"created_at", time_json(e.created_at)}};
}

nlohmann::json delivery_json(const store::WebhookDelivery& d, const std::string& repository) {
  return {{"id", d.id},
          {"repository", repository},
          {"event", d.event},
          {"action", text_or_null(d.action)},
          {"status", d.status},
          {"outcome", text_or_null(d.outcome)},
          {"attempt", d.attempt},
          {"received_at", time_json(d.received_at)},
          {"finished_at", time_json(d.finished_at)}};
}

// The repositories `who` may see, by id.
std::map<std::string, store::Repository> visible_repositories(control::ControlPlane& control,
                                                              const store::ApiToken& who) {
  std::map<std::string, store::Repository> out;
  for (store::Repository& r : control.store().repositories())
    if (!control::outside_scope(who, r.name, r.account)) out.emplace(r.id, std::move(r));
  return out;
}

// ?repository=NAME: that repository when `who` may see it ("" when the query names none); else
// the answer in *refused.
std::optional<std::string> repository_filter(control::ControlPlane& control, const Request& request,
                                             const store::ApiToken& who, Response* refused) {
  std::string name(request.query("repository"));
  if (name.empty()) return std::string();
  std::optional<store::Repository> repo = control.store().repository(name);
  if (auto outside = refuse_outside(control, request, who, repo ? repo->name : name)) {
    *refused = *outside;
    return std::nullopt;
  }
  if (!repo) {
    *refused = error_response(Error(ErrorKind::kNotFound, "no repository " + name, {},
                                    "the registered ones: GET /api/v1/repositories (strata remote repos list)"));
    return std::nullopt;
  }
  return repo->id;
}

}  // namespace

void add_github_routes(Router& router, control::ControlPlane& control) {
  // Signed by GitHub, not by a token: who_asks() is not called; the signature is the credential.
  router.add("POST", "/webhooks/github", [&control](const Request& request) -> Response {
    if (std::optional<Response> r = refuse_failing_address(control, request)) return *r;
    control::WebhookReceipt receipt;
    try {
      receipt = control.webhooks().receive(request.header("x-github-event"), request.header("x-github-delivery"),
                                           request.header("x-hub-signature-256"), request.body);
    } catch (const Error& e) {
      return error_response(e);
    }
    if (receipt.refused_credential) note_refused_credential(control, request);
    if (receipt.status >= 400) {
      nlohmann::json error = {{"code", receipt.code}, {"message", receipt.message}};
      if (!receipt.hint.empty()) error["hint"] = receipt.hint;
      Response r = json_response(receipt.status, {{"error", error}});
      if (receipt.retry_after_s > 0) r.headers.emplace_back("Retry-After", std::to_string(receipt.retry_after_s));
      return r;
    }
    return json_response(receipt.status, {{"delivery", std::string(request.header("x-github-delivery"))},
                                          {"status", receipt.delivery_status},
                                          {"message", receipt.message}});
  });

  using Body = std::function<Response(const Request&, const store::ApiToken&)>;
  auto route = [&router, &control](const char* method, const char* pattern, Body body) {
    router.add(method, pattern, [&control, body](const Request& request) -> Response {
      Response refused;
      std::optional<store::ApiToken> who = who_asks(control, request, &refused);
      if (!who) return refused;
      try {
        return body(request, *who);
      } catch (const Error& e) {
        return error_response(e);
      }
    });
  };

  // ?repository=NAME, ?status=active|loose.
  route("GET", "/api/v1/stack-states", [&control](const Request& request, const store::ApiToken& who) {
    Response refused;
    std::optional<std::string> only = repository_filter(control, request, who, &refused);
    if (!only) return refused;
    std::string status(request.query("status"));
    if (!status.empty() && status != "active" && status != "loose" && status != "destroying" && status != "destroyed")
      return error_response(400, "bad_request",
                            "status must be active, loose, destroying or destroyed, not \"" + status + "\"");
    std::map<std::string, store::Repository> repos = visible_repositories(control, who);
    nlohmann::json list = nlohmann::json::array();
    for (const store::StackState& s : control.store().stack_states(*only, status)) {
      auto repo = repos.find(s.repository_id);
      if (repo == repos.end()) continue;
      list.push_back(stack_state_json(s, repo->second.name));
    }
    return json_response(200, {{"stack_states", list}});
  });

  route("POST", "/api/v1/stack-states/{id}/associate", [&control](const Request& request, const store::ApiToken& who) {
    nlohmann::json body;
    std::string stack;
    try {
      body = parse_body(request.body);
      check_fields(body, {"stack"}, "the association");
      if (!body.contains("stack") || !body["stack"].is_string() || body["stack"].get<std::string>().empty())
        throw Error("the association needs \"stack\": the stack whose code takes the loose state", {});
      stack = body["stack"].get<std::string>();
    } catch (const Error& e) {
      return bad_request(e);
    }
    std::string id(request.param("id"));
    std::optional<store::StackState> state = control.store().stack_state(id);
    std::optional<store::Repository> repo = state ? control.store().repository(state->repository_id) : std::nullopt;
    // Another account's stack state answers as one that does not exist.
    if (!state || !repo || control::outside_scope(who, repo->name, repo->account))
      return error_response(Error(ErrorKind::kNotFound, "no stack state " + id, {},
                                  "list them with GET /api/v1/stack-states?status=loose"));
    if (auto outside = refuse_outside(control, request, who, repo->name)) return *outside;
    try {
      store::StackState joined = control.registry().associate(id, stack, actor_of(who));
      audit(control, request, who, "stack_state.associate", repo->name + "/" + stack,
            {{"stack_state", id}, {"from_stack", state->stack}});
      return json_response(200, stack_state_json(joined, repo->name));
    } catch (const Error& e) {
      audit(control, request, who, "stack_state.associate", repo->name + "/" + stack,
            {{"stack_state", id}, {"reason", e.message()}}, "refused");
      return error_response(e);
    }
  });

  // ?repository=NAME, ?kind=PREFIX, ?after=SEQ, ?limit=N: oldest first.
  route("GET", "/api/v1/events", [&control](const Request& request, const store::ApiToken& who) {
    Response refused;
    std::optional<size_t> limit = query_limit(request, 100, &refused);
    if (!limit) return refused;
    std::optional<std::string> only = repository_filter(control, request, who, &refused);
    if (!only) return refused;
    store::EventFilter filter;
    filter.repository_id = *only;
    filter.kind = std::string(request.query("kind"));
    std::string after(request.query("after"));
    if (!after.empty()) {
      char* end = nullptr;
      filter.after_seq = std::strtoll(after.c_str(), &end, 10);
      if (*end || filter.after_seq < 0)
        return error_response(400, "bad_request", "after must be an event's seq (a number), not \"" + after + "\"");
    }
    if (!who.account.empty()) filter.account = who.account;
    std::map<std::string, store::Repository> repos = visible_repositories(control, who);
    nlohmann::json list = nlohmann::json::array();
    for (const store::Event& e : control.store().events(*limit, filter)) {
      auto repo = repos.find(e.repository_id);
      if (!e.repository_id.empty() && repo == repos.end()) continue;
      list.push_back(event_json(e, repo == repos.end() ? "" : repo->second.name));
    }
    return json_response(200, {{"events", list}});
  });

  // ?repository=NAME, ?limit=N: newest first, without payloads.
  route("GET", "/api/v1/webhook-deliveries", [&control](const Request& request, const store::ApiToken& who) {
    Response refused;
    std::optional<size_t> limit = query_limit(request, 50, &refused);
    if (!limit) return refused;
    std::optional<std::string> only = repository_filter(control, request, who, &refused);
    if (!only) return refused;
    std::map<std::string, store::Repository> repos = visible_repositories(control, who);
    nlohmann::json list = nlohmann::json::array();
    for (const store::WebhookDelivery& d : control.store().deliveries(*limit, *only)) {
      auto repo = repos.find(d.repository_id);
      if (repo != repos.end()) list.push_back(delivery_json(d, repo->second.name));
    }
    return json_response(200, {{"deliveries", list}});
  });
}

}  // namespace strata::server

#include "server/api/tokens_api.h"

#include <nlohmann/json.hpp>

#include "control/authorization.h"
#include "model/error.h"
#include "server/api/api.h"
#include "server/api/api_json.h"

namespace strata::server {

namespace {

constexpr int64_t kMaxDays = 3650;

nlohmann::json token_json(const store::ApiToken& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"role", control::role_label(t)},
          {"worker_id", text_or_null(t.worker_id)},
          {"session_of", text_or_null(t.session_of)},
          {"account", text_or_null(t.account)},
          {"repositories", t.repositories},
          {"created_by", text_or_null(t.created_by)},
          {"created_at", time_json(t.created_at)},
          {"expires_at", time_json(t.expires_at)},
          {"last_used_at", time_json(t.last_used_at)},
          {"revoked_at", time_json(t.revoked_at)}};
}

// What POST /api/v1/tokens asks for; an Error (400) naming what is wrong.
store::ApiToken parse_new_token(const std::string& text, store::Millis now) {
  nlohmann::json body = parse_body(text);
  check_fields(body, {"name", "role", "repositories", "expires_in_days", "account"}, "a token");
  store::ApiToken t;
  if (!body.contains("name") || !body["name"].is_string() || body["name"].get<std::string>().empty() ||
      body["name"].get<std::string>().size() > 100)
    throw Error("a token needs \"name\", 1 to 100 characters", {}, R"(send {"name": "ci", "role": "operator"})");
  t.name = body["name"];
  if (!body.contains("role") || !body["role"].is_string() || !control::parse_role(body["role"].get<std::string>()))
    throw Error("a token needs \"role\": viewer, operator, maintainer or admin", {},
                R"(send {"name": "ci", "role": "operator"})");
  t.role = body["role"];
  if (body.contains("repositories")) {
    if (!body["repositories"].is_array()) throw Error("\"repositories\" must be a list of repository names");
    for (const auto& r : body["repositories"]) {
      if (!r.is_string() || r.get<std::string>().empty()) throw Error("\"repositories\" must be a list of repository names");
      t.repositories.push_back(r);
    }
  }
  if (body.contains("account")) {
    if (!body["account"].is_string() || body["account"].get<std::string>().empty())
      throw Error("\"account\" must be an account's name", {}, "leave it out for a token of the caller's account");
    t.account = body["account"];
  }
  if (body.contains("expires_in_days")) {
    const auto& days = body["expires_in_days"];
    if (!days.is_number_integer() || days.get<int64_t>() < 1 || days.get<int64_t>() > kMaxDays)
      throw Error("\"expires_in_days\" must be a whole number of days from 1 to " + std::to_string(kMaxDays));
    t.expires_at = now + days.get<int64_t>() * 24 * 3600 * 1000;
  }
  return t;
}

}  // namespace

void add_token_routes(Router& router, control::ControlPlane& control) {
  auto audit = [&control](const Request& request, const store::ApiToken& who, const std::string& action,
                          const store::ApiToken& target) {
    // In the target's account: its admins see what the server's own did to their tokens.
    server::audit(control, request, actor_of(who), action, "token:" + target.name + " " + target.id,
                  {{"role", control::role_label(target)},
                   {"repositories", target.repositories},
                   {"expires_at", target.expires_at}},
                  "ok", target.account);
  };
  // An admin's token sees and revokes every token of its account (the server's own: of every
  // account); another, itself and those it made.
  auto mine = [](const store::ApiToken& who, const store::ApiToken& t) {
    return t.id == who.id || t.created_by == who.id ||
           (control::role_of(who) == control::Role::kAdmin && control::sees_account(who, t.account));
  };

  router.add("POST", "/api/v1/tokens", [&control, audit](const Request& request) -> Response {
    Response refused;
    std::optional<store::ApiToken> who = who_asks(control, request, &refused);
    if (!who) return refused;
    store::ApiToken wanted;
    try {
      wanted = parse_new_token(request.body, store::now_millis());
    } catch (const Error& e) {
      return bad_request(e);
    }
    if (auto why = control::grant_refusal(*who, *control::parse_role(wanted.role), wanted.repositories))
      return denied(control, request, *who, *why);
    // A token of an account makes tokens of that account; the server's own, of any account
    // that exists (or of none).
    if (wanted.account.empty()) wanted.account = who->account;
    if (!control::sees_account(*who, wanted.account))
      return denied(control, request, *who,
                    "token \"" + who->name + "\" belongs to account " + who->account +
                        ": it makes tokens of that account only");
    if (!wanted.account.empty() && !control.store().account(wanted.account))
      return error_response(Error(ErrorKind::kNotFound, "there is no account " + wanted.account, {},
                                  "create it first (strata remote accounts create " + wanted.account + ")"));
    wanted.created_by = who->id;
    auto [record, token] = control.create_token(wanted);
    audit(request, *who, "token.create", record);
    nlohmann::json j = token_json(record);
    j["token"] = token;  // shown this once; only its hash is kept
    return json_response(201, j);
  });
  router.add("GET", "/api/v1/tokens", [&control, mine](const Request& request) -> Response {
    Response refused;
    std::optional<store::ApiToken> who = who_asks(control, request, &refused);
    if (!who) return refused;
    nlohmann::json list = nlohmann::json::array();
    for (const store::ApiToken& t : control.store().tokens())
      if (mine(*who, t)) list.push_back(token_json(t));
    return json_response(200, {{"tokens", list}});
  });
  router.add("DELETE", "/api/v1/tokens/{id}", [&control, audit, mine](const Request& request) -> Response {
    Response refused;
    std::optional<store::ApiToken> who = who_asks(control, request, &refused);
    if (!who) return refused;
    std::string id(request.param("id"));
    std::optional<store::ApiToken> target = control.store().token(id);
    if (!target || !mine(*who, *target))
      return error_response(404, "not_found", "no token " + id + " that this token may revoke");
    if (target->revoked_at != 0)
      return error_response(Error(ErrorKind::kConflict, "token " + id + " (\"" + target->name + "\") is revoked already"));
    control.revoke_token(id);
    audit(request, *who, "token.revoke", *target);
    target->revoked_at = store::now_millis();
    return json_response(200, token_json(*target));
  });
}

}  // namespace strata::server

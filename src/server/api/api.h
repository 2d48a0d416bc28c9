// Api: the server's routes (DESIGN §11.1) — /healthz, /metrics, the JSON API under /api/v1
// (described by src/server/api/openapi.json, served at /api/v1/openapi.json) and Terraform's
// http backend at /tfstate/<key>. Every route checks who asks before it reads the body: API
// tokens (`Authorization: Bearer`) for the API, basic auth for /tfstate (an activity's
// credential, or an API token as the password). Errors are {"error":{"code","message","hint"}}
// with the status ErrorKind's table gives. No Beast here: the handlers see Request/Response.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "control/control_plane.h"
#include "server/http_server.h"
#include "server/metrics.h"

namespace strata::server {

// A body that is not what the route takes: 400 bad_request with the error's message and hint.
Response bad_request(const Error& e);
// The bearer token of a request ("" when none).
std::string bearer(const Request& request);
// 401 with WWW-Authenticate (`challenge` "Bearer" or "Basic").
Response unauthorized(const std::string& message, const std::string& challenge = "Bearer");

// Rate limits (control/rate_limiter.h). A client address that sent too many refused
// credentials lately is answered 429 before its next one is looked at: call this first; then
// note_refused_credential() when the credential is refused.
std::optional<Response> refuse_failing_address(control::ControlPlane& control, const Request& request);
void note_refused_credential(control::ControlPlane& control, const Request& request);
// 429 with Retry-After when `who`'s account spent its requests (RateClass::kAccount: all its
// tokens and sessions together); nullopt for a token of no account.
std::optional<Response> account_over_limit(control::ControlPlane& control, const store::ApiToken& who);
// 429 with Retry-After when `key` (a token's or activity's id; `who` names it in the message)
// spent its requests of class `c`; nullopt when it may go (one is spent).
std::optional<Response> over_limit(control::ControlPlane& control, control::RateClass c, const std::string& key,
                                   const std::string& who);

// Who asks, by their bearer token (or, without one, a sign-in session's cookie: then a request
// that changes anything needs X-Strata-CSRF), when they may: the role control/authorization.h's table
// names for the request's method and route (or `as` instead of the method), and `repository`
// ("" = none yet) within the token's scope. nullopt with the answer in *refused otherwise: 401
// without a valid token, 429 past a rate limit (the worker protocol has its own), 403 (audited
// as access.denied) saying what role is needed.
std::optional<store::ApiToken> who_asks(control::ControlPlane& control, const Request& request, Response* refused,
                                        std::string_view repository = "", std::string_view as = "");
// The same check for a token already known, once the repository a request acts on is known (a
// run's, read from the store): nullopt when it may; else the audited 403.
std::optional<Response> refuse_outside(control::ControlPlane& control, const Request& request,
                                       const store::ApiToken& who, const std::string& repository);
// The 403 for `why`, written to the audit log (access.denied, the token as actor).
Response denied(control::ControlPlane& control, const Request& request, const store::ApiToken& who,
                const std::string& why);
// Writes one audit entry for `request` (its client address, now): `actor` did `action` on
// `target`, with `detail` (never a secret), and how it ended ("ok", "denied").
void audit(control::ControlPlane& control, const Request& request, const std::string& actor,
           const std::string& action, const std::string& target, const nlohmann::json& detail,
           const std::string& outcome = "ok", const std::string& account = "");
// The same for a token or session: actor_of(who), in who's account.
void audit(control::ControlPlane& control, const Request& request, const store::ApiToken& who,
           const std::string& action, const std::string& target, const nlohmann::json& detail,
           const std::string& outcome = "ok");
// "token:NAME": how the audit log names a token ("worker:NAME" a worker's, "user:github:alice" a
// sign-in session).
std::string actor_of(const store::ApiToken& token);
// The value of cookie `name` in the request's Cookie header ("" when absent).
std::string cookie(const Request& request, std::string_view name);
// The sign-in session cookie (an HttpOnly JWT) and the CSRF cookie whose value a signed-in
// browser's requests that change anything repeat in the X-Strata-CSRF header.
inline constexpr const char* kSessionCookie = "strata_session";
inline constexpr const char* kCsrfCookie = "strata_csrf";
// The sign-in session of the request's cookie (an expired JWT too when `expired_too`: a refresh
// or logout), with the CSRF header checked when the request may change anything; nullopt with
// the 401 or the audited 403 in *refused.
std::optional<store::ApiToken> signed_in(control::ControlPlane& control, const Request& request, bool expired_too,
                                         Response* refused);
// Why a signed-in request may not change anything: its X-Strata-CSRF header is not the
// strata_csrf cookie's value (compared in constant time); nullopt when it is.
std::optional<std::string> csrf_refusal(const Request& request);
// ?limit=N, a number from 1 to 1000 (`fallback` when absent); nullopt, with the 400 saying so in
// *refused, for anything else.
std::optional<size_t> query_limit(const Request& request, size_t fallback, Response* refused);

class Api {
 public:
  // `metrics`, when given, is served at /metrics (and must outlive this).
  Api(control::ControlPlane& control, HttpMetrics* metrics);
  ~Api();
  // The handler HttpServer calls for every request.
  void handle(Request& request, Responder responder);
  // Every route it answers: (method, pattern). /tfstate/{key} is answered apart.
  std::vector<std::pair<std::string, std::string>> routes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace strata::server

#include "server/api/auth_api.h"

#include <nlohmann/json.hpp>

#include "app/http_client.h"
#include "base/percent_escape.h"
#include "control/sessions.h"
#include "model/error.h"
#include "secrets/crypto.h"
#include "server/api/api.h"
#include "server/api/api_json.h"

namespace strata::server {

namespace {

constexpr const char* kLoginCookie = "strata_login";
constexpr int64_t kLoginSeconds = 600;

struct Auth {
  control::ControlPlane& control;
  std::unique_ptr<app::HttpClient> http = app::make_curl_client();

  const control::OAuthSettings& oauth() const { return control.options().oauth; }
  std::string external_url() const {
    std::string url = oauth().external_url.empty() ? control.options().server_url : oauth().external_url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
  }
  std::string redirect_uri() const { return external_url() + "/auth/callback"; }
  bool secure() const { return external_url().rfind("https://", 0) == 0; }

  std::string set_cookie(const std::string& name, const std::string& value, const std::string& path, int64_t max_age,
                         bool http_only, const char* same_site) const {
    return name + "=" + value + "; Path=" + path + "; Max-Age=" + std::to_string(max_age) +
           (http_only ? "; HttpOnly" : "") + "; SameSite=" + same_site + (secure() ? "; Secure" : "");
  }

  Response not_configured() const {
    return error_response(Error(ErrorKind::kNotFound, "sign-in is not configured on this server", {},
                                "set oauth = { client_id = \"…\", roles = { … } } in the server's --config file and "
                                "the client secret in STRATA_OAUTH_CLIENT_SECRET"));
  }

  static bool url_safe(std::string_view text, size_t least, size_t most) {
    return text.size() >= least && text.size() <= most &&
           text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
               std::string_view::npos;
  }

  Response login(const Request& request) {
    if (!oauth().on()) return not_configured();
    control::LoginTicket t;
    // `strata remote login`: where the CLI waits on loopback, its state and S256 challenge.
    if (!request.query("cli_port").empty()) {
      std::string port(request.query("cli_port"));
      int n = port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos ? std::stoi(port) : 0;
      if (n < 1024 || n > 65535 || !url_safe(request.query("cli_state"), 16, 128) ||
          !url_safe(request.query("cli_challenge"), 43, 43))
        return error_response(400, "bad_request",
                              "cli_port (1024-65535), cli_state (16-128 URL-safe characters) and cli_challenge (an "
                              "S256 challenge) are what `strata remote login` sends");
      t.cli_port = n;
      t.cli_state = request.query("cli_state");
      t.cli_challenge = request.query("cli_challenge");
    }
    // ?account=NAME: sign in to that account (a member of several picks one).
    t.account = request.query("account");
    if (!t.account.empty()) {
      if (std::optional<std::string> why = control::bad_account_name(t.account))
        return error_response(400, "bad_request", "account \"" + t.account + "\" cannot be an account's name: " + *why);
    }
    t.state = control::base64url(secrets::random_bytes(24));
    t.verifier = control::base64url(secrets::random_bytes(32));
    t.expires_at = store::now_millis() / 1000 + kLoginSeconds;
    std::string location = oauth().authorize_url + (oauth().authorize_url.find('?') == std::string::npos ? "?" : "&") +
                           "client_id=" + percent_escape(oauth().client_id) +
                           "&redirect_uri=" + percent_escape(redirect_uri()) + "&scope=read%3Aorg" +
                           "&state=" + percent_escape(t.state) +
                           "&code_challenge=" + percent_escape(control::pkce_challenge(t.verifier)) +
                           "&code_challenge_method=S256";
    Response r;
    r.status = 302;
    r.headers.emplace_back("Location", location);
    r.headers.emplace_back("Set-Cookie", set_cookie(kLoginCookie, sign_login(t, control.options().session_key),
                                                    "/auth", kLoginSeconds, true, "Lax"));
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  }

  // The provider's JSON answer to `request`, or an Error saying what the provider said.
  nlohmann::json provider(app::HttpRequest request, const std::string& what) {
    request.headers.try_emplace("Accept", "application/json");
    request.headers["User-Agent"] = "strata";
    app::HttpResponse answer = http->send(request);
    nlohmann::json j = nlohmann::json::parse(answer.body, nullptr, false);
    if (answer.status != 200 || j.is_discarded())
      throw Error(ErrorKind::kEnvironment, "the sign-in provider answered " + what + " with " +
                                               std::to_string(answer.status));
    return j;
  }

  nlohmann::json github(const std::string& path, const std::string& access_token) {
    app::HttpRequest request;
    request.url = oauth().api_url + path;
    request.headers["Authorization"] = "Bearer " + access_token;
    request.headers["Accept"] = "application/vnd.github+json";
    return provider(request, "GET " + path);
  }

  Response refuse(const Request& request, int status, const std::string& why, const std::string& who = "") {
    server::audit(control, request, who.empty() ? "anonymous" : "user:" + who, "session.sign_in", "", {{"why", why}},
                  "denied");
    Response r = error_response(status, status == 401 ? "unauthorized" : status == 400 ? "bad_request" : "forbidden",
                                why);
    r.headers.emplace_back("Set-Cookie", set_cookie(kLoginCookie, "", "/auth", 0, true, "Lax"));
    return r;
  }

  Response callback(const Request& request) {
    if (!oauth().on()) return not_configured();
    std::optional<control::LoginTicket> t = control::read_login(cookie(request, kLoginCookie), control.options().session_key);
    if (!t || t->expires_at < store::now_millis() / 1000)
      return refuse(request, 400,
                    "no sign-in is under way in this browser, or it took over ten minutes: start again at /auth/login");
    if (!secrets::equal_in_constant_time(t->state, std::string(request.query("state"))))
      return refuse(request, 403, "the callback's state is not this browser's sign-in (a forged or stale callback)");
    if (!request.query("error").empty())
      return refuse(request, 403, "the provider refused the sign-in: " + std::string(request.query("error")));
    std::string code(request.query("code"));
    if (code.empty()) return refuse(request, 400, "the callback carries no code");

    std::string login;
    std::vector<std::string> groups;
    try {
      app::HttpRequest exchange;
      exchange.method = "POST";
      exchange.url = oauth().token_url;
      exchange.headers["Content-Type"] = "application/x-www-form-urlencoded";
      exchange.body = "grant_type=authorization_code&client_id=" + percent_escape(oauth().client_id) +
                      "&client_secret=" + percent_escape(oauth().client_secret) + "&code=" + percent_escape(code) +
                      "&redirect_uri=" + percent_escape(redirect_uri()) +
                      "&code_verifier=" + percent_escape(t->verifier);
      nlohmann::json token = provider(exchange, "the code exchange");
      if (!token.contains("access_token") || !token["access_token"].is_string()) {
        std::string error = token.value("error", std::string("no access_token"));
        return refuse(request, 401, "the provider refused the code (" + error + "): start again at /auth/login");
      }
      const std::string access = token["access_token"];
      nlohmann::json user = github("/user", access);
      if (!user.contains("login") || !user["login"].is_string())
        throw Error(ErrorKind::kEnvironment, "the provider's /user has no login");
      login = user["login"];
      for (const auto& org : github("/user/orgs", access))
        if (org.is_object() && org.contains("login") && org["login"].is_string()) groups.push_back(org["login"]);
      for (const auto& team : github("/user/teams", access))
        if (team.is_object() && team.contains("slug") && team["slug"].is_string() && team.contains("organization") &&
            team["organization"].is_object() && team["organization"].contains("login") &&
            team["organization"]["login"].is_string())
          groups.push_back(team["organization"]["login"].get<std::string>() + "/" + team["slug"].get<std::string>());
    } catch (const Error& e) {
      return refuse(request, 502, e.message());
    }
    std::vector<std::string> accounts;
    for (const store::Account& a : control.store().accounts())
      if (a.kind == "github") accounts.push_back(a.name);
    std::optional<control::SignInScope> scope = control::sign_in_scope(groups, oauth().roles, accounts, t->account);
    if (!scope) {
      std::string listed;
      for (const std::string& g : groups) listed += (listed.empty() ? "" : ", ") + g;
      return refuse(request, 403,
                    "no rule in oauth.roles gives " + login + " a role" +
                        (t->account.empty() ? "" : " in account " + t->account) + " (member of " +
                        (listed.empty() ? std::string("nothing visible") : listed) + ")",
                    "github:" + login);
    }
    if (t->cli_port != 0) return to_cli(request, *t, login, *scope, groups);
    auto [record, jwt] = control.start_session("github:" + login, login, scope->role, scope->account);
    server::audit(control, request, "user:github:" + login, "session.sign_in", "session:" + record.id,
                  {{"role", record.role}, {"groups", groups}}, "ok", record.account);
    Response r;
    r.status = 200;
    r.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
    r.headers.emplace_back("Cache-Control", "no-store");
    const int64_t lasts = oauth().session_seconds;
    r.headers.emplace_back("Set-Cookie", set_cookie(kSessionCookie, jwt, "/", lasts, true, "Lax"));
    r.headers.emplace_back("Set-Cookie", set_cookie(kCsrfCookie, control::base64url(secrets::random_bytes(24)), "/",
                                                    lasts, false, "Strict"));
    r.headers.emplace_back("Set-Cookie", set_cookie(kLoginCookie, "", "/auth", 0, true, "Lax"));
    r.body = "<!doctype html><title>strata</title><p>Signed in as " + login + " (" + record.role + ").</p>\n";
    return r;
  }

  // The end of `strata remote login`'s sign-in: the browser goes back to the CLI's loopback port
  // with a signed grant (two minutes), which only the CLI, holding the verifier, can trade.
  Response to_cli(const Request& request, const control::LoginTicket& t, const std::string& login,
                  const control::SignInScope& scope, const std::vector<std::string>& groups) {
    control::CliGrant g;
    g.subject = "github:" + login;
    g.name = login;
    g.role = control::role_name(scope.role);
    g.account = scope.account;
    g.challenge = t.cli_challenge;
    g.nonce = control::base64url(secrets::random_bytes(16));
    g.expires_at = store::now_millis() / 1000 + 120;
    server::audit(control, request, "user:" + g.subject, "session.sign_in", "cli", {{"role", g.role}, {"groups", groups}},
                  "ok", g.account);
    Response r;
    r.status = 302;
    r.headers.emplace_back("Location", "http://127.0.0.1:" + std::to_string(t.cli_port) + "/callback?code=" +
                                           percent_escape(sign_cli_grant(g, control.options().session_key)) +
                                           "&state=" + percent_escape(t.cli_state));
    r.headers.emplace_back("Cache-Control", "no-store");
    r.headers.emplace_back("Set-Cookie", set_cookie(kLoginCookie, "", "/auth", 0, true, "Lax"));
    return r;
  }

  // POST /auth/cli-token {"code", "verifier"}: the grant traded once for an API token of the
  // user's role that lasts as long as a session.
  Response cli_token(const Request& request) {
    if (std::optional<Response> r = refuse_failing_address(control, request)) return *r;
    nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    std::string code = body.is_object() ? body.value("code", "") : "";
    std::string verifier = body.is_object() ? body.value("verifier", "") : "";
    std::optional<control::CliGrant> g = control::read_cli_grant(code, control.options().session_key);
    if (!g || g->expires_at < store::now_millis() / 1000 ||
        !secrets::equal_in_constant_time(control::pkce_challenge(verifier), g->challenge)) {
      note_refused_credential(control, request);
      return error_response(401, "unauthorized",
                            "the sign-in code is unknown, expired (two minutes) or not this CLI's: run `strata remote "
                            "login` again");
    }
    store::ApiToken wanted;
    wanted.id = "cli-" + g->nonce;
    if (control.store().token(wanted.id))
      return error_response(409, "conflict", "this sign-in code was used already: run `strata remote login` again");
    wanted.name = g->name + " (strata remote login)";
    wanted.role = g->role;
    wanted.account = g->account;
    wanted.expires_at = store::now_millis() + oauth().session_seconds * 1000;
    auto [record, token] = control.create_token(wanted);
    server::audit(control, request, "user:" + g->subject, "token.create", "token:" + record.name + " " + record.id,
                  {{"role", record.role}, {"expires_at", record.expires_at}}, "ok", record.account);
    return json_response(201, {{"token", token},
                               {"name", record.name},
                               {"role", record.role},
                               {"user", g->subject},
                               {"account", text_or_null(record.account)},
                               {"expires_at", time_json(record.expires_at)}});
  }

  Response refresh(const Request& request) {
    Response refused;
    if (!signed_in(control, request, /*expired_too=*/true, &refused)) return refused;
    std::optional<std::string> jwt = control.refresh_session(cookie(request, kSessionCookie));
    if (!jwt) return unauthorized("no sign-in session that still lasts: sign in at /auth/login");
    Response r = json_response(200, {{"refreshed", true}});
    r.headers.emplace_back("Set-Cookie", set_cookie(kSessionCookie, *jwt, "/", oauth().session_seconds, true, "Lax"));
    return r;
  }

  Response logout(const Request& request) {
    Response refused;
    std::optional<store::ApiToken> who = signed_in(control, request, /*expired_too=*/true, &refused);
    if (!who) return refused;
    control.revoke_token(who->id);
    server::audit(control, request, *who, "session.sign_out", "session:" + who->id, nlohmann::json::object());
    Response r = json_response(200, {{"signed_out", true}});
    r.headers.emplace_back("Set-Cookie", set_cookie(kSessionCookie, "", "/", 0, true, "Lax"));
    r.headers.emplace_back("Set-Cookie", set_cookie(kCsrfCookie, "", "/", 0, false, "Strict"));
    return r;
  }
};

}  // namespace

void add_auth_routes(Router& router, control::ControlPlane& control) {
  auto auth = std::make_shared<Auth>(Auth{control});
  router.add("GET", "/auth/login", [auth](const Request& r) { return auth->login(r); });
  router.add("GET", "/auth/callback", [auth](const Request& r) { return auth->callback(r); });
  router.add("POST", "/auth/refresh", [auth](const Request& r) { return auth->refresh(r); });
  router.add("POST", "/auth/logout", [auth](const Request& r) { return auth->logout(r); });
  router.add("POST", "/auth/cli-token", [auth](const Request& r) { return auth->cli_token(r); });
}

}  // namespace strata::server

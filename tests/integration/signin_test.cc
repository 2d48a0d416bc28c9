// Sign-in with GitHub's OAuth2 code flow (#25), through the real `strata server` binary, against
// a fake GitHub on loopback: a recording fake built on strata's own HTTP server (GitHub is
// unreachable here) that answers with GitHub's payload shapes — the token exchange's JSON (and
// its bad_verification_code error), /user, /user/orgs, /user/teams — and checks what GitHub
// checks: the client secret, single-use codes, and the PKCE verifier against its S256 challenge.
#include <sys/stat.h>

#include <future>
#include <mutex>
#include <thread>

#include "base/percent_escape.h"
#include "control/sessions.h"
#include "server/http_server.h"
#include "server/router.h"
#include "server/uri.h"
#include "tests/integration/server_support.h"

namespace strata::testing {
namespace {

constexpr const char* kClientId = "Iv1.8a61f9b3a7aba766";
constexpr const char* kClientSecret = "fake-client-secret-3f7c2b1e9d";

class FakeGitHub {
 public:
  struct Grant {
    std::string challenge, redirect_uri;
    bool used = false;
  };
  std::mutex mutex;
  std::string login = "alice";
  std::vector<std::string> orgs = {"acme"};
  std::vector<std::pair<std::string, std::string>> teams = {{"acme", "platform"}};
  std::map<std::string, Grant> codes;
  std::vector<std::string> access_tokens;
  std::vector<std::string> exchanges;  // what each token exchange was answered: "ok" or the error

  FakeGitHub() : server_(options(), [this](Request& r, Responder s) { router_.dispatch(r, std::move(s)); }) {
    router_.add("GET", "/login/oauth/authorize", [this](const Request& r) { return authorize(r); });
    router_.add("POST", "/login/oauth/access_token", [this](const Request& r) { return exchange(r); });
    router_.add("GET", "/api/v3/user", [this](const Request& r) {
      return api(r, [this] { return nlohmann::json{{"login", login}, {"id", 583231}, {"node_id", "MDQ6VXNlcjU4MzIzMQ=="},
                                                   {"type", "User"}, {"site_admin", false}, {"name", "A. User"}}; });
    });
    router_.add("GET", "/api/v3/user/orgs", [this](const Request& r) {
      return api(r, [this] {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& o : orgs)
          list.push_back({{"login", o}, {"id", 9919}, {"node_id", "MDEyOk9yZ2FuaXphdGlvbjk5MTk="},
                          {"url", "https://api.github.com/orgs/" + o}, {"description", ""}});
        return list;
      });
    });
    router_.add("GET", "/api/v3/user/teams", [this](const Request& r) {
      return api(r, [this] {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& [org, slug] : teams)
          list.push_back({{"id", 1}, {"node_id", "MDQ6VGVhbTE="}, {"name", slug}, {"slug", slug},
                          {"privacy", "closed"}, {"permission", "pull"},
                          {"organization", {{"login", org}, {"id", 9919}, {"type", "Organization"}}}});
        return list;
      });
    });
    server_.start();
  }
  ~FakeGitHub() { server_.drain(std::chrono::steady_clock::now()); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }

 private:
  static HttpServer::Options options() {
    HttpServer::Options o;
    o.threads = 2;
    return o;
  }

  Response authorize(const Request& r) {
    if (r.query("client_id") != kClientId || r.query("code_challenge_method") != "S256" ||
        r.query("code_challenge").empty())
      return error_response(400, "bad_request", "the fake wants client_id, S256 and a challenge");
    std::string code = control::base64url(secrets::random_bytes(10));
    std::lock_guard<std::mutex> lock(mutex);
    codes[code] = Grant{std::string(r.query("code_challenge")), std::string(r.query("redirect_uri"))};
    Response out;
    out.status = 302;
    out.headers.emplace_back("Location", std::string(r.query("redirect_uri")) + "?code=" + code +
                                             "&state=" + percent_escape(r.query("state")));
    return out;
  }

  Response exchange(const Request& r) {
    auto form = parse_query(r.body);
    std::lock_guard<std::mutex> lock(mutex);
    auto answer = [this](nlohmann::json j) {
      exchanges.push_back(j.value("error", "ok"));
      return json_response(200, j);  // GitHub answers errors here with 200 too
    };
    if (form["client_id"] != kClientId || form["client_secret"] != kClientSecret)
      return answer({{"error", "incorrect_client_credentials"},
                     {"error_description", "The client_id and/or client_secret passed are incorrect."}});
    auto grant = codes.find(form["code"]);
    if (grant == codes.end() || grant->second.used || form["redirect_uri"] != grant->second.redirect_uri ||
        control::pkce_challenge(form["code_verifier"]) != grant->second.challenge) {
      if (grant != codes.end()) grant->second.used = true;
      return answer({{"error", "bad_verification_code"},
                     {"error_description", "The code passed is incorrect or expired."},
                     {"error_uri", "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code"}});
    }
    grant->second.used = true;
    std::string token = "gho_" + secrets::hex_encode(secrets::random_bytes(18));
    access_tokens.push_back(token);
    return answer({{"access_token", token}, {"token_type", "bearer"}, {"scope", "read:org"}});
  }

  template <typename Body>
  Response api(const Request& r, Body body) {
    std::lock_guard<std::mutex> lock(mutex);
    std::string auth(r.header("authorization"));
    if (auth.size() < 8 || std::find(access_tokens.begin(), access_tokens.end(), auth.substr(7)) == access_tokens.end())
      return error_response(401, "unauthorized", "Bad credentials");
    return json_response(200, body());
  }

  Router router_;
  HttpServer server_;
};

// Set-Cookie lines of a response: name -> the whole line.
std::map<std::string, std::string> set_cookies(const app::HttpResponse& r) {
  std::map<std::string, std::string> out;
  std::istringstream lines(r.header("set-cookie"));
  for (std::string line; std::getline(lines, line);) out[line.substr(0, line.find('='))] = line;
  return out;
}
std::string value_of(const std::string& set_cookie) {
  size_t eq = set_cookie.find('=');
  return set_cookie.substr(eq + 1, set_cookie.find(';') - eq - 1);
}

struct Browser {
  std::map<std::string, std::string> cookies;
  std::unique_ptr<app::HttpClient> http = app::make_curl_client({});
  app::HttpResponse send(const std::string& method, const std::string& url, const std::string& body = "",
                         bool csrf = false) {
    app::HttpRequest r;
    r.method = method;
    r.url = url;
    r.body = body;
    if (!body.empty()) r.headers["Content-Type"] = "application/json";
    std::string jar;
    for (const auto& [k, v] : cookies) jar += (jar.empty() ? "" : "; ") + k + "=" + v;
    if (!jar.empty()) r.headers["Cookie"] = jar;
    if (csrf) r.headers["X-Strata-CSRF"] = cookies["strata_csrf"];
    app::HttpResponse answer = http->send(r);
    for (const auto& [name, line] : set_cookies(answer)) {
      if (line.find("Max-Age=0") != std::string::npos) cookies.erase(name);
      else cookies[name] = value_of(line);
    }
    return answer;
  }
  // /auth/login, the provider, and back: the callback's answer.
  app::HttpResponse sign_in(const std::string& server, std::string* callback_url = nullptr) {
    app::HttpResponse login = send("GET", server + "/auth/login");
    app::HttpResponse provider = send("GET", login.header("location"));
    if (callback_url) *callback_url = provider.header("location");
    return send("GET", provider.header("location"));
  }
};

std::string server_config(const FakeGitHub& github) {
  return "oauth = {\n"
         "  client_id     = \"" + std::string(kClientId) + "\"\n"
         "  authorize_url = \"" + github.url() + "/login/oauth/authorize\"\n"
         "  token_url     = \"" + github.url() + "/login/oauth/access_token\"\n"
         "  api_url       = \"" + github.url() + "/api/v3\"\n"
         "  token_lifetime = \"3s\"\n"
         "  roles = {\n"
         "    \"acme\"          = \"viewer\"\n"
         "    \"acme/platform\" = \"operator\"\n"
         "  }\n"
         "}\n";
}

// A server whose sign-in goes to a fake GitHub.
struct SignInServer {
  FakeGitHub github;
  GitProject project;
  std::unique_ptr<ServerProcess> server;
  SignInServer() {
    project.write("server.hcl", server_config(github));
    server = std::make_unique<ServerProcess>(
        std::map<std::string, std::string>{{"STRATA_ENGINE", tofu_sim_binary()},
                                           {"STRATA_OAUTH_CLIENT_SECRET", kClientSecret}},
        std::vector<std::string>{"--workers", "0", "--config", project.path("server.hcl")});
  }
};

TEST(SignIn, TheGitHubCodeFlowStartsASessionTheApiAcceptsUntilItEnds) {
  SignInServer fixture;
  FakeGitHub& github = fixture.github;
  ServerProcess& server = *fixture.server;
  ASSERT_TRUE(server.ready());
  Browser alice;

  // /auth/login: to the provider with a state and a PKCE challenge; the login cookie HttpOnly.
  app::HttpResponse login = alice.send("GET", server.url() + "/auth/login");
  ASSERT_EQ(login.status, 302) << login.body;
  const std::string to = login.header("location");
  EXPECT_EQ(to.rfind(github.url() + "/login/oauth/authorize?client_id=" + kClientId, 0), 0u) << to;
  EXPECT_NE(to.find("&code_challenge_method=S256"), std::string::npos) << to;
  EXPECT_NE(to.find("&state="), std::string::npos) << to;
  const std::string login_cookie = set_cookies(login)["strata_login"];
  EXPECT_NE(login_cookie.find("; HttpOnly"), std::string::npos) << login_cookie;
  EXPECT_NE(login_cookie.find("; SameSite=Lax"), std::string::npos) << login_cookie;
  EXPECT_EQ(login_cookie.find("Secure"), std::string::npos) << "plain http on loopback: " << login_cookie;

  // The provider sends the browser back; the callback starts the session.
  app::HttpResponse back = alice.send("GET", to);
  ASSERT_EQ(back.status, 302);
  const std::string callback = back.header("location");
  app::HttpResponse signed_in = alice.send("GET", callback);
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  EXPECT_NE(signed_in.body.find("Signed in as alice (operator)"), std::string::npos) << signed_in.body;
  std::map<std::string, std::string> cookies = set_cookies(signed_in);
  EXPECT_NE(cookies["strata_session"].find("; Path=/; "), std::string::npos) << cookies["strata_session"];
  EXPECT_NE(cookies["strata_session"].find("; HttpOnly"), std::string::npos) << cookies["strata_session"];
  EXPECT_NE(cookies["strata_session"].find("; SameSite=Lax"), std::string::npos) << cookies["strata_session"];
  EXPECT_EQ(cookies["strata_csrf"].find("HttpOnly"), std::string::npos) << "pages read it: " << cookies["strata_csrf"];
  EXPECT_NE(cookies["strata_csrf"].find("; SameSite=Strict"), std::string::npos) << cookies["strata_csrf"];
  EXPECT_EQ(alice.cookies.count("strata_login"), 0u) << "the login cookie is cleared";
  const std::string jwt = alice.cookies["strata_session"];
  ASSERT_EQ(std::count(jwt.begin(), jwt.end(), '.'), 2) << jwt;

  // The session reaches the API with the role acme/platform earns; changes need the CSRF header.
  EXPECT_EQ(alice.send("GET", server.url() + "/api/v1/runs").status, 200);
  auto audit_refused = alice.send("GET", server.url() + "/api/v1/audit");
  EXPECT_EQ(audit_refused.status, 403);
  EXPECT_NE(audit_refused.body.find("needs the admin role"), std::string::npos) << audit_refused.body;
  const std::string run = R"({"repository":"nope","command":"plan","all":true})";
  auto no_csrf = alice.send("POST", server.url() + "/api/v1/runs", run);
  EXPECT_EQ(no_csrf.status, 403) << no_csrf.body;
  EXPECT_NE(no_csrf.body.find("X-Strata-CSRF"), std::string::npos) << no_csrf.body;
  auto with_csrf = alice.send("POST", server.url() + "/api/v1/runs", run, true);
  EXPECT_EQ(with_csrf.status, 404) << "allowed, and the repository is unknown: " << with_csrf.body;

  // A replayed callback: the provider refuses the used code, and no session is made.
  Browser replay;
  replay.cookies["strata_login"] = value_of(login_cookie);
  auto replayed = replay.send("GET", callback);
  EXPECT_EQ(replayed.status, 401) << replayed.body;
  EXPECT_NE(replayed.body.find("bad_verification_code"), std::string::npos) << replayed.body;
  EXPECT_EQ(replay.cookies.count("strata_session"), 0u);
  // A forged state, and a callback with no sign-in under way in this browser.
  Browser forger;
  forger.send("GET", server.url() + "/auth/login");
  auto forged = forger.send("GET", server.url() + "/auth/callback?code=anything&state=forged");
  EXPECT_EQ(forged.status, 403) << forged.body;
  EXPECT_NE(forged.body.find("state"), std::string::npos) << forged.body;
  EXPECT_EQ(Browser().send("GET", callback).status, 400);

  // Tampered and unsigned tokens are refused.
  auto with_session = [&](const std::string& token) {
    Browser b;
    b.cookies["strata_session"] = token;
    return b.send("GET", server.url() + "/api/v1/runs").status;
  };
  std::string tampered = jwt;
  size_t payload = tampered.find('.') + 5;
  tampered[payload] = tampered[payload] == 'A' ? 'B' : 'A';
  EXPECT_EQ(with_session(tampered), 401);
  std::string unsigned_jwt = control::base64url(R"({"alg":"none","typ":"JWT"})") + jwt.substr(jwt.find('.'));
  unsigned_jwt = unsigned_jwt.substr(0, unsigned_jwt.rfind('.') + 1);
  EXPECT_EQ(with_session(unsigned_jwt), 401);
  EXPECT_EQ(with_session("not-a-jwt"), 401);
  // The session's id (the JWT's jti, in its readable payload) alone is no bearer token.
  std::string payload_text = jwt.substr(jwt.find('.') + 1, jwt.rfind('.') - jwt.find('.') - 1);
  std::replace(payload_text.begin(), payload_text.end(), '-', '+');
  std::replace(payload_text.begin(), payload_text.end(), '_', '/');
  nlohmann::json payload_json = nlohmann::json::parse(secrets::base64_decode_unpadded(payload_text).value_or(""),
                                                      nullptr, false);
  ASSERT_TRUE(payload_json.is_object());
  EXPECT_EQ(payload_json["sub"], "github:alice");
  EXPECT_EQ(payload_json["role"], "operator");
  EXPECT_EQ(payload_json["exp"].get<int64_t>() - payload_json["iat"].get<int64_t>(), 3);
  EXPECT_EQ(server.send("GET", "/api/v1/runs", "", payload_json["jti"].get<std::string>()).status, 401);

  // Expired after token_lifetime (3 s); a refresh brings it back while the session lasts.
  std::this_thread::sleep_for(std::chrono::milliseconds(3200));
  auto expired = alice.send("GET", server.url() + "/api/v1/runs");
  EXPECT_EQ(expired.status, 401) << expired.body;
  EXPECT_NE(expired.body.find("/auth/refresh"), std::string::npos) << expired.body;
  EXPECT_EQ(alice.send("POST", server.url() + "/auth/refresh").status, 403) << "refresh needs the CSRF header too";
  auto refreshed = alice.send("POST", server.url() + "/auth/refresh", "", true);
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  EXPECT_NE(alice.cookies["strata_session"], jwt);
  EXPECT_EQ(alice.send("GET", server.url() + "/api/v1/runs").status, 200);

  // Logout ends it at once: neither the JWT nor a refresh works any more.
  const std::string refreshed_jwt = alice.cookies["strata_session"];
  const std::string csrf = alice.cookies["strata_csrf"];
  ASSERT_EQ(alice.send("POST", server.url() + "/auth/logout", "", true).status, 200);
  EXPECT_EQ(alice.cookies.count("strata_session"), 0u) << "the cookie is cleared";
  EXPECT_EQ(with_session(refreshed_jwt), 401);
  Browser stolen;
  stolen.cookies = {{"strata_session", refreshed_jwt}, {"strata_csrf", csrf}};
  EXPECT_EQ(stolen.send("POST", server.url() + "/auth/refresh", "", true).status, 401);

  // An admin revokes another session: it stops at once.
  Browser again;
  ASSERT_EQ(again.sign_in(server.url()).status, 200);
  EXPECT_EQ(again.send("GET", server.url() + "/api/v1/runs").status, 200);
  nlohmann::json tokens = json_of(server.send("GET", "/api/v1/tokens"))["tokens"];
  std::string session_id;
  for (const auto& t : tokens)
    if (t["session_of"] == "github:alice" && t["revoked_at"].is_null()) session_id = t["id"];
  ASSERT_FALSE(session_id.empty()) << tokens.dump(2);
  EXPECT_EQ(server.send("DELETE", "/api/v1/tokens/" + session_id).status, 200);
  EXPECT_EQ(again.send("GET", server.url() + "/api/v1/runs").status, 401);

  // Someone no rule gives a role is refused at the callback.
  {
    std::lock_guard<std::mutex> lock(github.mutex);
    github.login = "mallory";
    github.orgs = {"elsewhere"};
    github.teams.clear();
  }
  Browser mallory;
  auto refused = mallory.sign_in(server.url());
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_NE(refused.body.find("no rule in oauth.roles gives mallory a role (member of elsewhere)"), std::string::npos)
      << refused.body;
  EXPECT_EQ(mallory.cookies.count("strata_session"), 0u);

  nlohmann::json entries = audit(server);
  std::vector<std::string> actions;
  for (const auto& e : entries)
    actions.push_back(e["action"].get<std::string>() + " " + e["actor"].get<std::string>() + " " +
                      e["outcome"].get<std::string>());
  auto has = [&](const std::string& x) { return std::find(actions.begin(), actions.end(), x) != actions.end(); };
  EXPECT_TRUE(has("session.sign_in user:github:alice ok")) << join(actions);
  EXPECT_TRUE(has("session.sign_out user:github:alice ok")) << join(actions);
  EXPECT_TRUE(has("session.sign_in user:github:mallory denied")) << join(actions);
  EXPECT_TRUE(has("session.sign_in anonymous denied")) << join(actions);
  EXPECT_TRUE(has("access.denied user:github:alice denied")) << join(actions);
  SubprocessResult stopped = server.terminate();
  EXPECT_EQ(stopped.exit_code, 0);
  std::vector<std::string> secrets = {kClientSecret, jwt, jwt.substr(jwt.rfind('.') + 1)};
  {
    std::lock_guard<std::mutex> lock(github.mutex);
    for (const auto& t : github.access_tokens) secrets.push_back(t);
  }
  const std::string database = database_bytes(server);
  for (const std::string& secret : secrets) {
    EXPECT_EQ(stopped.stderr_text.find(secret), std::string::npos) << "a secret in the server's log";
    EXPECT_EQ(entries.dump().find(secret), std::string::npos) << "a secret in the audit log";
    EXPECT_EQ(database.find(secret), std::string::npos) << "a secret in the database";
  }
}

// With GitHub accounts: a member of organisation Acme signs in to account acme (GitHub's
// logins keep their case; accounts and rules match it in any case) and sees acme's repositories
// only; ?account=beta, where no rule gives her a role, is refused.
TEST(SignIn, ASignInToAGitHubAccountSeesThatAccountOnly) {
  SignInServer fixture;
  ServerProcess& server = *fixture.server;
  ASSERT_TRUE(server.ready());
  {
    std::lock_guard<std::mutex> lock(fixture.github.mutex);
    fixture.github.orgs = {"Acme"};
    fixture.github.teams = {{"Acme", "platform"}};
  }
  for (const char* account : {"acme", "beta"}) {
    ASSERT_EQ(remote(fixture.project, server, {"accounts", "create", account, "--kind", "github"}).exit_code, 0);
    ASSERT_EQ(remote(fixture.project, server,
                     {"repos", "add", std::string(account) + "-web", fixture.project.root(), "--account", account})
                  .exit_code,
              0);
  }
  Browser alice;
  app::HttpResponse signed_in = alice.sign_in(server.url());
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  EXPECT_NE(signed_in.body.find("Signed in as alice (operator)"), std::string::npos) << signed_in.body;
  nlohmann::json repos = json_of(alice.send("GET", server.url() + "/api/v1/repositories"))["repositories"];
  ASSERT_EQ(repos.size(), 1u) << repos.dump(2);
  EXPECT_EQ(repos[0]["name"], "acme-web");
  auto foreign = alice.send("POST", server.url() + "/api/v1/runs",
                            R"({"repository":"beta-web","command":"plan","all":true})", true);
  EXPECT_EQ(foreign.status, 403) << foreign.body;
  EXPECT_NE(foreign.body.find("belongs to account acme, which has no repository beta-web"), std::string::npos)
      << foreign.body;
  EXPECT_EQ(alice.send("POST", server.url() + "/api/v1/accounts", R"({"name":"gamma"})", true).status, 403);
  nlohmann::json entries = json_of(server.send("GET", "/api/v1/audit?account=acme"))["entries"];
  bool signed_into_acme = false;
  for (const auto& e : entries) signed_into_acme |= e["action"] == "session.sign_in" && e["actor"] == "user:github:alice";
  EXPECT_TRUE(signed_into_acme) << entries.dump(2);

  Browser elsewhere;
  app::HttpResponse login = elsewhere.send("GET", server.url() + "/auth/login?account=beta");
  ASSERT_EQ(login.status, 302) << login.body;
  app::HttpResponse provider = elsewhere.send("GET", login.header("location"));
  app::HttpResponse refused = elsewhere.send("GET", provider.header("location"));
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_NE(refused.body.find("no rule in oauth.roles gives alice a role in account beta (member of Acme, Acme/platform)"),
            std::string::npos)
      << refused.body;
  EXPECT_EQ(elsewhere.send("GET", server.url() + "/auth/login?account=Not_An_Account").status, 400);
  EXPECT_EQ(server.terminate().exit_code, 0);
}

// The settings: mistakes at file:line:col; no secret, no start; sessions never over plain http
// off loopback; HTTPS makes every cookie Secure.
TEST(SignIn, SettingsAreCheckedAndHttpsCookiesAreSecure) {
  FakeGitHub github;
  GitProject project;
  project.write("bad.hcl",
                "oauth = {\n  client_id = \"x\"\n  tokn_url = \"https://example.com\"\n"
                "  api_url = \"http://example.com\"\n  roles = { acme = \"owner\" }\n}\n");
  CliResult bad = project.run({"server", "--config", project.path("bad.hcl"), "--data-dir", project.path("d")});
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
  EXPECT_NE(bad.err.find("bad.hcl:1:9"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("did you mean \"token_url\""), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("api_url must be an https:// URL"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("roles.\"acme\" must be viewer, operator, maintainer or admin"), std::string::npos) << bad.err;
  project.write("server.hcl", server_config(github));
  CliResult no_secret = project.run({"server", "--config", project.path("server.hcl"), "--data-dir", project.path("d")});
  EXPECT_EQ(no_secret.exit_code, 1) << no_secret.err;
  EXPECT_NE(no_secret.err.find("STRATA_OAUTH_CLIENT_SECRET"), std::string::npos) << no_secret.err;
  EXPECT_FALSE(std::filesystem::exists(project.path("d"))) << "nothing started";

  TempDir certs("strata-signin-tls");
  std::string cert = certs.file("cert.pem"), key = certs.file("key.pem"), out;
  ASSERT_EQ(run_tool({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                      "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key,
                      "-out", cert},
                     certs.path(), &out),
            0)
      << out;
  ServerProcess server({{"STRATA_OAUTH_CLIENT_SECRET", kClientSecret}},
                       {"--workers", "0", "--config", project.path("server.hcl"), "--tls-cert", cert, "--tls-key", key});
  ASSERT_TRUE(server.ready());
  auto http = app::make_curl_client({cert});
  app::HttpRequest r;
  r.url = server.url() + "/auth/login";
  app::HttpResponse login = http->send(r);
  ASSERT_EQ(login.status, 302) << login.body;
  EXPECT_NE(login.header("location").find("redirect_uri=https%3A%2F%2F127.0.0.1"), std::string::npos)
      << login.header("location");
  EXPECT_NE(set_cookies(login)["strata_login"].find("; Secure"), std::string::npos) << login.header("set-cookie");
  EXPECT_EQ(server.terminate().exit_code, 0);
}

// `strata remote login URL` without --token (RFC 8252): the CLI opens the sign-in with
// $BROWSER — here a script that only writes the address down, and this test plays the browser —
// waits on a loopback port, and trades what comes back for an API token of the user's role,
// which it stores; the token never passes through the browser, and the code it got is used once.
TEST(SignIn, RemoteLoginSignsInWithTheBrowserAndStoresAToken) {
  SignInServer fixture;
  ServerProcess& server = *fixture.server;
  ASSERT_TRUE(server.ready());
  TestProject here;
  const std::string opened = here.path("opened-url");
  here.write("browser.sh", "#!/bin/sh\nprintf '%s' \"$1\" > " + opened + ".tmp && mv " + opened + ".tmp " + opened + "\n");
  ASSERT_EQ(::chmod(here.path("browser.sh").c_str(), 0755), 0);
  std::map<std::string, std::string> env = {{"BROWSER", here.path("browser.sh")}, {"HOME", here.path("home")}};
  auto login = std::async(std::launch::async, [&] { return here.run({"remote", "login", server.url()}, env); });

  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(opened); }, 30s)) << "the CLI never opened a browser";
  const std::string url = here.read("opened-url");
  EXPECT_EQ(url.rfind(server.url() + "/auth/login?cli_port=", 0), 0u) << url;
  Browser browser;
  app::HttpResponse to_provider = browser.send("GET", url);
  ASSERT_EQ(to_provider.status, 302) << to_provider.body;
  app::HttpResponse back = browser.send("GET", to_provider.header("location"));
  ASSERT_EQ(back.status, 302);
  app::HttpResponse to_cli = browser.send("GET", back.header("location"));
  ASSERT_EQ(to_cli.status, 302) << to_cli.body;
  const std::string loopback = to_cli.header("location");
  EXPECT_EQ(loopback.rfind("http://127.0.0.1:", 0), 0u) << loopback;
  EXPECT_EQ(browser.cookies.count("strata_session"), 0u) << "the CLI's sign-in leaves no browser session";
  app::HttpResponse done = browser.send("GET", loopback);
  EXPECT_EQ(done.status, 200) << done.body;
  EXPECT_NE(done.body.find("go back to the terminal"), std::string::npos) << done.body;

  CliResult result = login.get();
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("logged in to " + server.url()), std::string::npos) << result.out;
  EXPECT_NE(result.err.find("Sign in with your browser: " + url), std::string::npos) << result.err;
  // What it stored works for later commands, as alice's operator token.
  CliResult runs = here.run({"remote", "runs", "list"}, {{"HOME", here.path("home")}});
  EXPECT_EQ(runs.exit_code, 0) << runs.err;
  nlohmann::json tokens = json_of(server.send("GET", "/api/v1/tokens"))["tokens"];
  nlohmann::json made;
  for (const auto& t : tokens)
    if (t["name"] == "alice (strata remote login)") made = t;
  ASSERT_TRUE(made.is_object()) << tokens.dump(2);
  EXPECT_EQ(made["role"], "operator");
  EXPECT_TRUE(made["expires_at"].is_string());
  // The token is in the stored credentials and nowhere the browser went.
  const std::string stored = read_file_if_exists(here.path("home/.config/strata/remote.json")).value_or("");
  ASSERT_NE(stored.find("strata_"), std::string::npos) << "no token stored";
  const std::string token = stored.substr(stored.find("strata_"), 55);
  for (const std::string& seen : {url, to_provider.header("location"), back.header("location"), loopback, done.body})
    EXPECT_EQ(seen.find(token), std::string::npos) << seen;
  // The code the browser carried, traded again (even with a verifier), is refused.
  std::string code = loopback.substr(loopback.find("code=") + 5);
  code = percent_decode(code.substr(0, code.find('&')), false);
  app::HttpRequest again;
  again.method = "POST";
  again.url = server.url() + "/auth/cli-token";
  again.headers["Content-Type"] = "application/json";
  again.body = nlohmann::json{{"code", code}, {"verifier", "not-the-cli's-verifier-0123456789012345678901"}}.dump();
  EXPECT_EQ(app::make_curl_client({})->send(again).status, 401);
  // Playing the CLI with a verifier of our own: the code is traded once, never twice.
  {
    const std::string verifier = secrets::base64url_encode(secrets::random_bytes(32));
    Browser b;
    app::HttpResponse start = b.send("GET", server.url() + "/auth/login?cli_port=40000&cli_state=" +
                                                std::string(24, 's') + "&cli_challenge=" + secrets::pkce_s256(verifier));
    app::HttpResponse via = b.send("GET", b.send("GET", start.header("location")).header("location"));
    ASSERT_EQ(via.status, 302) << via.body;
    std::string mine = via.header("location");
    mine = percent_decode(mine.substr(mine.find("code=") + 5, mine.find('&') - mine.find("code=") - 5), false);
    again.body = nlohmann::json{{"code", mine}, {"verifier", verifier}}.dump();
    EXPECT_EQ(app::make_curl_client({})->send(again).status, 201);
    app::HttpResponse twice = app::make_curl_client({})->send(again);
    EXPECT_EQ(twice.status, 409) << twice.body;
    EXPECT_NE(twice.body.find("used already"), std::string::npos) << twice.body;
    EXPECT_EQ(b.send("GET", server.url() + "/auth/login?cli_port=80&cli_state=x&cli_challenge=y").status, 400);
  }

  // Nobody signs in: the CLI gives up when its wait is over (here: the test stops the wait by
  // sending a wrong state, which it refuses).
  std::filesystem::remove(opened);
  auto second = std::async(std::launch::async, [&] { return here.run({"remote", "login", server.url()}, env); });
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(opened); }, 30s));
  std::string port = here.read("opened-url");
  port = port.substr(port.find("cli_port=") + 9);
  port = port.substr(0, port.find('&'));
  EXPECT_EQ(Browser().send("GET", "http://127.0.0.1:" + port + "/callback?code=x&state=forged").status, 200);
  CliResult refused = second.get();
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("the sign-in that came back is not this login's"), std::string::npos) << refused.err;
  EXPECT_EQ(server.terminate().exit_code, 0);
}

}  // namespace
}  // namespace strata::testing

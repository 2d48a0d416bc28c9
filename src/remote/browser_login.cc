#include "remote/browser_login.h"

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>

#include "app/http_client.h"
#include "base/percent_escape.h"
#include "model/error.h"
#include "secrets/crypto.h"
#include "server/http_server.h"

namespace strata::remote {

Credentials browser_login(const BrowserLogin& login) {
  const std::string verifier = secrets::base64url_encode(secrets::random_bytes(32));
  const std::string state = secrets::base64url_encode(secrets::random_bytes(24));

  // What the browser brings back to the loopback port.
  std::mutex mutex;
  std::condition_variable arrived;
  std::optional<std::pair<std::string, std::string>> answer;  // code, state
  HttpServer::Options options;
  options.threads = 1;
  HttpServer listener(options, [&](Request& request, Responder responder) {
    Response r;
    if (request.method != "GET" || request.path != "/callback") {
      responder.send(error_response(404, "not_found", "this port waits for strata's sign-in only"));
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (!answer) answer.emplace(std::string(request.query("code")), std::string(request.query("state")));
    }
    arrived.notify_all();
    r.status = 200;
    r.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
    r.body = "<!doctype html><title>strata</title><p>Signed in. You can close this tab and go back to the terminal.</p>\n";
    responder.send(std::move(r));
  });
  listener.start();
  login.open(login.server + "/auth/login?cli_port=" + std::to_string(listener.port()) + "&cli_state=" + state +
             "&cli_challenge=" + secrets::pkce_s256(verifier) +
             (login.account.empty() ? "" : "&account=" + percent_escape(login.account)));
  std::optional<std::pair<std::string, std::string>> got;
  {
    std::unique_lock<std::mutex> lock(mutex);
    arrived.wait_for(lock, login.wait, [&] { return answer.has_value(); });
    got = answer;
  }
  listener.drain(std::chrono::steady_clock::now() + std::chrono::seconds(1));
  if (!got)
    throw Error(ErrorKind::kUserInput,
                "no sign-in came back within " + std::to_string(login.wait.count()) + " seconds", {},
                "run `strata remote login " + login.server + "` again, or pass --token TOKEN");
  if (!secrets::equal_in_constant_time(got->second, state) || got->first.empty())
    throw Error(ErrorKind::kUserInput, "the sign-in that came back is not this login's", {},
                "run `strata remote login " + login.server + "` again");

  app::HttpRequest trade;
  trade.method = "POST";
  trade.url = login.server + "/auth/cli-token";
  trade.headers["Content-Type"] = "application/json";
  trade.body = nlohmann::json{{"code", got->first}, {"verifier", verifier}}.dump();
  app::HttpResponse r = app::make_curl_client({login.ca_cert})->send(trade);
  nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
  if (r.status != 201 || !j.is_object() || !j.contains("token") || !j["token"].is_string()) {
    ApiError e = read_api_error(r.body);
    throw Error(ErrorKind::kUserInput, login.server + " refused the sign-in (" + std::to_string(r.status) + "): " +
                                           e.message,
                {}, e.hint.empty() ? "run `strata remote login " + login.server + "` again" : e.hint);
  }
  return Credentials{login.server, j["token"], login.ca_cert};
}

Credentials sign_in(BrowserLogin login, const std::string& token) {
  while (!login.server.empty() && login.server.back() == '/') login.server.pop_back();
  if (!login.ca_cert.empty()) login.ca_cert = std::filesystem::absolute(login.ca_cert).string();
  Credentials c{login.server, token, login.ca_cert};
  if (c.token.empty()) c = browser_login(login);
  ApiClient api(c);
  api.runs(1);  // the token works, or this throws the server's answer
  return api.credentials();
}

}  // namespace strata::remote

#include "github/client.h"

#include <time.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/http_client.h"
#include "model/error.h"
#include "secrets/crypto.h"

namespace strata::github {

std::string fit(const std::string& text, size_t limit, const std::string& tail) {
  if (text.size() <= limit) return text;
  size_t room = limit > tail.size() + 1 ? limit - tail.size() - 1 : 0;
  size_t cut = text.rfind('\n', room);
  if (cut == std::string::npos || cut == 0) cut = room;
  // Never split a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "\n" + tail;
}

std::string app_jwt(const std::string& app_id, const std::string& private_key_pem, int64_t now) {
  std::optional<secrets::RsaKey> key = secrets::rsa_from_pem(private_key_pem);
  if (!key)
    throw Error(ErrorKind::kUserInput, "the GitHub App's private key is not an RSA private key in PEM", {},
                "give the .pem file GitHub made for the App (Settings → Developer settings → GitHub Apps)");
  const std::string header = secrets::base64url_encode(R"({"alg":"RS256","typ":"JWT"})");
  const std::string claims =
      secrets::base64url_encode(nlohmann::json{{"iat", now - 60}, {"exp", now + 540}, {"iss", app_id}}.dump());
  std::optional<std::string> signature = secrets::rsa_sha256_sign(key->der, header + "." + claims);
  if (!signature) throw Error(ErrorKind::kUserInput, "OpenSSL refused the GitHub App's private key");
  return header + "." + claims + "." + secrets::base64url_encode(*signature);
}

namespace {

// "2026-12-07T22:14:10Z" as seconds since the epoch; 0 when it is not that.
int64_t iso_seconds(const std::string& text) {
  struct tm tm = {};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

class RestClient : public Client {
 public:
  RestClient(ClientSettings settings, std::unique_ptr<app::HttpClient> http)
      : settings_(std::move(settings)), http_(std::move(http)) {
    while (!settings_.api_url.empty() && settings_.api_url.back() == '/') settings_.api_url.pop_back();
    if (!settings_.sleep) settings_.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
    if (!settings_.now_seconds) settings_.now_seconds = [] { return static_cast<int64_t>(::time(nullptr)); };
  }

  int64_t create_check_run(const std::string& repo, const CheckRun& run) override {
    nlohmann::json body = check_json(run);
    body["head_sha"] = run.head_sha;
    return call("POST", "/repos/" + repo + "/check-runs", body, repo).value("id", int64_t{0});
  }
  void update_check_run(const std::string& repo, int64_t id, const CheckRun& run) override {
    call("PATCH", "/repos/" + repo + "/check-runs/" + std::to_string(id), check_json(run), repo);
  }
  int64_t create_comment(const std::string& repo, int64_t issue, const std::string& body) override {
    return call("POST", "/repos/" + repo + "/issues/" + std::to_string(issue) + "/comments", {{"body", body}}, repo)
        .value("id", int64_t{0});
  }
  void update_comment(const std::string& repo, int64_t comment_id, const std::string& body) override {
    call("PATCH", "/repos/" + repo + "/issues/comments/" + std::to_string(comment_id), {{"body", body}}, repo);
  }
  std::string permission(const std::string& repo, const std::string& user) override {
    nlohmann::json j = call("GET", "/repos/" + repo + "/collaborators/" + user + "/permission", nullptr, repo, true);
    return j.is_object() && j.contains("permission") && j["permission"].is_string() ? j["permission"].get<std::string>()
                                                                                    : "none";
  }

 private:
  static nlohmann::json check_json(const CheckRun& run) {
    nlohmann::json j = {{"name", run.name}, {"status", run.status}};
    if (!run.conclusion.empty()) j["conclusion"] = run.conclusion;
    if (!run.details_url.empty()) j["details_url"] = run.details_url;
    if (!run.external_id.empty()) j["external_id"] = run.external_id;
    if (!run.title.empty() || !run.summary.empty()) {
      j["output"] = {{"title", run.title}, {"summary", fit(run.summary, kMaxCheckText, "…")}};
      if (!run.text.empty()) j["output"]["text"] = fit(run.text, kMaxCheckText, "…");
    }
    if (run.apply_button)
      j["actions"] = {{{"label", "Apply"}, {"description", "Apply exactly this plan"}, {"identifier", "apply"}}};
    return j;
  }

  // The bearer credential for calls about `repo`: the token, or the App's installation token.
  std::string credential(const std::string& repo) {
    if (settings_.app_id.empty()) return settings_.token;
    const int64_t now = settings_.now_seconds();
    std::lock_guard lock(mutex_);
    int64_t& installation = installations_[repo];
    if (installation == 0) {
      nlohmann::json j = send("GET", "/repos/" + repo + "/installation", nullptr, jwt(now), false);
      installation = j.is_object() && j.contains("id") && j["id"].is_number_integer() ? j["id"].get<int64_t>() : 0;
      if (installation == 0)
        throw Error(ErrorKind::kUserInput, "GitHub named no installation of the App for " + repo, {},
                    "install the GitHub App on the repository");
    }
    Token& t = tokens_[installation];
    if (t.value.empty() || now >= t.expires - 300) {
      nlohmann::json j = send("POST", "/app/installations/" + std::to_string(installation) + "/access_tokens",
                              nlohmann::json::object(), jwt(now), false);
      if (!j.is_object() || !j.contains("token") || !j["token"].is_string())
        throw Error(ErrorKind::kEnvironment, "GitHub's answer for an installation token had no token");
      t.value = j["token"].get<std::string>();
      t.expires = j.contains("expires_at") && j["expires_at"].is_string()
                      ? iso_seconds(j["expires_at"].get<std::string>())
                      : now + 3600;
    }
    return t.value;
  }
  std::string jwt(int64_t now) { return app_jwt(settings_.app_id, settings_.app_private_key, now); }

  // One request about `repo`, tried again as the header comment says. `missing_ok`: a 404 answers null.
  nlohmann::json call(const std::string& method, const std::string& path, const nlohmann::json& body,
                      const std::string& repo, bool missing_ok = false) {
    return send(method, path, body, credential(repo), missing_ok);
  }
  nlohmann::json send(const std::string& method, const std::string& path, const nlohmann::json& body,
                      const std::string& bearer, bool missing_ok) {
    app::HttpRequest r;
    r.method = method;
    r.url = settings_.api_url + path;
    r.headers["Accept"] = "application/vnd.github+json";
    r.headers["X-GitHub-Api-Version"] = "2022-11-28";
    r.headers["User-Agent"] = "strata";
    if (!bearer.empty()) r.headers["Authorization"] = "Bearer " + bearer;
    if (!body.is_null()) {
      r.body = body.dump();
      r.headers["Content-Type"] = "application/json";
    }
    std::chrono::milliseconds wait = settings_.backoff;
    std::string last;
    for (int attempt = 1;; ++attempt) {
      std::optional<app::HttpResponse> answer;
      try {
        answer = http_->send(r);
      } catch (const Error& e) {
        last = e.message();
      }
      if (answer) {
        const int status = answer->status;
        if (status >= 200 && status < 300)
          return answer->body.empty() ? nlohmann::json::object() : nlohmann::json::parse(answer->body, nullptr, false);
        if (status == 404 && missing_ok) return nullptr;
        const std::string retry_after = answer->header("retry-after");
        const bool secondary = (status == 403 || status == 429) &&
                               (!retry_after.empty() || answer->header("x-ratelimit-remaining") == "0");
        last = "GitHub answered " + std::to_string(status) + " to " + method + " " + path + ": " + message_of(*answer);
        if (status < 500 && !secondary) throw Error(ErrorKind::kUserInput, last, {}, hint_for(status));
        if (!retry_after.empty()) {
          char* end = nullptr;
          long seconds = std::strtol(retry_after.c_str(), &end, 10);
          if (!*end && seconds >= 0)
            wait = std::min<std::chrono::milliseconds>(std::chrono::seconds(seconds), settings_.longest_wait);
        }
      }
      if (attempt >= settings_.attempts)
        throw Error(ErrorKind::kEnvironment, last + " (tried " + std::to_string(attempt) + " times)", {},
                    "GitHub may be down or limiting this server; strata tries again on the next event");
      settings_.sleep(wait);
      wait = std::min<std::chrono::milliseconds>(wait * 2, settings_.longest_wait);
    }
  }

  static std::string message_of(const app::HttpResponse& r) {
    nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
    if (j.is_object() && j.contains("message") && j["message"].is_string()) return j["message"].get<std::string>();
    return r.body.substr(0, 200);
  }
  static std::string hint_for(int status) {
    if (status == 401) return "the server's GitHub token is missing, wrong or expired";
    if (status == 403 || status == 404)
      return "the token needs the checks:write, pull_requests:write and metadata:read permissions on the repository";
    return "";
  }

  ClientSettings settings_;
  std::unique_ptr<app::HttpClient> http_;
  struct Token {
    std::string value;
    int64_t expires = 0;
  };
  std::mutex mutex_;
  std::map<std::string, int64_t> installations_;  // repo -> the App's installation
  std::map<int64_t, Token> tokens_;               // installation -> its token
};

}  // namespace

std::unique_ptr<Client> make_client(ClientSettings settings) {
  return make_client(std::move(settings), app::make_curl_client());
}

std::unique_ptr<Client> make_client(ClientSettings settings, std::unique_ptr<app::HttpClient> http) {
  return std::make_unique<RestClient>(std::move(settings), std::move(http));
}

}  // namespace strata::github

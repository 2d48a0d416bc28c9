// GitHub's REST API as strata uses it (DESIGN §11.4, #23): check runs on a pull request's head,
// the one comment strata keeps on a pull request, and a user's permission on a repository.
// An interface, so the control plane is tested against a recording fake on loopback (GitHub
// itself is unreachable here); the real one speaks HTTP through libcurl to `api_url` (GitHub
// Enterprise: https://HOST/api/v3), with a token.
//
// Retries: a 5xx answer, a secondary rate limit (403 or 429 with Retry-After, or with
// x-ratelimit-remaining: 0) and no answer at all are tried again with backoff (Retry-After when
// GitHub gives one); any other 4xx is not — it is an Error carrying GitHub's message.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace strata::app {
class HttpClient;
}

namespace strata::github {

// What a check run shows (POST/PATCH /repos/{owner}/{repo}/check-runs).
struct CheckRun {
  std::string name = "strata";
  std::string head_sha;       // on create
  std::string status;         // queued | in_progress | completed
  std::string conclusion;     // completed: success | failure | neutral | cancelled | action_required
  std::string title;
  std::string summary;        // markdown, at most kMaxCheckText bytes
  std::string text;           // markdown, at most kMaxCheckText bytes
  std::string details_url;    // strata's page for the run
  std::string external_id;    // strata's run id
  bool apply_button = false;  // offer the "Apply" requested action (check_run.requested_action)
};

// GitHub refuses a check run's summary or text over 65,535 characters.
inline constexpr size_t kMaxCheckText = 65535;

// `text` cut at a line boundary to at most `limit` bytes with `tail` after it ("" when it fits).
std::string fit(const std::string& text, size_t limit, const std::string& tail);

class Client {
 public:
  virtual ~Client() = default;
  // `repo` is "owner/name". Each throws strata::Error when GitHub refuses or cannot be reached.
  virtual int64_t create_check_run(const std::string& repo, const CheckRun& run) = 0;
  virtual void update_check_run(const std::string& repo, int64_t id, const CheckRun& run) = 0;
  virtual int64_t create_comment(const std::string& repo, int64_t issue, const std::string& body) = 0;
  virtual void update_comment(const std::string& repo, int64_t comment_id, const std::string& body) = 0;
  // `user`'s permission on `repo`: admin, maintain, write, triage, read or none.
  virtual std::string permission(const std::string& repo, const std::string& user) = 0;
};

struct ClientSettings {
  std::string api_url = "https://api.github.com";
  std::string token;  // a personal access token or an installation token
  // Or authentication as a GitHub App: its id and private key (PEM). Each repository's
  // installation is looked up (GET /repos/{owner}/{repo}/installation) with a JWT the key signs
  // (RS256, ten minutes), and its installation token (POST /app/installations/{id}/access_tokens)
  // is kept until five minutes before it expires.
  std::string app_id;
  std::string app_private_key;
  std::function<int64_t()> now_seconds;  // the clock (tests); the system's by default
  int attempts = 4;   // tries of one request, the first included
  std::chrono::milliseconds backoff{500};  // before the second try; doubled each time
  std::chrono::seconds longest_wait{60};   // a Retry-After beyond this is cut to it
  // How the client waits between tries (tests: record instead of sleep).
  std::function<void(std::chrono::milliseconds)> sleep;
};

// A GitHub App's JWT (RS256): iss = app_id, iat a minute ago, exp nine minutes ahead. Throws an
// Error for a key that is not an RSA private key in PEM.
std::string app_jwt(const std::string& app_id, const std::string& private_key_pem, int64_t now_seconds);

// The REST client over libcurl, or over `http` (a test's).
std::unique_ptr<Client> make_client(ClientSettings settings);
std::unique_ptr<Client> make_client(ClientSettings settings, std::unique_ptr<app::HttpClient> http);

}  // namespace strata::github

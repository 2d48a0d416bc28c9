#include "github/webhook.h"

#include <cctype>

#include "model/error.h"
#include "secrets/crypto.h"

namespace strata::github {

std::string signature_header(std::string_view secret, std::string_view body) {
  return "sha256=" + secrets::hex_encode(secrets::hmac_sha256(secret, body));
}

bool signature_matches(std::string_view secret, std::string_view body, std::string_view header) {
  if (secret.empty() || header.size() != 7 + 64 || header.substr(0, 7) != "sha256=") return false;
  std::string given(header.substr(7));
  for (char& c : given) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string expected = signature_header(secret, body).substr(7);
  return secrets::equal_in_constant_time(given, expected);
}

namespace {

[[noreturn]] void missing(const std::string& field, const char* kind) {
  throw Error("the payload has no " + std::string(kind) + " \"" + field + "\"", {},
              "send the payload as GitHub does (Content-Type: application/json)");
}

const nlohmann::json& member(const nlohmann::json& j, const char* key, const std::string& path) {
  if (!j.is_object() || !j.contains(key)) missing(path, "field");
  return j.at(key);
}

std::string text(const nlohmann::json& j, const char* key, const std::string& path) {
  const nlohmann::json& v = member(j, key, path);
  if (!v.is_string()) missing(path, "string");
  return v.get<std::string>();
}

// A string that may be null or absent: "" then.
std::string text_or_empty(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j.at(key).is_string()) return "";
  return j.at(key).get<std::string>();
}

bool flag(const nlohmann::json& j, const char* key) {
  return j.is_object() && j.contains(key) && j.at(key).is_boolean() && j.at(key).get<bool>();
}

int64_t number(const nlohmann::json& j, const char* key, const std::string& path) {
  const nlohmann::json& v = member(j, key, path);
  if (!v.is_number_integer()) missing(path, "number");
  return v.get<int64_t>();
}

Repository repository(const nlohmann::json& payload) {
  const nlohmann::json& r = member(payload, "repository", "repository");
  Repository out;
  out.full_name = text(r, "full_name", "repository.full_name");
  out.owner = r.contains("owner") ? text_or_empty(r.at("owner"), "login") : "";
  out.clone_url = text_or_empty(r, "clone_url");
  out.default_branch = text_or_empty(r, "default_branch");
  return out;
}

}  // namespace

std::string PushEvent::branch() const { return ref.rfind("refs/heads/", 0) == 0 ? ref.substr(11) : ""; }

bool PullRequestEvent::from_fork() const { return head_repository != repository.full_name; }

std::optional<std::string> repository_of(const nlohmann::json& payload) {
  if (!payload.is_object() || !payload.contains("repository")) return std::nullopt;
  const nlohmann::json& r = payload.at("repository");
  if (!r.is_object() || !r.contains("full_name") || !r.at("full_name").is_string()) return std::nullopt;
  return r.at("full_name").get<std::string>();
}

PingEvent parse_ping(const nlohmann::json& payload) {
  PingEvent e;
  e.hook_id = payload.is_object() && payload.contains("hook_id") && payload.at("hook_id").is_number_integer()
                  ? payload.at("hook_id").get<int64_t>()
                  : 0;
  e.zen = text_or_empty(payload, "zen");
  return e;
}

PushEvent parse_push(const nlohmann::json& payload) {
  PushEvent e;
  e.ref = text(payload, "ref", "ref");
  e.before = text(payload, "before", "before");
  e.after = text(payload, "after", "after");
  e.created = flag(payload, "created");
  e.deleted = flag(payload, "deleted");
  e.forced = flag(payload, "forced");
  if (payload.contains("pusher")) e.pusher = text_or_empty(payload.at("pusher"), "name");
  e.repository = repository(payload);
  return e;
}

PullRequestEvent parse_pull_request(const nlohmann::json& payload) {
  PullRequestEvent e;
  e.action = text(payload, "action", "action");
  const nlohmann::json& pr = member(payload, "pull_request", "pull_request");
  e.number = number(pr, "number", "pull_request.number");
  e.merged = flag(pr, "merged");
  e.draft = flag(pr, "draft");
  const nlohmann::json& head = member(pr, "head", "pull_request.head");
  e.head_sha = text(head, "sha", "pull_request.head.sha");
  e.head_ref = text(head, "ref", "pull_request.head.ref");
  // A fork that was deleted leaves head.repo null.
  e.head_repository = head.contains("repo") ? text_or_empty(head.at("repo"), "full_name") : "";
  const nlohmann::json& base = member(pr, "base", "pull_request.base");
  e.base_ref = text(base, "ref", "pull_request.base.ref");
  e.base_sha = text(base, "sha", "pull_request.base.sha");
  e.merge_commit_sha = e.merged ? text_or_empty(pr, "merge_commit_sha") : "";
  if (pr.contains("user")) e.author = text_or_empty(pr.at("user"), "login");
  e.repository = repository(payload);
  return e;
}

IssueCommentEvent parse_issue_comment(const nlohmann::json& payload) {
  IssueCommentEvent e;
  e.action = text(payload, "action", "action");
  const nlohmann::json& issue = member(payload, "issue", "issue");
  e.number = number(issue, "number", "issue.number");
  e.on_pull_request = issue.contains("pull_request") && issue.at("pull_request").is_object();
  const nlohmann::json& comment = member(payload, "comment", "comment");
  e.body = text_or_empty(comment, "body");
  if (comment.contains("user")) e.author = text_or_empty(comment.at("user"), "login");
  e.author_association = text_or_empty(comment, "author_association");
  e.repository = repository(payload);
  return e;
}

CheckActionEvent parse_check_action(const nlohmann::json& payload) {
  CheckActionEvent e;
  const nlohmann::json& action = member(payload, "requested_action", "requested_action");
  e.identifier = text(action, "identifier", "requested_action.identifier");
  if (payload.contains("sender")) e.user = text_or_empty(payload.at("sender"), "login");
  const nlohmann::json& run = member(payload, "check_run", "check_run");
  if (run.contains("pull_requests") && run.at("pull_requests").is_array())
    for (const auto& pr : run.at("pull_requests"))
      if (pr.is_object() && pr.contains("number") && pr.at("number").is_number_integer())
        e.pull_requests.push_back(pr.at("number").get<int64_t>());
  e.repository = repository(payload);
  return e;
}

std::optional<std::string> comment_command(std::string_view body) {
  size_t at = 0;
  while (at <= body.size()) {
    size_t end = body.find('\n', at);
    std::string_view line = body.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    for (const char* command : {"plan", "apply"}) {
      std::string word = std::string("strata ") + command;
      if (line.substr(0, word.size()) == word && (line.size() == word.size() || line[word.size()] == ' '))
        return std::string(command);
    }
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  return std::nullopt;
}

}  // namespace strata::github

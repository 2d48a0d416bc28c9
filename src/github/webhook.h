// GitHub webhooks (DESIGN §11.4): the X-Hub-Signature-256 check and the events strata acts on,
// read from their payloads as GitHub sends them (samples: ../shared/conformance/github-webhooks/).
// No HTTP and no store here: the server's webhook route and the control plane call these.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::github {

// X-Hub-Signature-256 for `body` under `secret`: "sha256=" and the lower-case hex of
// HMAC-SHA256(secret, body).
std::string signature_header(std::string_view secret, std::string_view body);
// Whether `header` is that signature (compared in constant time; the hex in either case). False
// for an empty secret, a missing or malformed header.
bool signature_matches(std::string_view secret, std::string_view body, std::string_view header);

// The repository a payload is about.
struct Repository {
  std::string full_name;       // "owner/name" as GitHub spells it
  std::string owner;           // the owner's login
  std::string clone_url;
  std::string default_branch;
};

// "ping": sent once when a webhook is created.
struct PingEvent {
  int64_t hook_id = 0;
  std::string zen;
};

// "push": a branch or tag moved, was created or deleted.
struct PushEvent {
  std::string ref;             // "refs/heads/main", "refs/tags/v1"
  std::string before;          // 40 zeros when the ref was created
  std::string after;           // 40 zeros when the ref was deleted
  bool created = false;
  bool deleted = false;
  bool forced = false;
  std::string pusher;          // the pusher's name
  Repository repository;
  // The branch the ref names ("" for a tag).
  std::string branch() const;
};

// "pull_request".
struct PullRequestEvent {
  std::string action;          // opened, synchronize, reopened, closed, …
  int64_t number = 0;
  bool merged = false;         // closed by a merge
  bool draft = false;
  std::string head_sha;
  std::string head_ref;
  std::string head_repository; // the head's repository ("owner/name"); another than the base's for a fork
  std::string base_ref;
  std::string base_sha;
  std::string merge_commit_sha;  // once merged ("" before)
  std::string author;          // the pull request's author
  Repository repository;       // the base repository
  bool from_fork() const;
};

// "issue_comment": a comment on an issue or pull request.
struct IssueCommentEvent {
  std::string action;          // created, edited, deleted
  int64_t number = 0;          // the issue's or pull request's
  bool on_pull_request = false;
  std::string body;
  std::string author;
  std::string author_association;  // OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE, …
  Repository repository;
};

// "check_run" with action "requested_action": a button of a check run was pressed.
struct CheckActionEvent {
  std::string identifier;               // the action's ("apply")
  std::string user;                     // who pressed it (sender.login)
  std::vector<int64_t> pull_requests;   // the check run's pull requests
  Repository repository;
};

// The repository a payload names ("owner/name"), for finding whose secret checks its signature;
// nullopt when it names none.
std::optional<std::string> repository_of(const nlohmann::json& payload);

// Each throws strata::Error (user input) naming the field that is missing or of the wrong type.
PingEvent parse_ping(const nlohmann::json& payload);
PushEvent parse_push(const nlohmann::json& payload);
PullRequestEvent parse_pull_request(const nlohmann::json& payload);
IssueCommentEvent parse_issue_comment(const nlohmann::json& payload);
CheckActionEvent parse_check_action(const nlohmann::json& payload);

// A strata command in a pull request comment: a line "strata plan" or "strata apply" (leading
// spaces allowed; what follows on the line is ignored). nullopt when the comment has none.
std::optional<std::string> comment_command(std::string_view body);

// GitHub's "no commit" (a created ref's before, a deleted ref's after).
inline constexpr const char* kNoCommit = "0000000000000000000000000000000000000000";

}  // namespace strata::github

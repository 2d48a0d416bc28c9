// Pull requests (DESIGN §11.4, #23): a plan of what a pull request changes, reported on GitHub as
// one check run per head and one comment strata edits (never a new one per push); an apply of
// exactly the reviewed plan when the pull request merges, or on a `strata apply` comment (or the
// check run's Apply button) from someone with write permission.
//
// Untrusted code: a plan runs the repository's code on the workers (its local-exec, its stack
// files on the server), so only registered repositories are served (the allowlist), and a pull
// request from a fork is planned only when a maintainer comments `strata plan` (fork_policy
// "comment", the default) — or automatically with fork_policy "plan".
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "github/client.h"
#include "github/webhook.h"
#include "store/store.h"

namespace strata::control {

class ControlPlane;

struct GitHubOptions {
  std::string api_url = "https://api.github.com";
  std::string token;         // GitHub's API; PR events are recorded but not acted on without it (or an App)
  std::string app_id;        // or as a GitHub App: its id and private key (PEM)
  std::string app_private_key;
  std::string external_url;  // where people reach this server, for links ("" = its own URL)
  std::string fork_policy = "comment";  // "comment" | "plan"
};

// What processing one event came to: the delivery's status (done, ignored, failed) and outcome.
using EventOutcome = std::pair<std::string, std::string>;

class PullRequests {
 public:
  explicit PullRequests(ControlPlane& control) : control_(control) {}
  // The GitHub client (the server makes one from GitHubOptions; tests give theirs).
  void set_client(std::unique_ptr<github::Client> client);
  bool connected() const;

  EventOutcome on_pull_request(const store::Repository& repo, const github::PullRequestEvent& event);
  EventOutcome on_comment(const store::Repository& repo, const github::IssueCommentEvent& event);
  // check_run.requested_action: the Apply button.
  EventOutcome on_check_action(const store::Repository& repo, int64_t number, const std::string& action,
                               const std::string& user);

  // Reports to GitHub every run of a pull request that ended since (check run completed, the
  // comment edited); returns how many. A failure to reach GitHub is kept for the next call.
  size_t report_ended();

 private:
  EventOutcome plan(const store::Repository& repo, store::PullRequest pr, const std::string& actor);
  EventOutcome apply(const store::Repository& repo, store::PullRequest pr, const std::string& actor,
                     const std::string& why);
  // Creates the check run of pr.head_sha, or updates the one it has.
  void check(const store::Repository& repo, store::PullRequest& pr, github::CheckRun run);
  // Creates strata's comment, or edits it.
  void comment(const store::Repository& repo, store::PullRequest& pr, const std::string& body);
  void report(const store::Repository& repo, store::PullRequest pr, const store::Run& run);
  // Whether `user` may `command` (plan, apply) on `repo`: write permission (or, to plan, an
  // owner, member or collaborator by the comment's author association).
  bool may(const store::Repository& repo, const std::string& user, const std::string& command,
           const std::string& association);
  std::string run_link(const std::string& run_id) const;

  ControlPlane& control_;
  mutable std::mutex mutex_;
  std::shared_ptr<github::Client> client_;
  std::shared_ptr<github::Client> client() const;
};

// The markdown strata writes for a run that ended: a title ("+1 ~0 -0"), the summary table of
// every component (status, +add ~change -destroy) and the plan's resources as text.
struct RunReport {
  std::string title;
  std::string summary;
  std::string text;
  std::string conclusion;  // success | failure | cancelled
  bool has_changes = false;
};
RunReport run_report(const store::Run& run, const std::vector<store::Activity>& activities);

}  // namespace strata::control

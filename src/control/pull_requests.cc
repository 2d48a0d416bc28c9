#include "control/pull_requests.h"

#include <nlohmann/json.hpp>

#include "control/control_plane.h"
#include "model/error.h"
#include "model/plan_changes.h"

namespace strata::control {

namespace {

constexpr const char* kCommentMark = "<!-- strata:pull-request -->";

std::string short_sha(const std::string& sha) { return sha.substr(0, 12); }

int count(const nlohmann::json& summary, const char* key) {
  return summary.is_object() && summary.contains(key) && summary[key].is_number_integer() ? summary[key].get<int>() : 0;
}

}  // namespace

RunReport run_report(const store::Run& run, const std::vector<store::Activity>& activities) {
  RunReport r;
  int add = 0, change = 0, destroy = 0;
  std::string table = "| Component | Status | + | ~ | - |\n|---|---|---:|---:|---:|\n";
  std::string text;
  for (const store::Activity& a : activities) {
    nlohmann::json changes = nlohmann::json::parse(a.changes_json.empty() ? "{}" : a.changes_json, nullptr, false);
    const nlohmann::json summary = changes.is_object() ? changes.value("summary", nlohmann::json::object()) : nlohmann::json();
    int ca = count(summary, "add"), cc = count(summary, "change"), cd = count(summary, "destroy");
    add += ca;
    change += cc;
    destroy += cd;
    table += "| `" + a.stack + "/" + a.component + "` | " + a.status + " | " + std::to_string(ca) + " | " +
             std::to_string(cc) + " | " + std::to_string(cd) + " |\n";
    text += "#### " + a.stack + "/" + a.component + " (" + a.status + ")\n";
    if (!a.error.empty()) text += "```\n" + a.error + "\n```\n";
    const nlohmann::json plan = changes.is_object() ? changes.value("plan", nlohmann::json::object()) : nlohmann::json();
    bool any = false;
    if (plan.is_object() && plan.contains("resources") && plan["resources"].is_array()) {
      std::string lines;
      for (const auto& res : plan["resources"]) {
        std::string action = res.value("action", "");
        lines += std::string(plan_action_symbol(action)) + " " + res.value("address", "") + "\n";
        if (res.contains("attributes") && res["attributes"].is_array())
          for (const auto& at : res["attributes"]) {
            std::string before = at.contains("before") ? at["before"].get<std::string>() : "";
            std::string after = at.contains("after") ? at["after"].get<std::string>() : "";
            lines += "    " + at.value("path", "") + " = " + (at.contains("before") && at.contains("after")
                                                                      ? before + " -> " + after
                                                                      : (at.contains("after") ? after : before + " -> null")) +
                     "\n";
          }
      }
      if (!lines.empty()) {
        text += "```diff\n" + lines + "```\n";
        any = true;
      }
    }
    if (!any && a.error.empty()) text += "No changes.\n";
    if (ca + cc + cd > 0) r.has_changes = true;
  }
  const std::string counts = "+" + std::to_string(add) + " ~" + std::to_string(change) + " -" + std::to_string(destroy);
  r.conclusion = run.status == "succeeded" ? "success" : run.status == "cancelled" ? "cancelled" : "failure";
  r.title = "strata " + run.command + " " + (run.status == "succeeded" ? "" : run.status + ": ") + counts + " in " +
            std::to_string(activities.size()) + " component" + (activities.size() == 1 ? "" : "s");
  r.summary = "**" + r.title + "** at `" + short_sha(run.commit) + "`\n\n" + table;
  if (!run.status_reason.empty()) r.summary += "\n```\n" + run.status_reason + "\n```\n";
  r.text = text;
  return r;
}

void PullRequests::set_client(std::unique_ptr<github::Client> client) {
  std::lock_guard lock(mutex_);
  client_ = std::move(client);
}

bool PullRequests::connected() const { return client() != nullptr; }

std::shared_ptr<github::Client> PullRequests::client() const {
  std::lock_guard lock(mutex_);
  return client_;
}

std::string PullRequests::run_link(const std::string& run_id) const {
  std::string base = control_.options().github.external_url.empty() ? control_.options().server_url
                                                                     : control_.options().github.external_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/api/v1/runs/" + run_id;
}

void PullRequests::check(const store::Repository& repo, store::PullRequest& pr, github::CheckRun run) {
  run.head_sha = pr.head_sha;
  pr.check_status = run.status;
  if (pr.check_run_id != 0 && pr.check_sha == pr.head_sha) {
    client()->update_check_run(repo.github, pr.check_run_id, run);
  } else {
    pr.check_run_id = client()->create_check_run(repo.github, run);
    pr.check_sha = pr.head_sha;
  }
}

void PullRequests::comment(const store::Repository& repo, store::PullRequest& pr, const std::string& body) {
  const std::string text = std::string(kCommentMark) + "\n" + github::fit(body, 60000, "… (cut; the whole plan is linked above)");
  if (pr.comment_id != 0) client()->update_comment(repo.github, pr.comment_id, text);
  else pr.comment_id = client()->create_comment(repo.github, pr.number, text);
}

bool PullRequests::may(const store::Repository& repo, const std::string& user, const std::string& command,
                       const std::string& association) {
  if (command == "plan" && (association == "OWNER" || association == "MEMBER" || association == "COLLABORATOR"))
    return true;
  const std::string permission = client()->permission(repo.github, user);
  return permission == "admin" || permission == "maintain" || permission == "write";
}

EventOutcome PullRequests::on_pull_request(const store::Repository& repo, const github::PullRequestEvent& e) {
  if (!connected())
    return {"ignored", "pull request #" + std::to_string(e.number) +
                           ": the server has no GitHub access (github = { token_file = … } in its config)"};
  store::PullRequest pr = control_.store().pull_request(repo.id, e.number).value_or(store::PullRequest{});
  pr.repository_id = repo.id;
  pr.number = e.number;
  pr.head_ref = e.head_ref;
  pr.base_ref = e.base_ref;
  pr.from_fork = e.from_fork();
  if (e.action == "opened" || e.action == "reopened" || e.action == "synchronize") {
    pr.state = "open";
    pr.head_sha = e.head_sha;
    if (pr.from_fork && control_.options().github.fork_policy != "plan") {
      control_.store().save_pull_request(pr);
      comment(repo, pr,
              "This pull request comes from a fork, so strata does not plan it by itself: its code would run on "
              "this server's workers. A maintainer starts a plan by commenting `strata plan`.");
      control_.store().save_pull_request(pr);
      return {"done", "pull request #" + std::to_string(e.number) + " is from a fork: waiting for a maintainer's `strata plan`"};
    }
    return plan(repo, pr, "github:" + e.author);
  }
  if (e.action == "closed") {
    if (!e.merged) {
      pr.state = "closed";
      control_.store().save_pull_request(pr);
      if (pr.comment_id != 0) comment(repo, pr, "Closed without merging: nothing was applied.");
      control_.store().save_pull_request(pr);
      return {"done", "pull request #" + std::to_string(e.number) + " closed without merging"};
    }
    pr.state = "merged";
    return apply(repo, pr, "github:" + e.author, "merged");
  }
  return {"ignored", "pull request #" + std::to_string(e.number) + " " + e.action + ": nothing to do"};
}

EventOutcome PullRequests::on_comment(const store::Repository& repo, const github::IssueCommentEvent& e) {
  if (!e.on_pull_request || e.action != "created") return {"ignored", "not a new comment on a pull request"};
  std::optional<std::string> command = github::comment_command(e.body);
  if (!command) return {"ignored", "the comment has no strata command"};
  if (!connected()) return {"ignored", "the server has no GitHub access (github = { token_file = … } in its config)"};
  std::optional<store::PullRequest> pr = control_.store().pull_request(repo.id, e.number);
  if (!pr) return {"ignored", "strata has not seen pull request #" + std::to_string(e.number) + " open yet"};
  if (pr->state != "open") return {"ignored", "pull request #" + std::to_string(e.number) + " is " + pr->state};
  if (!may(repo, e.author, *command, e.author_association)) {
    comment(repo, *pr, "@" + e.author + " may not `strata " + *command + "` here: that needs write permission on " +
                           repo.github + ".");
    control_.store().save_pull_request(*pr);
    return {"ignored", e.author + " may not " + *command + " (no write permission)"};
  }
  if (*command == "plan") return plan(repo, *pr, "github:" + e.author);
  return apply(repo, *pr, "github:" + e.author, "asked by @" + e.author);
}

EventOutcome PullRequests::on_check_action(const store::Repository& repo, int64_t number, const std::string& action,
                                           const std::string& user) {
  if (action != "apply") return {"ignored", "check run action " + action + " is not strata's"};
  if (!connected()) return {"ignored", "the server has no GitHub access"};
  std::optional<store::PullRequest> pr = control_.store().pull_request(repo.id, number);
  if (!pr || pr->state != "open") return {"ignored", "no open pull request #" + std::to_string(number)};
  if (!may(repo, user, "apply", "")) return {"ignored", user + " may not apply (no write permission)"};
  return apply(repo, *pr, "github:" + user, "the Apply button, by @" + user);
}

EventOutcome PullRequests::plan(const store::Repository& repo, store::PullRequest pr, const std::string& actor) {
  GitCache& git = control_.git();
  git.fetch(repo.id, repo.url);
  const std::string head = git.resolve(repo.id, pr.head_sha, repo.default_branch);
  pr.head_sha = head;
  const std::string base_head = git.resolve(repo.id, pr.base_ref, repo.default_branch);
  const std::string base = git.merge_base(repo.id, head, base_head);
  std::unique_ptr<ProjectAtCommit> loaded = control_.load_at(repo, head);
  if (!loaded->error.empty()) {
    github::CheckRun run;
    run.status = "completed";
    run.conclusion = "failure";
    run.title = "The project does not load at " + short_sha(head);
    run.summary = "```\n" + loaded->error + "\n```\n";
    check(repo, pr, run);
    comment(repo, pr, "**strata** could not plan `" + short_sha(head) + "`: the project does not load.\n\n```\n" +
                          loaded->error + "\n```\n");
    pr.plan_run_id.clear();
    control_.store().save_pull_request(pr);
    return {"done", "pull request #" + std::to_string(pr.number) + ": the project does not load at " + short_sha(head)};
  }
  std::vector<std::string> components;
  if (!base.empty())
    for (const ComponentRef& c : components_changed(git, repo.id, base, head, *loaded))
      components.push_back(c.stack + "/" + c.component);
  if (components.empty()) {
    github::CheckRun run;
    run.status = "completed";
    run.conclusion = "neutral";
    run.title = "No stack is affected";
    run.summary = "No component of the project uses a file this pull request changes (at `" + short_sha(head) + "`).";
    check(repo, pr, run);
    comment(repo, pr, "**strata**: no stack is affected by `" + short_sha(head) + "`; nothing to plan.");
    pr.plan_run_id.clear();
    control_.store().save_pull_request(pr);
    return {"done", "pull request #" + std::to_string(pr.number) + ": no stack affected at " + short_sha(head)};
  }
  RunRequest request;
  request.repository = repo.name;
  request.command = "plan";
  request.components = components;
  request.commit = head;
  request.dependents = true;
  store::Run run = control_.start_run(request, actor);
  pr.plan_run_id = run.id;
  pr.pending_run = run.id;
  github::CheckRun queued;
  queued.status = "queued";
  queued.external_id = run.id;
  queued.details_url = run_link(run.id);
  queued.title = "Planning " + std::to_string(components.size()) + " changed component(s) and their dependents";
  queued.summary = "Run `" + run.id + "` at `" + short_sha(head) + "`.";
  check(repo, pr, queued);
  comment(repo, pr, "**strata** is planning `" + short_sha(head) + "` (run `" + run.id + "`)…");
  control_.store().save_pull_request(pr);
  return {"done", "pull request #" + std::to_string(pr.number) + ": plan run " + run.id};
}

EventOutcome PullRequests::apply(const store::Repository& repo, store::PullRequest pr, const std::string& actor,
                                 const std::string& why) {
  std::optional<store::Run> plan_run =
      pr.plan_run_id.empty() ? std::nullopt : control_.store().run(pr.plan_run_id);
  std::string refusal;
  if (!plan_run) refusal = "there is no plan of this pull request to apply";
  else if (plan_run->commit != pr.head_sha) refusal = "the last plan is not of the head " + short_sha(pr.head_sha);
  else if (plan_run->status != "succeeded") refusal = "its last plan (run `" + plan_run->id + "`) is " + plan_run->status;
  if (refusal.empty()) {
    try {
      store::Run run = control_.apply_plan(plan_run->id, actor);
      pr.apply_run_id = run.id;
      pr.pending_run = run.id;
      comment(repo, pr, "**strata** is applying exactly the reviewed plan of `" + short_sha(pr.head_sha) + "` (" + why +
                            "; run `" + run.id + "`)…");
      control_.store().save_pull_request(pr);
      return {"done", "pull request #" + std::to_string(pr.number) + ": apply run " + run.id};
    } catch (const Error& e) {
      refusal = e.message();
    }
  }
  comment(repo, pr, "**strata** applied nothing (" + why + "): " + refusal + ".");
  control_.store().save_pull_request(pr);
  return {"done", "pull request #" + std::to_string(pr.number) + ": nothing applied: " + refusal};
}

void PullRequests::report(const store::Repository& repo, store::PullRequest pr, const store::Run& run) {
  RunReport r = run_report(run, control_.store().activities(run.id));
  const std::string link = run_link(run.id);
  if (run.command == "plan") {
    github::CheckRun done;
    done.status = "completed";
    done.conclusion = r.conclusion;
    done.title = r.title;
    done.summary = github::fit(r.summary, github::kMaxCheckText, "… (cut)");
    done.text = github::fit(r.text, github::kMaxCheckText, "… (cut; the whole plan: " + link + ")");
    done.details_url = link;
    done.external_id = run.id;
    done.apply_button = run.status == "succeeded" && r.has_changes;
    if (run.commit == pr.check_sha) check(repo, pr, done);
    std::string next = run.status == "succeeded"
                           ? (r.has_changes ? "\n\nMerge to apply exactly this plan, or comment `strata apply`."
                                            : "\n\nNothing to apply.")
                           : "\n\nFix it and push, or comment `strata plan` to plan again.";
    comment(repo, pr, r.summary + next + "\n\n[The whole plan](" + link + ")");
  } else {
    comment(repo, pr, r.summary + "\n\n[The run](" + link + ")");
  }
  control_.store().save_pull_request(pr);
}

size_t PullRequests::report_ended() {
  if (!connected()) return 0;
  size_t reported = 0;
  for (const store::PullRequest& pr : control_.store().pull_requests_pending()) {
    std::optional<store::Run> run = control_.store().run(pr.pending_run);
    if (run && run->finished_at == 0) {
      // A plan that started: its check run says so (queued → in_progress → completed).
      if (run->command == "plan" && run->status == "running" && pr.check_status == "queued" &&
          run->commit == pr.check_sha) {
        std::optional<store::Repository> repo = control_.store().repository(pr.repository_id);
        store::PullRequest current = pr;
        github::CheckRun running;
        running.status = "in_progress";
        running.external_id = run->id;
        running.details_url = run_link(run->id);
        try {
          if (repo) {
            check(*repo, current, running);
            control_.store().save_pull_request(current);
          }
        } catch (const Error&) {
          // Shown at the next call, or skipped once the run ended.
        }
      }
      continue;
    }
    if (!control_.store().take_pending_run(pr.repository_id, pr.number, pr.pending_run)) continue;
    std::optional<store::Repository> repo = control_.store().repository(pr.repository_id);
    if (!repo || !run) continue;
    store::PullRequest current = control_.store().pull_request(pr.repository_id, pr.number).value_or(pr);
    try {
      report(*repo, current, *run);
      ++reported;
    } catch (const Error&) {
      // GitHub refused or could not be reached: try again at the next call.
      current.pending_run = run->id;
      control_.store().save_pull_request(current);
    }
  }
  return reported;
}

}  // namespace strata::control

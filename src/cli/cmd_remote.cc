// `strata remote …`: the CLI against a strata server's API (DESIGN §11) — log in, register
// repositories, start runs and follow them (exit codes for CI jobs), read logs, list workers.
// Flags and rendering; the calls are remote/api_client.h, and the server decides everything.
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/atomic_file.h"
#include "base/duration.h"
#include "base/subprocess.h"
#include "cli/commands.h"
#include "cli/open_workspace.h"
#include "cli/remote_view.h"
#include "model/error.h"
#include "remote/api_client.h"
#include "remote/browser_login.h"

namespace strata::cli {

namespace {

struct RemoteFlags {
  std::string server;  // login's URL
  std::string token;
  std::string ca_cert;  // login --ca-cert
  // repos add
  std::string name, url, account;
  std::string github, webhook_secret_file;
  bool auto_destroy = false;
  // runs
  std::string id;
  std::string repository, command;
  std::vector<std::string> stacks, components;
  bool all = false;
  std::string commit;
  bool wait = false;
  bool detailed_exitcode = false;
  std::string activity;
  bool follow = false;
  int limit = 20;
};

remote::ApiClient client() { return remote_client(); }
std::string text(const nlohmann::json& j, const char* key) { return field_text(j, key); }

// `--expires` of a join token: "30m", "24h", "7d" → minutes, 1 to 30 days.
int64_t join_minutes(const std::string& text) {
  int64_t minutes = 0;
  if (text.size() > 1 && text.back() == 'd' && text.find_first_not_of("0123456789") == text.size() - 1) {
    minutes = std::stoll(text.substr(0, std::min<size_t>(text.size() - 1, 6))) * 24 * 60;
  } else if (std::optional<std::chrono::milliseconds> d = parse_duration(text)) {
    minutes = std::chrono::duration_cast<std::chrono::minutes>(*d).count();
  }
  if (minutes < 1 || minutes > 30 * 24 * 60)
    throw Error("--expires " + text + " is not a time from 1 minute to 30 days", {},
                "write --expires 30m, 24h or 7d: a join token always expires");
  return minutes;
}

void print_run(const nlohmann::json& run, std::ostream& out) {
  out << "run " << text(run, "id") << ": " << text(run, "command") << " of " << text(run, "repository") << " at "
      << text(run, "commit").substr(0, 12) << " — " << text(run, "status") << "\n";
  if (run.contains("plan_run_id")) out << "applies exactly the plans of run " << text(run, "plan_run_id") << "\n";
  if (run.contains("status_reason")) out << text(run, "status_reason") << "\n";
  if (!run.contains("activities")) return;
  for (const auto& a : run["activities"]) {
    std::string line = "  " + text(a, "stack") + "/" + text(a, "component");
    line += std::string(line.size() < 34 ? 34 - line.size() : 1, ' ') + text(a, "status");
    if (a.contains("changes") && a["changes"].contains("summary")) {
      const auto& s = a["changes"]["summary"];
      if (s.contains("add"))
        line += "  +" + std::to_string(s.value("add", 0)) + " ~" + std::to_string(s.value("change", 0)) + " -" +
                std::to_string(s.value("destroy", 0));
    }
    if (a.contains("error")) line += "  " + text(a, "error").substr(0, text(a, "error").find('\n'));
    out << line << "\n";
  }
}

// --wait: follows the run until it ends, printing each activity as its state changes.
int wait_for(remote::ApiClient& api, const std::string& id, const Globals& globals, bool detailed) {
  nlohmann::json run = api.wait_for_run(id, [&](const nlohmann::json& a) {
    if (!globals.quiet && !globals.json)
      std::cerr << text(a, "stack") << "/" << text(a, "component") << ": " << text(a, "status") << "\n";
  });
  if (globals.json) {
    std::cout << run.dump(2) << "\n";
  } else {
    print_run(run, std::cout);
  }
  if (text(run, "status") != "succeeded") return 1;
  return detailed && run.value("command", "") == "plan" && remote::run_has_changes(run) ? 2 : 0;
}

// logs --follow: a "== stack/component ==" line when the activity changes, then its text.
int follow_logs(remote::ApiClient& api, const std::string& id, const std::string& activity) {
  std::string current;
  std::string status = api.follow_logs(id, activity, [&](const nlohmann::json& j) {
    std::string who = text(j, "stack") + "/" + text(j, "component");
    if (who != current) std::cout << "== " << who << " ==\n";
    current = who;
    std::cout << text(j, "text") << std::flush;
  });
  std::cerr << "run " << id << ": " << status << "\n";
  return status == "succeeded" ? 0 : 1;
}

// Shows the sign-in URL, and opens it with $BROWSER (else xdg-open) when there is one: started
// apart from strata (the browser outlives it).
void open_in_browser(const std::string& url) {
  std::cerr << "Sign in with your browser: " << url << "\n";
  const remote::Environment env = process_environment();
  auto browser = env.find("BROWSER");
  std::string program = browser != env.end() && !browser->second.empty() ? browser->second : "xdg-open";
  if (std::string why = launch_detached({program, url}); !why.empty())
    std::cerr << "(no browser opened: " << why << "; open the address above)\n";
}

int login(const RemoteFlags& f, const Globals& globals) {
  remote::BrowserLogin how;
  how.server = f.server;
  how.ca_cert = f.ca_cert;
  how.account = f.account;
  how.open = open_in_browser;
  remote::Credentials c = remote::sign_in(how, f.token);
  std::string path = remote::store_credentials(c, process_environment());
  if (!globals.quiet) std::cout << "logged in to " << c.server << " (credentials in " << path << ", mode 0600)\n";
  return 0;
}

}  // namespace

void add_remote_command(CLI::App& app, Globals& globals, Action& action) {
  auto f = std::make_shared<RemoteFlags>();
  auto* cmd = app.add_subcommand("remote", "Work with a strata server: repositories, runs, logs, states, variables, tokens, workers");
  cmd->require_subcommand(1);
  cmd->footer(
      "The server and token come from `strata remote login URL` (signing in with the browser) or\n"
      "`strata remote login URL --token TOKEN` (stored in\n"
      "~/.config/strata/remote.json, mode 0600); STRATA_SERVER and STRATA_TOKEN override them,\n"
      "STRATA_CA_CERT names a PEM bundle to trust for a server's HTTPS (a self-signed certificate).\n"
      "In CI: strata remote runs start REPO plan --all --wait --detailed-exitcode\n"
      "(exit 0: no changes, 2: changes, 1: the run failed).");

  auto* login_cmd = cmd->add_subcommand(
      "login", "Sign in to a server with the browser (or check --token) and store the credentials for later commands");
  login_cmd->footer(
      "Without --token, strata opens the server's sign-in (GitHub) in your browser ($BROWSER, else\n"
      "xdg-open; the address is printed too) and receives an API token of your role on a loopback port.");
  login_cmd->add_option("url", f->server, "The server's URL, e.g. http://127.0.0.1:8470")->required();
  login_cmd->add_option("--token", f->token,
                        "An API token instead of signing in (the admin token is in <data-dir>/admin-token)");
  login_cmd->add_option("--ca-cert", f->ca_cert,
                        "PEM bundle to trust for the server's HTTPS instead of the system's (its own certificate when self-signed)")
      ->check(CLI::ExistingFile);
  login_cmd->add_option("--account", f->account,
                        "Sign in to this account, when you are a member of several (GitHub organisations)");
  login_cmd->callback([&, f] { action = [&globals, f] { return login(*f, globals); }; });

  auto* repos = cmd->add_subcommand("repos", "Repositories the server runs");
  repos->require_subcommand(1);
  auto* repos_add = repos->add_subcommand("add", "Register a git repository (the server fetches it now)");
  repos_add->add_option("name", f->name, "What runs call it")->required();
  repos_add->add_option("url", f->url, "Where the server fetches it: a path or file://, https or ssh URL")->required();
  repos_add->add_option("--account", f->account,
                        "The account that owns it (default: the token's; a server token's: none)");
  repos_add->add_option("--github", f->github,
                        "Its GitHub repository, OWNER/NAME: pushes to it (its webhook, at /webhooks/github) keep the "
                        "stack-code registry up to date");
  repos_add->add_option("--webhook-secret-file", f->webhook_secret_file,
                        "A file holding the secret its GitHub webhook signs deliveries with (\"-\": standard input); "
                        "needed with --github");
  repos_add->add_flag("--auto-destroy-loose", f->auto_destroy,
                      "Destroy a stack whose code a push removes (with the code it had), instead of keeping its state "
                      "loose for re-association");
  repos_add->add_flag("--json", globals.json, "Print the repository as JSON");
  repos_add->callback([&, f] {
    action = [&globals, f] {
      if (!f->github.empty() && f->webhook_secret_file.empty())
        throw Error("--github needs --webhook-secret-file", {},
                    "give the file holding the secret you set on the GitHub webhook: unsigned deliveries are never "
                    "trusted");
      if (f->github.empty() && !f->webhook_secret_file.empty())
        throw Error("--webhook-secret-file needs --github OWNER/NAME", {},
                    "name the GitHub repository whose webhook signs with that secret, or leave both out");
      std::string secret;
      if (!f->webhook_secret_file.empty()) {
        secret = read_file_or_stdin(f->webhook_secret_file);
        while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
        if (secret.empty())
          throw Error("the webhook secret file " + f->webhook_secret_file + " is empty", {},
                      "write the secret GitHub's webhook has into it");
      }
      nlohmann::json repo = client().add_repository(f->name, f->url, f->account, f->github, secret, f->auto_destroy);
      if (globals.json) std::cout << repo.dump(2) << "\n";
      else std::cout << "registered " << text(repo, "name") << " (" << text(repo, "url") << ", branch "
                     << text(repo, "default_branch")
                     << (repo["github"].is_string() ? ", GitHub " + repo["github"].get<std::string>() : "") << ")\n";
      return 0;
    };
  });
  auto* repos_list = repos->add_subcommand("list", "The registered repositories");
  repos_list->add_flag("--json", globals.json, "Print JSON");
  repos_list->callback([&, f] {
    action = [&globals] {
      nlohmann::json j = client().repositories();
      if (globals.json) std::cout << j.dump(2) << "\n";
      else
        for (const auto& r : j["repositories"])
          std::cout << text(r, "name") << "  " << text(r, "url")
                    << (r["account"].is_string() ? "  account " + r["account"].get<std::string>() : "")
                    << (r["github"].is_string() ? "  github " + r["github"].get<std::string>() : "") << "\n";
      return 0;
    };
  });

  auto* runs = cmd->add_subcommand("runs", "Runs: start, apply a plan run, follow, list, show, logs, cancel");
  runs->require_subcommand(1);
  auto* start = runs->add_subcommand("start", "Start a plan, apply or destroy on the server");
  start->add_option("repository", f->repository, "A registered repository")->required();
  start->add_option("command", f->command, "plan, apply or destroy")->required()
      ->check(CLI::IsMember({"plan", "apply", "destroy"}));
  start->add_option("stacks", f->stacks, "Stacks to run (every component of each)");
  start->add_option("--component", f->components, "A component, STACK/COMPONENT (repeatable)");
  start->add_flag("--all", f->all, "Every component of the project");
  start->add_option("--commit", f->commit, "A commit, branch or tag (default: the default branch's head)");
  start->add_flag("--wait", f->wait, "Follow the run until it ends; exit 1 when it fails");
  start->add_flag("--detailed-exitcode", f->detailed_exitcode, "With --wait: exit 2 when a plan has changes");
  start->add_flag("--json", globals.json, "Print the run as JSON");
  start->callback([&, f] {
    action = [&globals, f] {
      remote::ApiClient api = client();
      nlohmann::json run =
          api.start_run({f->repository, f->command, f->stacks, f->components, f->all, f->commit});
      if (f->wait) return wait_for(api, text(run, "id"), globals, f->detailed_exitcode);
      if (globals.json) std::cout << run.dump(2) << "\n";
      else print_run(run, std::cout);
      return text(run, "status") == "failed" ? 1 : 0;
    };
  });
  auto* apply = runs->add_subcommand("apply", "Apply exactly the plans a plan run saved (on any worker; never a fresh plan)");
  apply->add_option("id", f->id, "The plan run's id")->required();
  apply->add_flag("--wait", f->wait, "Follow the apply until it ends; exit 1 when it fails");
  apply->add_flag("--json", globals.json, "Print the run as JSON");
  apply->footer(
      "The plan run must have succeeded. A component whose state changed since its plan (another\n"
      "apply, a state pushed by hand) makes the server refuse the whole apply as stale, and so does\n"
      "a component whose generated files or variables changed: plan again and apply that run.");
  apply->callback([&, f] {
    action = [&globals, f] {
      remote::ApiClient api = client();
      nlohmann::json run = api.apply_plan(f->id);
      if (f->wait) return wait_for(api, text(run, "id"), globals, false);
      if (globals.json) std::cout << run.dump(2) << "\n";
      else print_run(run, std::cout);
      return 0;
    };
  });
  auto* list = runs->add_subcommand("list", "The latest runs, newest first");
  list->add_option("--limit", f->limit, "How many (default 20)");
  list->add_flag("--json", globals.json, "Print JSON");
  list->callback([&, f] {
    action = [&globals, f] {
      nlohmann::json j = client().runs(f->limit);
      if (globals.json) { std::cout << j.dump(2) << "\n"; return 0; }
      for (const auto& r : j["runs"])
        std::cout << text(r, "id") << "  " << text(r, "repository") << "  " << text(r, "command") << "  "
                  << text(r, "status") << "  " << text(r, "created_at") << "\n";
      return 0;
    };
  });
  auto* show = runs->add_subcommand("show", "A run and its activities");
  show->add_option("id", f->id, "The run's id")->required();
  show->add_flag("--json", globals.json, "Print JSON");
  show->callback([&, f] {
    action = [&globals, f] {
      nlohmann::json run = client().run(f->id);
      if (globals.json) std::cout << run.dump(2) << "\n";
      else print_run(run, std::cout);
      return 0;
    };
  });
  auto* logs = runs->add_subcommand("logs", "A run's logs (every activity, or one)");
  logs->add_option("id", f->id, "The run's id")->required();
  logs->add_option("--activity", f->activity, "Only this activity's log");
  logs->add_flag("--follow", f->follow,
                 "Print the logs as they come until the run ends (exit 0 when it succeeded, 1 when not)");
  logs->callback([&, f] {
    action = [f] {
      remote::ApiClient api = client();
      if (f->follow) return follow_logs(api, f->id, f->activity);
      std::cout << api.run_logs(f->id, f->activity);
      return 0;
    };
  });
  auto* cancel = runs->add_subcommand("cancel", "Cancel a run: running engines stop at a safe point");
  cancel->add_option("id", f->id, "The run's id")->required();
  cancel->callback([&, f] {
    action = [&globals, f] {
      nlohmann::json run = client().cancel_run(f->id);
      if (!globals.quiet) std::cout << "cancel requested; run " << f->id << " is " << text(run, "status") << "\n";
      return 0;
    };
  });

  add_remote_state_command(*cmd, globals, action);
  add_remote_vars_command(*cmd, globals, action);
  add_remote_tokens_command(*cmd, globals, action);
  add_remote_github_commands(*cmd, globals, action);

  auto* workers = cmd->add_subcommand("workers", "Workers known to the server");
  workers->require_subcommand(1);
  auto* workers_list = workers->add_subcommand("list", "Every registered worker and when it was last seen");
  workers_list->add_flag("--json", globals.json, "Print JSON");
  workers_list->callback([&, f] {
    action = [&globals] {
      nlohmann::json j = client().workers();
      if (globals.json) { std::cout << j.dump(2) << "\n"; return 0; }
      for (const auto& w : j["workers"])
        std::cout << text(w, "name") << "  " << text(w, "version") << "  last seen " << text(w, "last_seen") << "\n";
      return 0;
    };
  });
  struct JoinFlags {
    std::string name;
    std::string expires = "24h";
  };
  auto join = std::make_shared<JoinFlags>();
  auto* join_token = workers->add_subcommand(
      "join-token",
      "Make a token that registers new workers (admin). Each worker exchanges it for a credential of its own that "
      "can only lease, heartbeat, fetch code and report; revoke one with `strata remote tokens revoke ID`");
  join_token->add_option("--name", join->name, "What the token is for, shown in `strata remote tokens list`");
  join_token->add_option("--expires", join->expires, "How long it registers workers: 30m, 24h, 7d (at most 30d)")
      ->capture_default_str();
  join_token->add_flag("--json", globals.json, "Print the token's record as JSON (with the token)");
  join_token->callback([&, join] {
    action = [&globals, join] {
      nlohmann::json made = client().create_join_token(join->name, join_minutes(join->expires));
      if (globals.json) {
        std::cout << made.dump(2) << "\n";
        return 0;
      }
      std::cout << text(made, "token") << "\n";
      std::cerr << "join token " << text(made, "name") << " (id " << text(made, "id") << ") registers workers until "
                << text(made, "expires_at")
                << ": start them with STRATA_WORKER_TOKEN=<token> strata worker --server URL. Shown this once.\n";
      return 0;
    };
  });
}

}  // namespace strata::cli

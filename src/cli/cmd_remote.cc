// `strata remote …`: the CLI against a strata server's API (DESIGN §11) — log in, register
// repositories, start runs and follow them (exit codes for CI jobs), read logs, list workers.
// Flags, HTTP calls and rendering only; the server decides everything.
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "app/http_client.h"
#include "base/atomic_file.h"
#include "cli/commands.h"
#include "model/error.h"

namespace strata::cli {

namespace {

struct RemoteFlags {
  std::string server;  // login's URL
  std::string token;
  std::string ca_cert;  // login --ca-cert
  // repos add
  std::string name, url;
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

std::string config_path() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  const char* home = std::getenv("HOME");
  std::string base = xdg && *xdg ? xdg : std::string(home ? home : ".") + "/.config";
  return base + "/strata/remote.json";
}

struct Credentials {
  std::string server;
  std::string token;
  std::string ca_cert;  // a PEM bundle trusted for this server's HTTPS instead of the system's
};

// STRATA_SERVER and STRATA_TOKEN, else what `strata remote login` stored.
Credentials credentials() {
  Credentials c;
  std::ifstream in(config_path());
  if (in) {
    nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_object()) {
      c.server = j.value("server", "");
      c.token = j.value("token", "");
      c.ca_cert = j.value("ca_cert", "");
    }
  }
  if (const char* ca = std::getenv("STRATA_CA_CERT"); ca && *ca) c.ca_cert = ca;
  if (const char* s = std::getenv("STRATA_SERVER"); s && *s) c.server = s;
  if (const char* t = std::getenv("STRATA_TOKEN"); t && *t) c.token = t;
  while (!c.server.empty() && c.server.back() == '/') c.server.pop_back();
  if (c.server.empty() || c.token.empty())
    throw Error("no strata server to talk to", {},
                "run `strata remote login URL --token TOKEN` once, or set STRATA_SERVER and STRATA_TOKEN");
  return c;
}

// One API call; throws an Error carrying the server's own message for any status >= 400.
nlohmann::json call(const Credentials& c, const std::string& method, const std::string& path,
                    const nlohmann::json& body = nullptr, std::string* raw = nullptr) {
  auto client = app::make_curl_client({c.ca_cert});
  app::HttpRequest request;
  request.method = method;
  request.url = c.server + path;
  request.headers["Authorization"] = "Bearer " + c.token;
  request.headers["Accept"] = "application/json";
  if (!body.is_null()) {
    request.headers["Content-Type"] = "application/json";
    request.body = body.dump();
  }
  app::HttpResponse response = client->send(request);
  if (response.status >= 400) {
    nlohmann::json j = nlohmann::json::parse(response.body, nullptr, false);
    std::string message = j.is_object() && j.contains("error") && j["error"].is_object()
                              ? j["error"].value("message", response.body)
                              : response.body;
    std::string hint = j.is_object() && j.contains("error") && j["error"].is_object() ? j["error"].value("hint", "") : "";
    if (response.status == 401)
      hint = "the server does not accept this token; `strata remote login URL --token TOKEN` stores another";
    throw Error(response.status == 404 ? ErrorKind::kNotFound : ErrorKind::kUserInput,
                c.server + " answered " + std::to_string(response.status) + ": " + message, {}, hint);
  }
  if (raw) {
    *raw = response.body;
    return nullptr;
  }
  if (response.body.empty()) return nullptr;
  nlohmann::json j = nlohmann::json::parse(response.body, nullptr, false);
  if (j.is_discarded())
    throw Error(ErrorKind::kEnvironment, c.server + path + " did not answer JSON", {}, "is it a strata server?");
  return j;
}

std::string text(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? "-" : it->is_string() ? it->get<std::string>() : it->dump();
}

void print_run(const nlohmann::json& run, std::ostream& out) {
  out << "run " << text(run, "id") << ": " << text(run, "command") << " of " << text(run, "repository") << " at "
      << text(run, "commit").substr(0, 12) << " — " << text(run, "status") << "\n";
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

bool finished(const std::string& status) {
  return status == "succeeded" || status == "failed" || status == "cancelled";
}

bool has_changes(const nlohmann::json& run) {
  for (const auto& a : run.value("activities", nlohmann::json::array())) {
    if (!a.contains("changes") || !a["changes"].contains("summary")) continue;
    const auto& s = a["changes"]["summary"];
    if (s.value("add", 0) + s.value("change", 0) + s.value("destroy", 0) + s.value("import", 0) > 0) return true;
  }
  return false;
}

// --wait: follows the run until it ends, printing each activity as its state changes.
int wait_for(const Credentials& c, const std::string& id, const Globals& globals, bool detailed) {
  std::map<std::string, std::string> seen;
  nlohmann::json run;
  for (;;) {
    run = call(c, "GET", "/api/v1/runs/" + id);
    for (const auto& a : run.value("activities", nlohmann::json::array())) {
      std::string status = text(a, "status");
      std::string& last = seen[text(a, "id")];
      if (status != last && !globals.quiet && !globals.json)
        std::cerr << text(a, "stack") << "/" << text(a, "component") << ": " << status << "\n";
      last = status;
    }
    if (finished(text(run, "status"))) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  if (globals.json) {
    std::cout << run.dump(2) << "\n";
  } else {
    print_run(run, std::cout);
  }
  std::string status = text(run, "status");
  if (status != "succeeded") return 1;
  return detailed && run.value("command", "") == "plan" && has_changes(run) ? 2 : 0;
}

// logs --follow: the server-sent events of GET /runs/{id}/logs?follow=true, printed as they come:
// a "== stack/component ==" line when the activity changes, then its text.
int follow_logs(const Credentials& c, const std::string& id, const std::string& activity) {
  auto client = app::make_curl_client({c.ca_cert});
  app::HttpRequest request;
  request.url = c.server + "/api/v1/runs/" + id + "/logs?follow=true" + (activity.empty() ? "" : "&activity=" + activity);
  request.headers["Authorization"] = "Bearer " + c.token;
  request.headers["Accept"] = "text/event-stream";
  std::string buffer, current, end_status, error_body;
  bool streaming = false;
  auto on_data = [&](std::string_view data) {
    buffer.append(data);
    if (!streaming && buffer.rfind("event: ", 0) != 0 && buffer.rfind(":", 0) != 0) {
      error_body = buffer;  // not a stream: the server's JSON error
      return true;
    }
    streaming = true;
    for (size_t end = buffer.find("\n\n"); end != std::string::npos; end = buffer.find("\n\n")) {
      std::string block = buffer.substr(0, end);
      buffer.erase(0, end + 2);
      std::string name, payload;
      for (size_t at = 0; at < block.size();) {
        size_t nl = std::min(block.find('\n', at), block.size());
        std::string line = block.substr(at, nl - at);
        if (line.rfind("event: ", 0) == 0) name = line.substr(7);
        if (line.rfind("data: ", 0) == 0) payload += line.substr(6);
        at = nl + 1;
      }
      nlohmann::json j = nlohmann::json::parse(payload, nullptr, false);
      if (!j.is_object()) continue;
      if (name == "log") {
        std::string who = text(j, "stack") + "/" + text(j, "component");
        if (who != current) std::cout << "== " << who << " ==\n";
        current = who;
        std::cout << text(j, "text") << std::flush;
      } else if (name == "end") {
        end_status = text(j, "status");
        std::cerr << "run " << id << ": " << end_status << "\n";
        return false;
      }
    }
    return true;
  };
  app::HttpResponse response = client->stream(request, on_data);
  if (response.status >= 400) {
    nlohmann::json j = nlohmann::json::parse(error_body, nullptr, false);
    std::string message = j.is_object() && j.contains("error") ? j["error"].value("message", error_body) : error_body;
    throw Error(response.status == 404 ? ErrorKind::kNotFound : ErrorKind::kUserInput,
                c.server + " answered " + std::to_string(response.status) + ": " + message);
  }
  if (end_status.empty())
    throw Error(ErrorKind::kEnvironment, "the log stream of run " + id + " ended before the run did", {},
                "run `strata remote runs logs " + id + " --follow` again, or `remote runs show " + id + "`");
  return end_status == "succeeded" ? 0 : 1;
}

int login(const RemoteFlags& f, const Globals& globals) {
  Credentials c{f.server, f.token, f.ca_cert};
  if (!c.ca_cert.empty()) c.ca_cert = std::filesystem::absolute(c.ca_cert).string();
  while (!c.server.empty() && c.server.back() == '/') c.server.pop_back();
  call(c, "GET", "/api/v1/runs?limit=1");  // the token works, or this throws the server's answer
  std::string path = config_path();
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  nlohmann::json stored = {{"server", c.server}, {"token", c.token}};
  if (!c.ca_cert.empty()) stored["ca_cert"] = c.ca_cert;
  write_file_atomic(path, stored.dump(2) + "\n", 0600);
  if (!globals.quiet) std::cout << "logged in to " << c.server << " (credentials in " << path << ", mode 0600)\n";
  return 0;
}

}  // namespace

void add_remote_command(CLI::App& app, Globals& globals, Action& action) {
  auto f = std::make_shared<RemoteFlags>();
  auto* cmd = app.add_subcommand("remote", "Work with a strata server: repositories, runs, logs, workers");
  cmd->require_subcommand(1);
  cmd->footer(
      "The server and token come from `strata remote login URL --token TOKEN` (stored in\n"
      "~/.config/strata/remote.json, mode 0600); STRATA_SERVER and STRATA_TOKEN override them,\n"
      "STRATA_CA_CERT names a PEM bundle to trust for a server's HTTPS (a self-signed certificate).\n"
      "In CI: strata remote runs start REPO plan --all --wait --detailed-exitcode\n"
      "(exit 0: no changes, 2: changes, 1: the run failed).");

  auto* login_cmd = cmd->add_subcommand("login", "Check a server's token and store both for later commands");
  login_cmd->add_option("url", f->server, "The server's URL, e.g. http://127.0.0.1:8470")->required();
  login_cmd->add_option("--token", f->token, "An API token (the admin token is in <data-dir>/admin-token)")->required();
  login_cmd->add_option("--ca-cert", f->ca_cert,
                        "PEM bundle to trust for the server's HTTPS instead of the system's (its own certificate when self-signed)")
      ->check(CLI::ExistingFile);
  login_cmd->callback([&, f] { action = [&globals, f] { return login(*f, globals); }; });

  auto* repos = cmd->add_subcommand("repos", "Repositories the server runs");
  repos->require_subcommand(1);
  auto* repos_add = repos->add_subcommand("add", "Register a git repository (the server fetches it now)");
  repos_add->add_option("name", f->name, "What runs call it")->required();
  repos_add->add_option("url", f->url, "Where the server fetches it: a path or file://, https or ssh URL")->required();
  repos_add->add_flag("--json", globals.json, "Print the repository as JSON");
  repos_add->callback([&, f] {
    action = [&globals, f] {
      nlohmann::json repo = call(credentials(), "POST", "/api/v1/repositories", {{"name", f->name}, {"url", f->url}});
      if (globals.json) std::cout << repo.dump(2) << "\n";
      else std::cout << "registered " << text(repo, "name") << " (" << text(repo, "url") << ", branch "
                     << text(repo, "default_branch") << ")\n";
      return 0;
    };
  });
  auto* repos_list = repos->add_subcommand("list", "The registered repositories");
  repos_list->add_flag("--json", globals.json, "Print JSON");
  repos_list->callback([&, f] {
    action = [&globals] {
      nlohmann::json j = call(credentials(), "GET", "/api/v1/repositories");
      if (globals.json) std::cout << j.dump(2) << "\n";
      else for (const auto& r : j["repositories"]) std::cout << text(r, "name") << "  " << text(r, "url") << "\n";
      return 0;
    };
  });

  auto* runs = cmd->add_subcommand("runs", "Runs: start, follow, list, show, logs, cancel");
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
      Credentials c = credentials();
      nlohmann::json body = {{"repository", f->repository}, {"command", f->command},
                             {"stacks", f->stacks}, {"components", f->components}, {"all", f->all}};
      if (!f->commit.empty()) body["commit"] = f->commit;
      nlohmann::json run = call(c, "POST", "/api/v1/runs", body);
      if (f->wait) return wait_for(c, text(run, "id"), globals, f->detailed_exitcode);
      if (globals.json) std::cout << run.dump(2) << "\n";
      else print_run(run, std::cout);
      return text(run, "status") == "failed" ? 1 : 0;
    };
  });
  auto* list = runs->add_subcommand("list", "The latest runs, newest first");
  list->add_option("--limit", f->limit, "How many (default 20)");
  list->add_flag("--json", globals.json, "Print JSON");
  list->callback([&, f] {
    action = [&globals, f] {
      nlohmann::json j = call(credentials(), "GET", "/api/v1/runs?limit=" + std::to_string(f->limit));
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
      nlohmann::json run = call(credentials(), "GET", "/api/v1/runs/" + f->id);
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
      Credentials c = credentials();
      if (f->follow) return follow_logs(c, f->id, f->activity);
      std::string body;
      call(c, "GET", "/api/v1/runs/" + f->id + "/logs" + (f->activity.empty() ? "" : "?activity=" + f->activity),
           nullptr, &body);
      std::cout << body;
      return 0;
    };
  });
  auto* cancel = runs->add_subcommand("cancel", "Cancel a run: running engines stop at a safe point");
  cancel->add_option("id", f->id, "The run's id")->required();
  cancel->callback([&, f] {
    action = [&globals, f] {
      nlohmann::json run = call(credentials(), "POST", "/api/v1/runs/" + f->id + "/cancel");
      if (!globals.quiet) std::cout << "cancel requested; run " << f->id << " is " << text(run, "status") << "\n";
      return 0;
    };
  });

  auto* workers = cmd->add_subcommand("workers", "Workers known to the server");
  workers->require_subcommand(1);
  auto* workers_list = workers->add_subcommand("list", "Every registered worker and when it was last seen");
  workers_list->add_flag("--json", globals.json, "Print JSON");
  workers_list->callback([&, f] {
    action = [&globals] {
      nlohmann::json j = call(credentials(), "GET", "/api/v1/workers");
      if (globals.json) { std::cout << j.dump(2) << "\n"; return 0; }
      for (const auto& w : j["workers"])
        std::cout << text(w, "name") << "  " << text(w, "version") << "  last seen " << text(w, "last_seen") << "\n";
      return 0;
    };
  });
}

}  // namespace strata::cli

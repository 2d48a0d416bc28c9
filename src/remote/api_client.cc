#include "remote/api_client.h"

#include <chrono>
#include <filesystem>
#include <thread>

#include "app/http_client.h"
#include "base/atomic_file.h"
#include "base/percent_escape.h"
#include "model/error.h"
#include "secrets/age.h"
#include "store/run_rules.h"

namespace strata::remote {

namespace {

std::string lookup(const Environment& env, const char* name) {
  auto it = env.find(name);
  return it == env.end() ? "" : it->second;
}

std::string text(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? "-" : it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace

std::string credentials_path(const Environment& env) {
  std::string xdg = lookup(env, "XDG_CONFIG_HOME");
  std::string home = lookup(env, "HOME");
  std::string base = !xdg.empty() ? xdg : (home.empty() ? std::string(".") : home) + "/.config";
  return base + "/strata/remote.json";
}

Credentials load_credentials(const Environment& env) {
  Credentials c;
  if (std::string text; try_read_file(credentials_path(env), text)) {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_object()) {
      c.server = j.value("server", "");
      c.token = j.value("token", "");
      c.ca_cert = j.value("ca_cert", "");
    }
  }
  if (std::string v = lookup(env, "STRATA_CA_CERT"); !v.empty()) c.ca_cert = v;
  if (std::string v = lookup(env, "STRATA_SERVER"); !v.empty()) c.server = v;
  if (std::string v = lookup(env, "STRATA_TOKEN"); !v.empty()) c.token = v;
  while (!c.server.empty() && c.server.back() == '/') c.server.pop_back();
  if (c.server.empty() || c.token.empty())
    throw Error("no strata server to talk to", {},
                "run `strata remote login URL --token TOKEN` once, or set STRATA_SERVER and STRATA_TOKEN");
  return c;
}

std::optional<Credentials> credentials_for(const std::string& url, const Environment& env) {
  try {
    Credentials c = load_credentials(env);
    if (c.server == url) return c;
  } catch (const Error&) {
    // Never logged in.
  }
  return std::nullopt;
}

std::string store_credentials(const Credentials& c, const Environment& env) {
  std::string path = credentials_path(env);
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  nlohmann::json stored = {{"server", c.server}, {"token", c.token}};
  if (!c.ca_cert.empty()) stored["ca_cert"] = c.ca_cert;
  write_file_atomic(path, stored.dump(2) + "\n", 0600);
  return path;
}

ApiError read_api_error(const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const auto& e = j["error"];
    return {e.value("code", ""), e.value("message", body), e.value("hint", "")};
  }
  // The state backend's 423 carries the holder's LockInfo, as Terraform expects.
  if (j.is_object() && j.contains("ID") && j["ID"].is_string())
    return {"locked",
            "the state is locked by " + j.value("Who", std::string("someone")) + " (" +
                j.value("Operation", std::string("an operation")) + " since " + j.value("Created", std::string("?")) +
                ", lock " + j["ID"].get<std::string>() + ")",
            "wait for it to end; a lock a killed run left is broken with `strata remote state unlock KEY`"};
  return {"", body.empty() ? "no message" : body.substr(0, 500), ""};
}

bool run_has_changes(const nlohmann::json& run) {
  for (const auto& a : run.value("activities", nlohmann::json::array())) {
    if (!a.contains("changes") || !a["changes"].contains("summary")) continue;
    const auto& s = a["changes"]["summary"];
    if (s.value("add", 0) + s.value("change", 0) + s.value("destroy", 0) + s.value("import", 0) > 0) return true;
  }
  return false;
}

ApiClient::ApiClient(Credentials credentials)
    : credentials_(std::move(credentials)), http_(app::make_curl_client({credentials_.ca_cert})) {
  while (!credentials_.server.empty() && credentials_.server.back() == '/') credentials_.server.pop_back();
}

ApiClient::~ApiClient() = default;

void ApiClient::fail(const app::HttpResponse& response, const std::string& body) const {
  ApiError e = read_api_error(body);
  if (response.status == 401)
    e.hint = "the server does not accept this token; `strata remote login URL --token TOKEN` stores another";
  throw Error(response.status == 404 ? ErrorKind::kNotFound : ErrorKind::kUserInput,
              credentials_.server + " answered " + std::to_string(response.status) + ": " + e.message, {}, e.hint);
}

app::HttpRequest ApiClient::request(const std::string& method, const std::string& path, const char* accept) const {
  app::HttpRequest r;
  r.method = method;
  r.url = credentials_.server + path;
  r.headers["Authorization"] = "Bearer " + credentials_.token;
  if (accept) r.headers["Accept"] = accept;
  return r;
}

std::string ApiClient::send_text(const std::string& method, const std::string& path, const std::string& body) {
  app::HttpRequest request = this->request(method, path, nullptr);
  if (!body.empty()) {
    request.headers["Content-Type"] = "application/json";
    request.body = body;
  }
  app::HttpResponse response = http_->send(request);
  if (response.status >= 400) fail(response, response.body);
  return response.body;
}

nlohmann::json ApiClient::call(const std::string& method, const std::string& path, const nlohmann::json& body) {
  app::HttpRequest request = this->request(method, path, "application/json");
  if (!body.is_null()) {
    request.headers["Content-Type"] = "application/json";
    request.body = body.dump();
  }
  app::HttpResponse response = http_->send(request);
  if (response.status >= 400) fail(response, response.body);
  if (response.body.empty()) return nullptr;
  nlohmann::json j = nlohmann::json::parse(response.body, nullptr, false);
  if (j.is_discarded())
    throw Error(ErrorKind::kEnvironment, credentials_.server + path + " did not answer JSON", {}, "is it a strata server?");
  return j;
}

nlohmann::json ApiClient::add_repository(const std::string& name, const std::string& url, const std::string& account,
                                         const std::string& github, const std::string& webhook_secret,
                                         bool auto_destroy) {
  nlohmann::json body = {{"name", name}, {"url", url}};
  if (!account.empty()) body["account"] = account;
  if (!github.empty()) body["github"] = github;
  if (!webhook_secret.empty()) body["webhook_secret"] = webhook_secret;
  if (auto_destroy) body["auto_destroy"] = true;
  return call("POST", "/api/v1/repositories", body);
}

namespace {
// "?a=x&b=y" of the pairs whose value is set ("" when none is).
std::string query_of(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [name, value] : pairs)
    if (!value.empty()) out += (out.empty() ? "?" : "&") + name + "=" + percent_escape(value);
  return out;
}
}  // namespace

nlohmann::json ApiClient::stack_states(const std::string& repository, const std::string& status) {
  return call("GET", "/api/v1/stack-states" + query_of({{"repository", repository}, {"status", status}}));
}

nlohmann::json ApiClient::associate_stack_state(const std::string& id, const std::string& stack) {
  return call("POST", "/api/v1/stack-states/" + percent_escape(id) + "/associate", nlohmann::json{{"stack", stack}});
}

nlohmann::json ApiClient::events(const std::string& repository, const std::string& kind, int64_t after, int limit) {
  return call("GET", "/api/v1/events" + query_of({{"repository", repository},
                                                  {"kind", kind},
                                                  {"after", after > 0 ? std::to_string(after) : ""},
                                                  {"limit", std::to_string(limit)}}));
}

nlohmann::json ApiClient::webhook_deliveries(const std::string& repository, int limit) {
  return call("GET", "/api/v1/webhook-deliveries" +
                         query_of({{"repository", repository}, {"limit", std::to_string(limit)}}));
}

nlohmann::json ApiClient::create_account(const std::string& name, const std::string& kind,
                                         const std::string& rate_limit) {
  nlohmann::json body = {{"name", name}, {"kind", kind}};
  if (!rate_limit.empty()) body["rate_limit"] = rate_limit;
  return call("POST", "/api/v1/accounts", body);
}

nlohmann::json ApiClient::accounts() { return call("GET", "/api/v1/accounts"); }

nlohmann::json ApiClient::repositories() { return call("GET", "/api/v1/repositories"); }

nlohmann::json ApiClient::runs(int limit) { return call("GET", "/api/v1/runs?limit=" + std::to_string(limit)); }

nlohmann::json ApiClient::run(const std::string& id) { return call("GET", "/api/v1/runs/" + percent_escape(id)); }

nlohmann::json ApiClient::cancel_run(const std::string& id) {
  return call("POST", "/api/v1/runs/" + percent_escape(id) + "/cancel");
}

std::string ApiClient::run_logs(const std::string& id, const std::string& activity) {
  return get_text("/api/v1/runs/" + percent_escape(id) + "/logs" +
                  (activity.empty() ? "" : "?activity=" + percent_escape(activity)));
}

nlohmann::json ApiClient::workers() { return call("GET", "/api/v1/workers"); }

namespace {
// Under /api/v1 a key is one path segment ("infra%2Fdev%2Fnetwork"); /tfstate/ takes it as is.
std::string states_path(const std::string& key) { return "/api/v1/states/" + percent_escape(key); }
std::string variables_path(const std::string& repository) {
  return "/api/v1/repositories/" + percent_escape(repository) + "/variables";
}
}  // namespace

nlohmann::json ApiClient::states(const std::string& prefix) {
  return call("GET", "/api/v1/states?prefix=" + percent_escape(prefix));
}

nlohmann::json ApiClient::state(const std::string& key) { return call("GET", states_path(key)); }

nlohmann::json ApiClient::state_versions(const std::string& key) { return call("GET", states_path(key) + "/versions"); }

std::string ApiClient::state_data(const std::string& key, int64_t version) {
  return version > 0 ? get_text(states_path(key) + "/versions/" + std::to_string(version)) : get_text("/tfstate/" + key);
}

int64_t ApiClient::push_state(const std::string& key, const std::string& data, bool force, const std::string& source) {
  nlohmann::json state = nlohmann::json::parse(data, nullptr, false);
  if (!state.is_object() || !state.contains("version") || !state.contains("lineage"))
    throw Error(source + " is not a Terraform state (a JSON object with version, serial and lineage)", {},
                "`terraform state pull > FILE` writes one");
  send_text("POST", "/tfstate/" + key + (force ? "?force=true" : ""), data);
  return state.value("serial", int64_t{0});
}

nlohmann::json ApiClient::restore_state(const std::string& key, int64_t version) {
  return call("POST", states_path(key) + "/versions/" + std::to_string(version) + "/restore");
}

nlohmann::json ApiClient::unlock_state(const std::string& key, const std::string& lock_id) {
  return call("DELETE", states_path(key) + "/lock" + (lock_id.empty() ? "" : "?id=" + percent_escape(lock_id)));
}

nlohmann::json ApiClient::set_variable(const std::string& repository, const std::string& stack, const std::string& name,
                                       const std::string& value, bool sensitive) {
  nlohmann::json body = {{"value", value}, {"sensitive", sensitive}};
  if (!stack.empty()) body["stack"] = stack;
  return call("PUT", variables_path(repository) + "/" + percent_escape(name), body);
}

nlohmann::json ApiClient::variables(const std::string& repository) { return call("GET", variables_path(repository)); }

void ApiClient::unset_variable(const std::string& repository, const std::string& stack, const std::string& name) {
  call("DELETE", variables_path(repository) + "/" + percent_escape(name) +
                     (stack.empty() ? "" : "?stack=" + percent_escape(stack)));
}

nlohmann::json ApiClient::set_age_identity(const std::string& repository, const std::string& stack,
                                           const std::string& text, const std::string& where) {
  // age's own parser: a line it cannot use is an Error at where:line, and nothing is sent.
  if (age::parse_identities(text, Origin(where)).empty())
    throw Error(ErrorKind::kUserInput, where + " holds no age identity (an AGE-SECRET-KEY-1… line)", {},
                "give the key file age-keygen wrote (or ~/.config/sops/age/keys.txt)");
  return set_variable(repository, stack, "SOPS_AGE_KEY", text, true);
}

nlohmann::json ApiClient::start_run(const RunStart& run) {
  nlohmann::json body = {{"repository", run.repository}, {"command", run.command}, {"stacks", run.stacks},
                         {"components", run.components}, {"all", run.all}};
  if (!run.commit.empty()) body["commit"] = run.commit;
  return call("POST", "/api/v1/runs", body);
}

nlohmann::json ApiClient::apply_plan(const std::string& plan_run_id) {
  return call("POST", "/api/v1/runs/" + percent_escape(plan_run_id) + "/apply");
}

nlohmann::json ApiClient::create_token(const NewToken& token) {
  nlohmann::json body = {{"name", token.name}, {"role", token.role}};
  if (!token.repositories.empty()) body["repositories"] = token.repositories;
  if (token.expires_in_days > 0) body["expires_in_days"] = token.expires_in_days;
  if (!token.account.empty()) body["account"] = token.account;
  return call("POST", "/api/v1/tokens", body);
}

nlohmann::json ApiClient::create_join_token(const std::string& name, int64_t expires_in_minutes) {
  nlohmann::json body = {{"expires_in_minutes", expires_in_minutes}};
  if (!name.empty()) body["name"] = name;
  return call("POST", "/api/v1/worker/join-tokens", body);
}

nlohmann::json ApiClient::tokens() { return call("GET", "/api/v1/tokens"); }

nlohmann::json ApiClient::revoke_token(const std::string& id) {
  return call("DELETE", "/api/v1/tokens/" + percent_escape(id));
}

nlohmann::json ApiClient::audit(const AuditQuery& q) {
  std::string path = "/api/v1/audit?limit=" + std::to_string(q.limit);
  for (const auto& [name, value] : {std::pair<const char*, const std::string*>{"actor", &q.actor},
                                    {"action", &q.action},
                                    {"target", &q.target},
                                    {"outcome", &q.outcome},
                                    {"since", &q.since}})
    if (!value->empty()) path += std::string("&") + name + "=" + percent_escape(*value);
  if (q.account) path += "&account=" + percent_escape(*q.account);
  return call("GET", path);
}

nlohmann::json ApiClient::wait_for_run(const std::string& id,
                                       const std::function<void(const nlohmann::json&)>& on_activity) {
  std::map<std::string, std::string> seen;
  for (;;) {
    nlohmann::json run = call("GET", "/api/v1/runs/" + id);
    for (const auto& a : run.value("activities", nlohmann::json::array())) {
      std::string status = text(a, "status");
      std::string& last = seen[text(a, "id")];
      if (status != last && on_activity) on_activity(a);
      last = status;
    }
    if (store::is_finished_run(text(run, "status"))) return run;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

std::string ApiClient::follow_logs(const std::string& id, const std::string& activity,
                                   const std::function<void(const nlohmann::json&)>& on_log) {
  app::HttpRequest request = this->request(
      "GET", "/api/v1/runs/" + id + "/logs?follow=true" + (activity.empty() ? "" : "&activity=" + activity),
      "text/event-stream");
  std::string buffer, end_status, error_body;
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
      if (name == "log" && on_log) on_log(j);
      if (name == "end") {
        end_status = text(j, "status");
        return false;
      }
    }
    return true;
  };
  app::HttpResponse response = http_->stream(request, on_data);
  if (response.status >= 400) fail(response, error_body);
  if (end_status.empty())
    throw Error(ErrorKind::kEnvironment, "the log stream of run " + id + " ended before the run did", {},
                "run `strata remote runs logs " + id + " --follow` again, or `remote runs show " + id + "`");
  return end_status;
}

}  // namespace strata::remote

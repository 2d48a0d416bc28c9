#include "server/api/api_json.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "base/suggest.h"
#include "model/error.h"

namespace strata::server {

namespace {

nlohmann::json parsed_or_null(const std::string& text) {
  if (text.empty()) return nullptr;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? nlohmann::json(text) : j;
}

std::string required_string(const nlohmann::json& object, const std::string& key, const std::string& what) {
  auto it = object.find(key);
  if (it == object.end())
    throw Error(what + " has no \"" + key + "\"", {}, "add \"" + key + "\" (a string)");
  if (!it->is_string() || it->get<std::string>().empty())
    throw Error(what + ": \"" + key + "\" must be a non-empty string", {});
  return it->get<std::string>();
}

std::vector<std::string> string_list(const nlohmann::json& object, const std::string& key, const std::string& what) {
  std::vector<std::string> out;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return out;
  if (!it->is_array()) throw Error(what + ": \"" + key + "\" must be a list of strings", {});
  for (const auto& item : *it) {
    if (!item.is_string()) throw Error(what + ": \"" + key + "\" must be a list of strings", {});
    out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace

std::optional<store::Millis> parse_since(const std::string& text, store::Millis now) {
  if (text.size() >= 2 && std::isdigit(static_cast<unsigned char>(text[0]))) {
    char unit = text.back();
    const std::string digits = text.substr(0, text.size() - 1);
    char* end = nullptr;
    long long n = std::strtoll(digits.c_str(), &end, 10);
    const store::Millis scale = unit == 'm' ? 60000 : unit == 'h' ? 3600000 : unit == 'd' ? 86400000 : 0;
    if (scale != 0 && !*end && n >= 0 && n <= 100LL * 365) return now - n * scale;
  }
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, used = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute, &second, &used) != 6)
    return std::nullopt;
  std::string rest = text.substr(static_cast<size_t>(used));
  if (!rest.empty() && rest[0] == '.') {
    size_t digits = rest.find_first_not_of("0123456789", 1);
    rest = digits == std::string::npos ? "" : rest.substr(digits);
  }
  if (rest != "Z" || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<store::Millis>(timegm(&tm)) * 1000;
}

nlohmann::json text_or_null(const std::string& text) { return text.empty() ? nlohmann::json() : nlohmann::json(text); }

nlohmann::json time_json(store::Millis millis) {
  if (millis == 0) return nullptr;
  std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis % 1000));
  return text;
}

nlohmann::json to_json(const store::Repository& repo) {
  return {{"id", repo.id},
          {"name", repo.name},
          {"url", repo.url},
          {"default_branch", repo.default_branch},
          {"account", text_or_null(repo.account)},
          {"github", text_or_null(repo.github)},
          {"webhook_secret_set", !repo.webhook_secret.empty()},
          {"registry_commit", text_or_null(repo.registry_commit)},
          {"auto_destroy", repo.auto_destroy},
          {"created_at", time_json(repo.created_at)}};
}

nlohmann::json to_json(const store::Run& run, const std::string& repository_name) {
  nlohmann::json j = {{"id", run.id},
                      {"repository", repository_name},
                      {"command", run.command},
                      {"commit", run.commit},
                      {"selection", parsed_or_null(run.selection_json)},
                      {"status", run.status},
                      {"created_at", time_json(run.created_at)},
                      {"finished_at", time_json(run.finished_at)},
                      {"cancel_requested", run.cancel_requested}};
  if (!run.status_reason.empty()) j["status_reason"] = run.status_reason;
  if (!run.locked_stacks.empty()) j["locked_stacks"] = run.locked_stacks;
  if (!run.plan_run_id.empty()) j["plan_run_id"] = run.plan_run_id;
  return j;
}

nlohmann::json to_json(const store::Activity& a) {
  nlohmann::json j = {{"id", a.id},
                      {"stack", a.stack},
                      {"component", a.component},
                      {"command", a.command},
                      {"status", a.status},
                      {"depends_on", a.depends_on},
                      {"required_capabilities", a.required_capabilities},
                      {"attempt", a.attempt},
                      {"worker", a.lease_owner.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.lease_owner)},
                      {"started_at", time_json(a.started_at)},
                      {"finished_at", time_json(a.finished_at)}};
  if (!a.outputs_json.empty()) j["outputs"] = parsed_or_null(a.outputs_json);
  if (!a.changes_json.empty()) j["changes"] = parsed_or_null(a.changes_json);
  if (!a.error.empty()) j["error"] = a.error;
  if (!a.plan_activity_id.empty()) j["plan_activity_id"] = a.plan_activity_id;
  return j;
}

nlohmann::json to_json(const store::WorkerRecord& w, store::Millis now) {
  return {{"id", w.id},
          {"name", w.name},
          {"version", w.version},
          {"capabilities", w.capabilities},
          {"registered_at", time_json(w.registered_at)},
          {"last_seen", time_json(w.last_heartbeat)},
          {"seconds_since_seen", w.last_heartbeat ? (now - w.last_heartbeat) / 1000 : -1}};
}

nlohmann::json parse_body(const std::string& body) {
  if (body.empty()) throw Error("the request has no body", {}, "send a JSON object");
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw Error("the request body is not JSON", {}, "send a JSON object");
  if (!j.is_object()) throw Error("the request body is not a JSON object", {}, "send a JSON object ({...})");
  return j;
}

void check_fields(const nlohmann::json& object, const std::vector<std::string>& allowed, const std::string& what) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string near = closest_match(key, allowed);
    std::string all;
    for (const auto& a : allowed) all += (all.empty() ? "" : ", ") + a;
    throw Error(what + " has an unknown field \"" + key + "\"", {},
                near.empty() ? "the fields are: " + all : "did you mean \"" + near + "\"? (the fields are: " + all + ")");
  }
}

NewRepository parse_new_repository(const std::string& body) {
  nlohmann::json j = parse_body(body);
  check_fields(j, {"name", "url", "account", "github", "webhook_secret", "auto_destroy"}, "the repository");
  NewRepository r;
  r.name = required_string(j, "name", "the repository");
  r.url = required_string(j, "url", "the repository");
  if (j.contains("account")) r.account = required_string(j, "account", "the repository");
  if (j.contains("github")) r.github = required_string(j, "github", "the repository");
  if (j.contains("webhook_secret")) r.webhook_secret = required_string(j, "webhook_secret", "the repository");
  if (auto it = j.find("auto_destroy"); it != j.end()) {
    if (!it->is_boolean()) throw Error("the repository: \"auto_destroy\" must be true or false", {});
    r.auto_destroy = it->get<bool>();
  }
  return r;
}

nlohmann::json to_json(const store::Account& account) {
  return {{"name", account.name},
          {"kind", account.kind},
          {"rate_limit", text_or_null(account.rate_limit)},
          {"created_at", time_json(account.created_at)}};
}

NewAccount parse_new_account(const std::string& body) {
  nlohmann::json j = parse_body(body);
  check_fields(j, {"name", "kind", "rate_limit"}, "the account");
  NewAccount a;
  a.name = required_string(j, "name", "the account");
  if (j.contains("kind")) a.kind = required_string(j, "kind", "the account");
  if (j.contains("rate_limit")) a.rate_limit = required_string(j, "rate_limit", "the account");
  return a;
}

control::RunRequest parse_run_request(const std::string& body) {
  nlohmann::json j = parse_body(body);
  check_fields(j, {"repository", "command", "stacks", "components", "all", "commit", "dependents"}, "the run");
  control::RunRequest r;
  r.repository = required_string(j, "repository", "the run");
  r.command = required_string(j, "command", "the run");
  r.stacks = string_list(j, "stacks", "the run");
  r.components = string_list(j, "components", "the run");
  if (auto it = j.find("all"); it != j.end()) {
    if (!it->is_boolean()) throw Error("the run: \"all\" must be true or false", {});
    r.all = it->get<bool>();
  }
  if (auto it = j.find("dependents"); it != j.end()) {
    if (!it->is_boolean()) throw Error("the run: \"dependents\" must be true or false", {});
    r.dependents = it->get<bool>();
  }
  if (auto it = j.find("commit"); it != j.end() && !it->is_null()) {
    if (!it->is_string()) throw Error("the run: \"commit\" must be a string", {});
    r.commit = it->get<std::string>();
  }
  return r;
}

}  // namespace strata::server

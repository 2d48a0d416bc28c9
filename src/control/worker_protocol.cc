#include "control/worker_protocol.h"

#include "model/error.h"
#include "secrets/crypto.h"

namespace strata::control {

namespace {

const nlohmann::json& field(const nlohmann::json& j, const char* key, const char* what) {
  if (!j.is_object()) throw Error(ErrorKind::kUserInput, std::string(what) + " is not a JSON object");
  auto it = j.find(key);
  if (it == j.end()) throw Error(ErrorKind::kUserInput, std::string(what) + " has no \"" + key + "\"");
  return *it;
}

std::string string_field(const nlohmann::json& j, const char* key, const char* what) {
  const nlohmann::json& v = field(j, key, what);
  if (!v.is_string()) throw Error(ErrorKind::kUserInput, std::string(what) + ": \"" + key + "\" must be a string");
  return v.get<std::string>();
}

int64_t int_field(const nlohmann::json& j, const char* key, const char* what) {
  const nlohmann::json& v = field(j, key, what);
  if (!v.is_number_integer()) throw Error(ErrorKind::kUserInput, std::string(what) + ": \"" + key + "\" must be an integer");
  return v.get<int64_t>();
}

std::vector<std::string> strings_field(const nlohmann::json& j, const char* key, const char* what) {
  std::vector<std::string> out;
  const nlohmann::json& v = field(j, key, what);
  if (!v.is_array()) throw Error(ErrorKind::kUserInput, std::string(what) + ": \"" + key + "\" must be a list of strings");
  for (const auto& item : v) {
    if (!item.is_string())
      throw Error(ErrorKind::kUserInput, std::string(what) + ": \"" + key + "\" must be a list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

// "0.9.3" → "0.9"; a version without a second dot is its own line.
std::string release_line(const std::string& version) {
  size_t first = version.find('.');
  if (first == std::string::npos) return version;
  size_t second = version.find('.', first + 1);
  return second == std::string::npos ? version : version.substr(0, second);
}

}  // namespace

namespace {
nlohmann::json env_json(const std::vector<store::Variable>& env) {
  nlohmann::json list = nlohmann::json::array();
  for (const store::Variable& v : env) list.push_back({{"name", v.name}, {"value", v.value}, {"sensitive", v.sensitive}});
  return list;
}
}  // namespace

nlohmann::json lease_to_json(const Lease& lease) {
  const store::Activity& a = lease.activity;
  return {{"activity",
           {{"id", a.id},
            {"run_id", a.run_id},
            {"stack", a.stack},
            {"component", a.component},
            {"command", a.command},
            {"fencing_token", a.fencing_token},
            {"attempt", a.attempt},
            {"lease_until", a.lease_until},
            {"plan_activity_id", a.plan_activity_id}}},
          {"repository", lease.repository},
          {"commit", lease.commit},
          {"state_credential", lease.state_credential},
          {"env", env_json(lease.env)},
          {"plan", lease.plan ? plan_to_json(*lease.plan) : nlohmann::json(nullptr)}};
}

nlohmann::json plan_to_json(const store::SavedPlan& plan) {
  return {{"activity_id", plan.activity_id}, {"plan_file", plan.plan_file}, {"stamp", plan.stamp}};
}

store::SavedPlan plan_from_json(const nlohmann::json& j) {
  const char* what = "the saved plan";
  store::SavedPlan plan;
  plan.activity_id = string_field(j, "activity_id", what);
  plan.plan_file = string_field(j, "plan_file", what);
  plan.stamp = string_field(j, "stamp", what);
  if (plan.plan_file.empty() || !secrets::base64_decode_std(plan.plan_file))
    throw Error(ErrorKind::kUserInput, "the saved plan's \"plan_file\" must be the plan file in base64");
  if (plan.stamp.empty()) throw Error(ErrorKind::kUserInput, "the saved plan has no \"stamp\"");
  return plan;
}

Lease lease_from_json(const nlohmann::json& j) {
  const char* what = "the lease";
  Lease lease;
  const nlohmann::json& a = field(j, "activity", what);
  lease.activity.id = string_field(a, "id", what);
  lease.activity.run_id = string_field(a, "run_id", what);
  lease.activity.stack = string_field(a, "stack", what);
  lease.activity.component = string_field(a, "component", what);
  lease.activity.command = string_field(a, "command", what);
  lease.activity.fencing_token = int_field(a, "fencing_token", what);
  lease.activity.attempt = static_cast<int>(int_field(a, "attempt", what));
  lease.activity.lease_until = int_field(a, "lease_until", what);
  lease.activity.status = "leased";
  if (a.contains("plan_activity_id")) lease.activity.plan_activity_id = string_field(a, "plan_activity_id", what);
  if (j.contains("plan") && !j["plan"].is_null()) lease.plan = plan_from_json(j["plan"]);
  lease.repository = string_field(j, "repository", what);
  lease.commit = string_field(j, "commit", what);
  lease.state_credential = string_field(j, "state_credential", what);
  for (const auto& v : field(j, "env", what)) {
    store::Variable var;
    var.name = string_field(v, "name", what);
    var.value = string_field(v, "value", what);
    var.sensitive = v.value("sensitive", false);
    lease.env.push_back(std::move(var));
  }
  return lease;
}

nlohmann::json finish_to_json(const store::Finish& f) {
  nlohmann::json j = {{"status", f.status}, {"error", f.error}};
  auto parsed = [](const std::string& text) {
    return text.empty() ? nlohmann::json(nullptr) : nlohmann::json::parse(text, nullptr, false);
  };
  j["outputs"] = parsed(f.outputs_json);
  j["changes"] = parsed(f.changes_json);
  if (j["outputs"].is_discarded()) j["outputs"] = nullptr;
  if (j["changes"].is_discarded()) j["changes"] = nullptr;
  return j;
}

store::Finish finish_from_json(const nlohmann::json& j) {
  const char* what = "the result";
  store::Finish f;
  f.status = string_field(j, "status", what);
  if (f.status != "succeeded" && f.status != "failed" && f.status != "cancelled")
    throw Error(ErrorKind::kUserInput, "an activity cannot finish as \"" + f.status + "\"", {},
                "finish with succeeded, failed or cancelled");
  if (j.contains("error")) f.error = string_field(j, "error", what);
  if (j.contains("outputs") && !j["outputs"].is_null()) {
    if (!j["outputs"].is_object()) throw Error(ErrorKind::kUserInput, "the result's \"outputs\" must be an object");
    f.outputs_json = j["outputs"].dump();
  }
  if (j.contains("changes") && !j["changes"].is_null()) {
    if (!j["changes"].is_object()) throw Error(ErrorKind::kUserInput, "the result's \"changes\" must be an object");
    f.changes_json = j["changes"].dump();
  }
  return f;
}

nlohmann::json worker_to_json(const store::WorkerRecord& w) {
  return {{"id", w.id}, {"name", w.name}, {"version", w.version}, {"capabilities", w.capabilities}};
}

store::WorkerRecord worker_from_json(const nlohmann::json& j) {
  const char* what = "the worker";
  store::WorkerRecord w;
  w.id = string_field(j, "id", what);
  w.name = string_field(j, "name", what);
  w.version = string_field(j, "version", what);
  w.capabilities = strings_field(j, "capabilities", what);
  if (w.id.empty() || w.id.size() > 64)
    throw Error(ErrorKind::kUserInput, "the worker's \"id\" must have 1 to 64 characters");
  if (w.name.empty() || w.name.size() > 200)
    throw Error(ErrorKind::kUserInput, "the worker's \"name\" must have 1 to 200 characters");
  return w;
}

void check_worker_version(const std::string& server_version, const std::string& worker_version) {
  if (release_line(server_version) == release_line(worker_version)) return;
  throw Error(ErrorKind::kConflict,
              "this server runs strata " + server_version + " and does not accept a worker of strata " +
                  worker_version,
              {}, "run a worker of the same release (" + release_line(server_version) + ".x) as the server");
}

std::string dump_json(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace strata::control

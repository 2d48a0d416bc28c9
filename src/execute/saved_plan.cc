#include "execute/saved_plan.h"

#include <nlohmann/json.hpp>

#include "base/atomic_file.h"
#include "run/run_event.h"
#include "secrets/crypto.h"

namespace strata {

namespace {

constexpr int kStampVersion = 1;

// At most this many names in a reason; the rest are counted.
constexpr size_t kNamesShown = 3;

std::string names_text(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < kNamesShown; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > kNamesShown) out += " and " + std::to_string(names.size() - kNamesShown) + " more";
  return out;
}

std::string args_text(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) out += (out.empty() ? "" : " ") + a;
  return out.empty() ? "none" : out;
}

}  // namespace

std::string plan_stamp_text(const PlanStamp& stamp) {
  nlohmann::json j = {{"version", kStampVersion},  {"files", stamp.files},   {"values", stamp.values},
                      {"state", stamp.state},       {"engine", stamp.engine}, {"args", stamp.args},
                      {"planned_at", stamp.planned_at}};
  if (stamp.changes) j["changes"] = to_json(*stamp.changes);
  return j.dump(1) + "\n";
}

std::optional<PlanStamp> parse_plan_stamp(const std::string& text) {
  try {
    nlohmann::json j = nlohmann::json::parse(text);
    if (!j.is_object() || j.value("version", 0) != kStampVersion) return std::nullopt;
    PlanStamp stamp;
    stamp.files = j.at("files").get<std::map<std::string, std::string>>();
    stamp.values = j.at("values").get<std::string>();
    stamp.state = j.at("state").get<std::string>();
    stamp.engine = j.at("engine").get<std::string>();
    stamp.args = j.at("args").get<std::vector<std::string>>();
    stamp.planned_at = j.at("planned_at").get<std::string>();
    if (j.contains("changes")) stamp.changes = plan_changes_from_json(j.at("changes"));
    return stamp;
  } catch (const std::exception&) {
    return std::nullopt;  // nlohmann's parse, type and out-of-range errors alike
  }
}

std::string stale_plan_reason(const PlanStamp& then, const PlanStamp& now) {
  if (then.engine != now.engine) return "the engine changed since the plan (" + then.engine + " -> " + now.engine + ")";
  // No flags now applies the plan as it was made (with -target, it applies only that: what was
  // reviewed); other flags than the plan's ask for another plan.
  if (!now.args.empty() && then.args != now.args) {
    return "the engine flags differ from the plan's (planned with: " + args_text(then.args) +
           "; given now: " + args_text(now.args) + ")";
  }
  std::vector<std::string> changed;
  for (const auto& [path, digest] : now.files) {
    auto it = then.files.find(path);
    if (it == then.files.end() || it->second != digest) changed.push_back(path);
  }
  for (const auto& [path, _] : then.files)
    if (!now.files.count(path)) changed.push_back(path);
  if (!changed.empty()) return "its generated files changed since the plan (" + names_text(changed) + ")";
  if (then.values != now.values)
    return "a secret, a TF_VAR_ variable or the stack's env changed since the plan";
  if (then.state != now.state) return "its state changed since the plan";
  return "";
}

std::string values_digest(const std::map<std::string, std::string>& values) {
  std::string all;
  for (const auto& [name, value] : values) {
    all += name;
    all += '\0';
    all += std::to_string(value.size());
    all += '\0';
    all += value;
  }
  return secrets::hex_encode(secrets::sha256(all));
}

std::string state_digest(const std::string& state_file) {
  std::string content;
  if (!try_read_file(state_file, content)) return "";
  return secrets::hex_encode(secrets::sha256(content));
}

}  // namespace strata

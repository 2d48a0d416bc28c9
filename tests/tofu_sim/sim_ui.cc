#include "sim_ui.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <iostream>
#include <random>

namespace tofu_sim {

ojson to_ojson(const strata::Value& v) {
  using K = strata::Value::Kind;
  switch (v.kind()) {
    case K::kNull: return nullptr;
    case K::kBool: return v.as_bool();
    case K::kNumber: {
      const auto& n = v.as_number();
      if (auto i = n.as_int()) return *i;
      return n.as_double();
    }
    case K::kString: return v.as_string();
    case K::kList: {
      ojson a = ojson::array();
      for (const auto& e : v.as_list()) a.push_back(to_ojson(e));
      return a;
    }
    case K::kMap: {
      ojson o = ojson::object();
      for (const auto& [k, e] : v.as_map()) o[k] = to_ojson(e);
      return o;
    }
  }
  return nullptr;
}

strata::Value from_ojson(const ojson& j) { return strata::parse_json_text(j.dump()); }

std::string timestamp_now() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() %
      1000000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[80];
  std::snprintf(out, sizeof out, "%s.%06lldZ", buf, static_cast<long long>(micros));
  return out;
}

std::string random_uuid() {
  static std::mt19937_64 rng{std::random_device{}()};
  const char* hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
    out += hex[rng() % 16];
  }
  return out;
}

Ui::Ui(bool json, std::string flavor, std::string version)
    : json_(json), flavor_(std::move(flavor)), version_(std::move(version)) {}

void Ui::emit(const std::string& level, const std::string& message, const std::string& type,
              std::vector<std::pair<std::string, ojson>> fields) {
  if (!json_) return;
  // Terraform's top-level keys come out sorted (they are a Go map).
  fields.emplace_back("@level", level);
  fields.emplace_back("@message", message);
  fields.emplace_back("@module", flavor_ + ".ui");
  fields.emplace_back("@timestamp", timestamp_now());
  fields.emplace_back("type", type);
  std::sort(fields.begin(), fields.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  ojson line = ojson::object();
  for (auto& [k, v] : fields) line[k] = std::move(v);
  std::cout << line.dump() << "\n" << std::flush;
}

ojson Ui::resource_json(const ResourceRef& r) const {
  ojson o = ojson::object();
  o["addr"] = r.address;
  o["module"] = "";
  o["resource"] = r.address;
  o["implied_provider"] = r.implied_provider;
  o["resource_type"] = r.type;
  o["resource_name"] = r.name;
  o["resource_key"] = nullptr;
  return o;
}

void Ui::version_line() {
  std::string product = flavor_ == "tofu" ? "OpenTofu " : "Terraform ";
  emit("info", product + version_, "version", {{flavor_, version_}, {"ui", "1.2"}});
}

void Ui::log(const std::string& message) {
  if (json_) {
    emit("info", message, "log", {});
  } else {
    std::cout << message << "\n" << std::flush;
  }
}

void Ui::text(const std::string& line) {
  if (!json_) std::cout << line << "\n" << std::flush;
}

void Ui::diagnostic(const std::string& severity, const std::string& summary,
                    const std::string& detail, const std::string& filename, int line, int column,
                    const std::string& address) {
  std::string title = (severity == "error" ? "Error: " : "Warning: ") + summary;
  if (!json_) {
    std::cerr << "\n" << title << "\n";
    if (!filename.empty()) std::cerr << "\n  on " << filename << " line " << line << "\n";
    if (!detail.empty()) std::cerr << "\n" << detail << "\n";
    std::cerr << std::flush;
    return;
  }
  ojson d = ojson::object();
  d["severity"] = severity;
  d["summary"] = summary;
  d["detail"] = detail;
  if (!address.empty()) d["address"] = address;
  if (!filename.empty()) {
    ojson range = ojson::object();
    range["filename"] = filename;
    range["start"] = {{"line", line}, {"column", column}, {"byte", 0}};
    range["end"] = {{"line", line}, {"column", column + 1}, {"byte", 0}};
    d["range"] = range;
  }
  emit(severity == "error" ? "error" : "warn", title, "diagnostic", {{"diagnostic", d}});
}

void Ui::planned_change(const ResourceRef& r, const std::string& action,
                        const std::string& reason) {
  static const std::pair<const char*, const char*> kVerbs[] = {
      {"create", "create"}, {"update", "update"}, {"delete", "delete"},
      {"replace", "replace"}, {"read", "read"}, {"noop", "no-op"}};
  std::string verb = action;
  for (const auto& [a, v] : kVerbs) {
    if (action == a) verb = v;
  }
  std::string msg = r.address + ": Plan to " + verb;
  if (!json_) {
    static const std::pair<const char*, const char*> kSigns[] = {
        {"create", "+"}, {"update", "~"}, {"delete", "-"}, {"replace", "-/+"}};
    std::string sign = "?";
    for (const auto& [a, s] : kSigns) {
      if (action == a) sign = s;
    }
    std::cout << "  " << sign << " " << r.address << " will be " << verb << "d\n";
    return;
  }
  ojson change = ojson::object();
  change["resource"] = resource_json(r);
  change["action"] = action;
  if (!reason.empty()) change["reason"] = reason;
  emit("info", msg, "planned_change", {{"change", change}});
}

void Ui::change_summary(const Counts& c, const std::string& operation) {
  std::string msg;
  if (operation == "plan") {
    msg = "Plan: ";
    if (c.import) msg += std::to_string(c.import) + " to import, ";
    msg += std::to_string(c.add) + " to add, " + std::to_string(c.change) + " to change, " +
           std::to_string(c.remove) + " to destroy.";
  } else if (operation == "destroy") {
    msg = "Destroy complete! Resources: " + std::to_string(c.remove) + " destroyed.";
  } else {
    msg = "Apply complete! Resources: ";
    if (c.import) msg += std::to_string(c.import) + " imported, ";
    msg += std::to_string(c.add) + " added, " + std::to_string(c.change) + " changed, " +
           std::to_string(c.remove) + " destroyed.";
  }
  if (!json_) {
    std::cout << "\n" << msg << "\n" << std::flush;
    return;
  }
  ojson changes = ojson::object();
  changes["add"] = c.add;
  changes["change"] = c.change;
  changes["import"] = c.import;
  changes["remove"] = c.remove;
  changes["operation"] = operation;
  emit("info", msg, "change_summary", {{"changes", changes}});
}

void Ui::refresh_start(const ResourceRef& r, const std::string& id) {
  std::string msg = r.address + ": Refreshing state... [id=" + id + "]";
  if (!json_) return text(msg);
  ojson hook = {{"resource", resource_json(r)}, {"id_key", "id"}, {"id_value", id}};
  emit("info", msg, "refresh_start", {{"hook", hook}});
}

void Ui::refresh_complete(const ResourceRef& r, const std::string& id) {
  std::string msg = r.address + ": Refresh complete [id=" + id + "]";
  if (!json_) return;
  ojson hook = {{"resource", resource_json(r)}, {"id_key", "id"}, {"id_value", id}};
  emit("info", msg, "refresh_complete", {{"hook", hook}});
}

namespace {
const char* start_verb(const std::string& action) {
  if (action == "create") return "Creating...";
  if (action == "delete") return "Destroying...";
  return "Modifying...";
}
std::string done_verb(const std::string& action) {
  if (action == "create") return "Creation complete";
  if (action == "delete") return "Destruction complete";
  return "Modifications complete";
}
std::string errored_verb(const std::string& action) {
  if (action == "create") return "Creation errored";
  if (action == "delete") return "Destruction errored";
  return "Modifications errored";
}
}  // namespace

void Ui::apply_start(const ResourceRef& r, const std::string& action, const std::string& id) {
  std::string msg = r.address + ": " + start_verb(action);
  if (!id.empty()) msg += " [id=" + id + "]";
  if (!json_) return text(msg);
  ojson hook = ojson::object();
  hook["resource"] = resource_json(r);
  hook["action"] = action;
  if (!id.empty()) {
    hook["id_key"] = "id";
    hook["id_value"] = id;
  }
  emit("info", msg, "apply_start", {{"hook", hook}});
}

void Ui::apply_complete(const ResourceRef& r, const std::string& action, const std::string& id,
                        int elapsed) {
  std::string msg = r.address + ": " + done_verb(action) + " after " + std::to_string(elapsed) + "s";
  if (!id.empty()) msg += " [id=" + id + "]";
  if (!json_) return text(msg);
  ojson hook = ojson::object();
  hook["resource"] = resource_json(r);
  hook["action"] = action;
  if (!id.empty()) {
    hook["id_key"] = "id";
    hook["id_value"] = id;
  }
  hook["elapsed_seconds"] = elapsed;
  emit("info", msg, "apply_complete", {{"hook", hook}});
}

void Ui::apply_errored(const ResourceRef& r, const std::string& action, int elapsed) {
  std::string msg =
      r.address + ": " + errored_verb(action) + " after " + std::to_string(elapsed) + "s";
  if (!json_) return text(msg);
  ojson hook = ojson::object();
  hook["resource"] = resource_json(r);
  hook["action"] = action;
  hook["elapsed_seconds"] = elapsed;
  emit("info", msg, "apply_errored", {{"hook", hook}});
}

void Ui::provision(const ResourceRef& r, const std::string& type, const std::string& what,
                   const std::string& output) {
  std::string msg;
  if (what == "provision_start") msg = r.address + ": Provisioning with '" + type + "'...";
  if (what == "provision_progress") msg = r.address + ": (" + type + "): " + output;
  if (what == "provision_complete") msg = r.address + ": (" + type + ") Provisioning complete";
  if (what == "provision_errored") msg = r.address + ": (" + type + ") Provisioning errored";
  if (!json_) return text(msg);
  ojson hook = ojson::object();
  hook["resource"] = resource_json(r);
  hook["provisioner"] = type;
  if (what == "provision_progress") hook["output"] = output;
  emit("info", msg, what, {{"hook", hook}});
}

void Ui::outputs(const ojson& outputs, size_t count) {
  if (!json_) return;
  emit("info", "Outputs: " + std::to_string(count), "outputs", {{"outputs", outputs}});
}

void Ui::init_output(const std::string& message, const std::string& code) {
  if (!json_) return text(message);
  emit("info", message, "init_output", {{"message_code", code}});
}

}  // namespace tofu_sim

#include "app/app_records.h"

#include <filesystem>

#include "base/atomic_file.h"
#include "model/error.h"

namespace strata::app {

std::optional<nlohmann::json> AppRecords::read(const std::string& name) const {
  std::optional<std::string> text = read_file_if_exists(dir_ + "/" + name);
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded())
    throw Error(dir_ + "/" + name + " is not JSON", {},
                "delete it; the next " + name.substr(0, name.find('.')) + " writes it again");
  return j;
}

void AppRecords::write(const std::string& name, const nlohmann::json& j) const {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) throw file_error("create directories", dir_, ec.value());
  write_file_atomic(dir_ + "/" + name, redactor_.redact(j.dump(2) + "\n"), 0600);
}

std::optional<Artifact> AppRecords::artifact() const {
  if (auto j = read("build.json")) return artifact_from_json(*j);
  return std::nullopt;
}
std::optional<RegistryRef> AppRecords::pushed() const {
  if (auto j = read("registry.json")) return registry_ref_from_json(*j);
  return std::nullopt;
}
std::optional<Deployment> AppRecords::deployment() const {
  if (auto j = read("deploy.json")) return deployment_from_json(*j);
  return std::nullopt;
}
std::optional<Release> AppRecords::release() const {
  if (auto j = read("release.json")) return release_from_json(*j);
  return std::nullopt;
}

std::vector<HistoryEntry> AppRecords::history() const {
  std::vector<HistoryEntry> out;
  auto j = read("history.json");
  if (!j || !j->is_array()) return out;
  for (const auto& item : *j) {
    HistoryEntry e;
    e.artifact = artifact_from_json(item.value("artifact", nlohmann::json::object()));
    if (item.contains("registry")) e.pushed = registry_ref_from_json(item["registry"]);
    out.push_back(std::move(e));
  }
  return out;
}

void AppRecords::append_history(const HistoryEntry& e) const {
  nlohmann::json all = nlohmann::json::array();
  if (auto j = read("history.json"); j && j->is_array()) all = *j;
  nlohmann::json item = {{"artifact", to_json(e.artifact)}};
  if (e.pushed) item["registry"] = to_json(*e.pushed);
  all.push_back(item);
  write("history.json", all);
}

}  // namespace strata::app

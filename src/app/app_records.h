// What the lifecycle remembers about one app, under .strata/apps/<app>/: the last artifact
// (build.json), the last push (registry.json), the current deployment (deploy.json), the last
// release (release.json) and every deployment's input, oldest first (history.json), which
// rollback goes back through. Each file is JSON, written atomically, with sensitive values
// redacted.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/phase_results.h"
#include "base/log.h"

namespace strata::app {

struct HistoryEntry {
  Artifact artifact;
  std::optional<RegistryRef> pushed;
};

class AppRecords {
 public:
  // `dir` is the app's folder under .strata/apps (created on the first write).
  AppRecords(std::string dir, const Redactor& redactor)
      : dir_(std::move(dir)), redactor_(redactor) {}

  const std::string& dir() const { return dir_; }

  std::optional<Artifact> artifact() const;
  std::optional<RegistryRef> pushed() const;
  std::optional<Deployment> deployment() const;
  std::optional<Release> release() const;
  std::vector<HistoryEntry> history() const;

  void save(const Artifact& a) const { write("build.json", to_json(a)); }
  void save(const RegistryRef& r) const { write("registry.json", to_json(r)); }
  void save(const Deployment& d) const { write("deploy.json", to_json(d)); }
  void save(const Release& r) const { write("release.json", to_json(r)); }
  void append_history(const HistoryEntry& e) const;

 private:
  std::optional<nlohmann::json> read(const std::string& name) const;
  void write(const std::string& name, const nlohmann::json& j) const;

  std::string dir_;
  const Redactor& redactor_;
};

}  // namespace strata::app

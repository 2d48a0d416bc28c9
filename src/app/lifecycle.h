// One app's lifecycle: build → registry (when the app has one) → deploy → release (when it has
// one), each phase through the plugin its block names, each result recorded (app_records.h) so a
// later command carries on from it. A failure names its phase and plugin: "deploy phase failed
// (local): ...". This is what `strata app ...` calls; it prints nothing itself.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "app/app_config.h"
#include "app/app_records.h"
#include "app/plugin_table.h"
#include "base/log.h"

namespace strata::app {

// A loaded project: its config (plugins validated) and the redactor for its sensitive values.
struct LoadedProject {
  ProjectConfig config;
  std::unique_ptr<Redactor> redactor;
};

// Reads cloudstation.hcl (or waypoint.hcl) in `dir` and checks every app's plugins. Throws
// strata::Error with every problem (file:line:col) when anything is wrong.
LoadedProject load_project(const std::string& dir,
                           const std::map<std::string, std::string>& environment);

// The app `name` names; with "" the project's only app. Throws (with did-you-mean) otherwise.
const AppConfig& select_app(const ProjectConfig& project, const std::string& name);

struct UpResult {
  Artifact artifact;
  std::optional<RegistryRef> pushed;
  Deployment deployment;
  Release release;
};

struct StatusReport {
  std::optional<Artifact> artifact;
  std::optional<RegistryRef> pushed;
  std::optional<Deployment> deployment;  // as the platform sees it now
  std::optional<Release> release;
  // The deployment has failed (its process is gone): `strata app status` exits 1.
  bool failed() const { return deployment && deployment->state == DeploymentState::kFailed; }
};

// `strata app up|status --json` (without "app"): {"artifact", "registry", "deployment",
// "release"}, null for what is not there.
nlohmann::json to_json(const UpResult& r);
nlohmann::json to_json(const StatusReport& s);

class Lifecycle {
 public:
  // `progress` receives redacted lines as the phases work (may be empty).
  Lifecycle(const LoadedProject& project, const AppConfig& app,
            std::function<void(const std::string&)> progress);

  Artifact build();
  RegistryRef push();   // the last artifact; throws when the app has no registry block
  Deployment deploy();  // the last artifact (and push), replacing the current deployment
  Release release();    // the current deployment
  UpResult up();
  StatusReport status();
  std::optional<Deployment> destroy();  // nullopt: nothing was deployed
  Deployment rollback();                // the deployment before the current one, again

  const AppRecords& records() const { return records_; }

 private:
  // Runs one phase, turning its failure into "<phase> phase failed (<plugin>): ...".
  template <typename F>
  auto phase(Phase p, const std::string& plugin, F&& f) -> decltype(f());
  Deployment deploy_input(DeployInput input);

  const LoadedProject& project_;
  const AppConfig& app_;
  AppPlugins plugins_;
  PhaseContext ctx_;
  AppRecords records_;
};

}  // namespace strata::app

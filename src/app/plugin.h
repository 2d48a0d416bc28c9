// The four plugin interfaces an app's lifecycle talks to, one per phase. A plugin is created
// from its block's options (which it validates itself, plugin_options.h) and is then called with
// the PhaseContext of the app it works for. Plugins are compiled in: plugin_table.h lists them.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "app/phase_results.h"
#include "base/log.h"

namespace strata::app {

// What every phase knows about the app it works for.
struct PhaseContext {
  std::string project;
  std::string app;
  std::string project_dir;  // absolute: the folder of cloudstation.hcl
  std::string app_dir;      // absolute: the app's folder
  std::string state_dir;    // absolute: .strata/apps/<app>/, where a plugin may keep files
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> env;  // config { env = {...} }
  int internal_port = 0;
  // Secrets a plugin learns while it works (from Vault) are added here, so every output and
  // record redacts them too. Never null inside the lifecycle.
  Redactor* redactor = nullptr;
  // A platform calls this as soon as something runs that destroy must be able to stop (a
  // process started, health not yet known), so an interrupted deploy leaves nothing unrecorded.
  std::function<void(const Deployment&)> record_pending;
  // Progress for the user ("pushing blob sha256:ab… (3.2 MB)"); already redacted by the caller.
  std::function<void(const std::string&)> progress;
};

class Builder {
 public:
  virtual ~Builder() = default;
  // Builds the app's folder into an artifact. Throws strata::Error on failure.
  virtual Artifact build(const PhaseContext& ctx) = 0;
};

class Registry {
 public:
  virtual ~Registry() = default;
  // Pushes `artifact` and says where it now is. Throws strata::Error on failure.
  virtual RegistryRef push(const PhaseContext& ctx, const Artifact& artifact) = 0;
};

// What a platform deploys: the artifact, and where it was pushed when a registry phase ran.
struct DeployInput {
  Artifact artifact;
  std::optional<RegistryRef> pushed;
  std::optional<Deployment> previous;  // the app's current deployment, which this one replaces
};

class Platform {
 public:
  virtual ~Platform() = default;
  // Starts the input and returns once it runs (or has failed). Throws strata::Error when it
  // cannot be started at all.
  virtual Deployment deploy(const PhaseContext& ctx, const DeployInput& input) = 0;
  // What `deployment` is doing now (state and health).
  virtual Deployment status(const PhaseContext& ctx, const Deployment& deployment) = 0;
  // Stops it and frees what it holds; stopping one that is already gone is not an error.
  virtual Deployment destroy(const PhaseContext& ctx, const Deployment& deployment) = 0;
};

class ReleaseManager {
 public:
  virtual ~ReleaseManager() = default;
  virtual Release release(const PhaseContext& ctx, const Deployment& deployment) = 0;
};

}  // namespace strata::app

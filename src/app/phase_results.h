// What each phase of an app's lifecycle produces, as the plugin interfaces return them and as
// they are recorded under .strata/apps/<app>/: the built Artifact, the RegistryRef of a push,
// the Deployment a platform runs, and the Release that exposes it.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace strata::app {

struct Artifact {
  std::string id;      // what later phases name it by (the manifest digest for oci)
  std::string image;   // image name, "web"
  std::string tag;     // "latest"
  std::string digest;  // "sha256:..." of the manifest; "" when the builder made no image
  std::map<std::string, std::string> labels;
  std::vector<int> exposed_ports;
  long long build_ms = 0;  // how long the build took
  std::string plugin;      // the builder that made it
  std::string layout;      // absolute path of the OCI image layout, "" when none
  // The image's process, as its config says (the local platform runs it).
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::map<std::string, std::string> env;
};

struct RegistryRef {
  std::string registry;    // "127.0.0.1:5000"
  std::string repository;  // "demo/web"
  std::string tag;
  std::string digest;  // manifest digest the registry answered with
  std::string plugin;
  int blobs_uploaded = 0;  // blobs the registry lacked
  int blobs_reused = 0;    // blobs it had already (no upload)
  // "127.0.0.1:5000/demo/web:latest@sha256:..."
  std::string reference() const;
};

// pending: starting; running: up (health says whether it answers); failed: it could not start
// or died; stopped: destroyed or gone; complete: ran to its end (a job).
enum class DeploymentState { kPending, kRunning, kFailed, kStopped, kComplete };
const char* state_name(DeploymentState s);

struct Deployment {
  std::string id;
  std::string plugin;
  DeploymentState state = DeploymentState::kPending;
  std::string health;  // "healthy", "unhealthy: ...", "unknown"
  std::string url;
  std::string artifact_id;                       // what it runs
  std::map<std::string, std::string> resources;  // the platform's own handles (pid, log file)
};

struct Release {
  std::string id;
  std::string plugin;
  std::string url;
  std::string deployment_id;
};

nlohmann::json to_json(const Artifact& a);
nlohmann::json to_json(const RegistryRef& r);
nlohmann::json to_json(const Deployment& d);
nlohmann::json to_json(const Release& r);
// Readers for recorded results; a missing field is left at its default.
Artifact artifact_from_json(const nlohmann::json& j);
RegistryRef registry_ref_from_json(const nlohmann::json& j);
Deployment deployment_from_json(const nlohmann::json& j);
Release release_from_json(const nlohmann::json& j);

}  // namespace strata::app

#include "app/phase_results.h"

namespace strata::app {

namespace {

constexpr const char* kStateNames[] = {"pending", "running", "failed", "stopped", "complete"};

template <typename T>
void read(const nlohmann::json& j, const char* key, T& out) {
  if (j.contains(key) && !j[key].is_null()) out = j[key].get<T>();
}

}  // namespace

std::string RegistryRef::reference() const {
  return registry + "/" + repository + (tag.empty() ? "" : ":" + tag) +
         (digest.empty() ? "" : "@" + digest);
}

const char* state_name(DeploymentState s) { return kStateNames[static_cast<int>(s)]; }

nlohmann::json to_json(const Artifact& a) {
  return {{"id", a.id},
          {"image", a.image},
          {"tag", a.tag},
          {"digest", a.digest},
          {"labels", a.labels},
          {"exposed_ports", a.exposed_ports},
          {"build_ms", a.build_ms},
          {"plugin", a.plugin},
          {"layout", a.layout},
          {"entrypoint", a.entrypoint},
          {"cmd", a.cmd},
          {"env", a.env}};
}

nlohmann::json to_json(const RegistryRef& r) {
  return {{"registry", r.registry},
          {"repository", r.repository},
          {"tag", r.tag},
          {"digest", r.digest},
          {"plugin", r.plugin},
          {"reference", r.reference()},
          {"blobs_uploaded", r.blobs_uploaded},
          {"blobs_reused", r.blobs_reused}};
}

nlohmann::json to_json(const Deployment& d) {
  return {{"id", d.id},
          {"plugin", d.plugin},
          {"state", state_name(d.state)},
          {"health", d.health},
          {"url", d.url},
          {"artifact_id", d.artifact_id},
          {"resources", d.resources}};
}

nlohmann::json to_json(const Release& r) {
  return {{"id", r.id}, {"plugin", r.plugin}, {"url", r.url}, {"deployment_id", r.deployment_id}};
}

Artifact artifact_from_json(const nlohmann::json& j) {
  Artifact a;
  read(j, "id", a.id);
  read(j, "image", a.image);
  read(j, "tag", a.tag);
  read(j, "digest", a.digest);
  read(j, "labels", a.labels);
  read(j, "exposed_ports", a.exposed_ports);
  read(j, "build_ms", a.build_ms);
  read(j, "plugin", a.plugin);
  read(j, "layout", a.layout);
  read(j, "entrypoint", a.entrypoint);
  read(j, "cmd", a.cmd);
  read(j, "env", a.env);
  return a;
}

RegistryRef registry_ref_from_json(const nlohmann::json& j) {
  RegistryRef r;
  read(j, "registry", r.registry);
  read(j, "repository", r.repository);
  read(j, "tag", r.tag);
  read(j, "digest", r.digest);
  read(j, "plugin", r.plugin);
  read(j, "blobs_uploaded", r.blobs_uploaded);
  read(j, "blobs_reused", r.blobs_reused);
  return r;
}

Deployment deployment_from_json(const nlohmann::json& j) {
  Deployment d;
  read(j, "id", d.id);
  read(j, "plugin", d.plugin);
  std::string state;
  read(j, "state", state);
  for (int i = 0; i < 5; ++i)
    if (state == kStateNames[i]) d.state = static_cast<DeploymentState>(i);
  read(j, "health", d.health);
  read(j, "url", d.url);
  read(j, "artifact_id", d.artifact_id);
  read(j, "resources", d.resources);
  return d;
}

Release release_from_json(const nlohmann::json& j) {
  Release r;
  read(j, "id", r.id);
  read(j, "plugin", r.plugin);
  read(j, "url", r.url);
  read(j, "deployment_id", r.deployment_id);
  return r;
}

}  // namespace strata::app

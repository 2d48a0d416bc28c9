#include "app/plugin_table.h"

#include <algorithm>

#include "base/suggest.h"

namespace strata::app {

// Each plugin's factories, defined in its own file under plugins/.
std::unique_ptr<Builder> make_noop_builder(const PluginConfig&, Diagnostics&);
std::unique_ptr<Registry> make_noop_registry(const PluginConfig&, Diagnostics&);
std::unique_ptr<Platform> make_noop_platform(const PluginConfig&, Diagnostics&);
std::unique_ptr<ReleaseManager> make_noop_release(const PluginConfig&, Diagnostics&);
std::unique_ptr<Builder> make_exec_builder(const PluginConfig&, Diagnostics&);
std::unique_ptr<Registry> make_exec_registry(const PluginConfig&, Diagnostics&);
std::unique_ptr<Platform> make_exec_platform(const PluginConfig&, Diagnostics&);
std::unique_ptr<ReleaseManager> make_exec_release(const PluginConfig&, Diagnostics&);
std::unique_ptr<Builder> make_oci_builder(const PluginConfig&, Diagnostics&);
std::unique_ptr<Registry> make_oci_registry(const PluginConfig&, Diagnostics&);
std::unique_ptr<Platform> make_local_platform(const PluginConfig&, Diagnostics&);
std::unique_ptr<Builder> make_docker_builder(const PluginConfig&, Diagnostics&);
std::unique_ptr<Registry> make_docker_registry(const PluginConfig&, Diagnostics&);
std::unique_ptr<Builder> make_nixpacks_builder(const PluginConfig&, Diagnostics&);
std::unique_ptr<Builder> make_csdocker_builder(const PluginConfig&, Diagnostics&);
std::unique_ptr<Platform> make_nomadpack_platform(const PluginConfig&, Diagnostics&);

const std::vector<PluginEntry>& builtin_plugins() {
  static const std::vector<PluginEntry> kPlugins = {
      {"noop",
       "does nothing and succeeds at once (an empty artifact, a deployment that runs nothing)",
       make_noop_builder, make_noop_registry, make_noop_platform, make_noop_release},
      {"exec",
       "runs a command per phase; the phase's inputs are in its environment, its JSON result on "
       "stdout",
       make_exec_builder, make_exec_registry, make_exec_platform, make_exec_release},
      {"oci", "builds an OCI image from the app's folder without a daemon, reproducibly",
       make_oci_builder},
      {"registry", "pushes an OCI image over the distribution API (docker-registry, ghcr.io, ...)",
       nullptr, make_oci_registry},
      {"local", "runs the image's entrypoint and cmd as a local process in the app's folder",
       nullptr, nullptr, make_local_platform},
      {"docker", "docker build, docker tag + push (needs a Docker daemon)", make_docker_builder,
       make_docker_registry},
      {"csdocker", "docker build with the keys of a Vault secret as build arguments (AppRole)",
       make_csdocker_builder},
      {"nixpacks", "nixpacks build into the Docker daemon (push with the docker registry)",
       make_nixpacks_builder},
      {"nomadpack", "nomad-pack run; status and stop with nomad", nullptr, nullptr,
       make_nomadpack_platform},
  };
  return kPlugins;
}

namespace {

bool serves(const PluginEntry& e, Phase phase) {
  switch (phase) {
    case Phase::kBuild:
      return e.builder != nullptr;
    case Phase::kRegistry:
      return e.registry != nullptr;
    case Phase::kDeploy:
      return e.platform != nullptr;
    case Phase::kRelease:
      return e.release != nullptr;
  }
  return false;
}

// The table row for the plugin `config` names, or null with the problem reported.
const PluginEntry* find_plugin(const PluginConfig& config, Diagnostics& diags) {
  std::vector<std::string> names = plugins_for(config.phase);
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  for (const auto& e : builtin_plugins()) {
    if (config.use != e.name) continue;
    if (serves(e, config.phase)) return &e;
    diags.error(config.use_origin,
                "plugin \"" + config.use + "\" cannot be used for the " + phase_name(config.phase) +
                    " phase",
                "plugins for " + std::string(phase_name(config.phase)) + ": " + list);
    return nullptr;
  }
  std::string guess = closest_match(config.use, names);
  diags.error(config.use_origin,
              "unknown " + std::string(phase_name(config.phase)) + " plugin \"" + config.use + "\"",
              (guess.empty() ? "" : "did you mean \"" + guess + "\"? ") + "(plugins for " +
                  phase_name(config.phase) + ": " + list + ")");
  return nullptr;
}

}  // namespace

std::vector<std::string> plugins_for(Phase phase) {
  std::vector<std::string> out;
  for (const auto& e : builtin_plugins())
    if (serves(e, phase)) out.push_back(e.name);
  std::sort(out.begin(), out.end());
  return out;
}

AppPlugins create_plugins(const AppConfig& app, Diagnostics& diags) {
  AppPlugins out;
  if (app.build)
    if (const PluginEntry* e = find_plugin(*app.build, diags))
      out.builder = e->builder(*app.build, diags);
  if (app.registry)
    if (const PluginEntry* e = find_plugin(*app.registry, diags))
      out.registry = e->registry(*app.registry, diags);
  if (app.deploy)
    if (const PluginEntry* e = find_plugin(*app.deploy, diags))
      out.platform = e->platform(*app.deploy, diags);
  if (app.release)
    if (const PluginEntry* e = find_plugin(*app.release, diags))
      out.release = e->release(*app.release, diags);
  return out;
}

}  // namespace strata::app

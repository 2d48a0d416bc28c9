// The builtin plugins: one table row per plugin, naming the phases it serves. Creating a plugin
// validates its options (each plugin checks its own block); an unknown plugin name is reported
// with did-you-mean and the list of plugins that serve that phase.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "app/app_config.h"
#include "app/plugin.h"
#include "model/error.h"

namespace strata::app {

// Each factory reads `config` through PluginOptions; it returns null when the options are wrong
// (the problems are in `diags`).
using BuilderFactory = std::unique_ptr<Builder> (*)(const PluginConfig& config, Diagnostics& diags);
using RegistryFactory = std::unique_ptr<Registry> (*)(const PluginConfig& config,
                                                      Diagnostics& diags);
using PlatformFactory = std::unique_ptr<Platform> (*)(const PluginConfig& config,
                                                      Diagnostics& diags);
using ReleaseFactory = std::unique_ptr<ReleaseManager> (*)(const PluginConfig& config,
                                                           Diagnostics& diags);

struct PluginEntry {
  const char* name;
  const char* summary;
  BuilderFactory builder = nullptr;
  RegistryFactory registry = nullptr;
  PlatformFactory platform = nullptr;
  ReleaseFactory release = nullptr;
};

const std::vector<PluginEntry>& builtin_plugins();

// The names of the plugins that serve `phase`, sorted.
std::vector<std::string> plugins_for(Phase phase);

// The plugins an app's phases use, created and validated; a phase without a block is null.
struct AppPlugins {
  std::unique_ptr<Builder> builder;
  std::unique_ptr<Registry> registry;
  std::unique_ptr<Platform> platform;
  std::unique_ptr<ReleaseManager> release;
};

// Creates every plugin `app` names; problems (unknown plugins, bad options) go to `diags`.
AppPlugins create_plugins(const AppConfig& app, Diagnostics& diags);

}  // namespace strata::app

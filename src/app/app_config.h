// cloudstation.hcl (and Waypoint's waypoint.hcl): the project, its variables and its apps, each
// app naming one plugin per phase with that plugin's options. Loading evaluates variables and
// functions with strata's HCL library and reports every mistake at file:line:col; which options
// a plugin takes is the plugin's own business (plugin_table.h validates them).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/error.h"
#include "model/value.h"

namespace strata::app {

enum class Phase { kBuild, kRegistry, kDeploy, kRelease };
const char* phase_name(Phase p);  // "build", "registry", "deploy", "release"

// One phase's block: the plugin it uses and that plugin's options, evaluated. Each option value
// carries the Origin it was written at, so a plugin can point at the one it rejects.
struct PluginConfig {
  Phase phase = Phase::kBuild;
  std::string use;     // plugin name
  Origin origin;       // the block
  Origin use_origin;   // where the plugin is named
  Value::Map options;  // option -> value (nested blocks become maps)
};

struct AppConfig {
  std::string name;
  Origin origin;
  std::string path;  // the app's folder, relative to the project root ("." by default)
  std::map<std::string, std::string> labels;
  std::optional<PluginConfig> build;
  std::optional<PluginConfig> registry;
  std::optional<PluginConfig> deploy;
  std::optional<PluginConfig> release;
  Value::Map url;                          // the url block, as written (kept for the release phase)
  std::map<std::string, std::string> env;  // config { env = {...} }
  int internal_port = 0;                   // config { internal_port = N }; 0 = none
};

struct VariableConfig {
  std::string name;
  std::string type;  // "string", "number", "bool", "list", "map", "any"
  bool sensitive = false;
  std::vector<std::string> env;  // environment variables that set it, first set wins
  Value value;                   // default, or from env
  Origin origin;
};

struct ProjectConfig {
  std::string file;  // the file read, as shown in messages ("cloudstation.hcl")
  std::string root;  // absolute folder holding it
  std::string project;
  std::vector<VariableConfig> variables;
  std::vector<AppConfig> apps;  // file order
  // Every sensitive variable's value (as text): whatever is printed or recorded is redacted
  // with them (base/log.h's Redactor).
  std::vector<std::string> sensitive_values;

  const AppConfig* find_app(const std::string& name) const;
};

// The file names looked for in a folder, in order.
inline const std::vector<std::string> kConfigFileNames = {"cloudstation.hcl", "waypoint.hcl"};

// Parses `source` as the file `display` (a path relative to `root`, as messages show it).
// `environment` is what `env = [...]` reads. Problems are collected in `diags`; the result is
// only meaningful when `diags` has no errors. Plugin options are NOT checked here.
ProjectConfig parse_project_config(const std::string& source, const std::string& display,
                                   const std::string& root,
                                   const std::map<std::string, std::string>& environment,
                                   Diagnostics& diags);

}  // namespace strata::app

// Project loading: find the project root, read its settings (strata.yaml or comet.yaml) and
// .env files, and run every front-end into one Project. The one entry point every command uses.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "config/js/js_log.h"
#include "config/js/js_stack_loader.h"
#include "secrets/secret_resolver.h"
#include "model/error.h"
#include "model/project.h"

namespace strata::config {

struct LoadOptions {
  std::string start_dir;  // where the root search starts; "" = the current directory
  // The environment the run starts from; when inherit_process_env, the process's own variables
  // fill in what is not set here.
  std::map<std::string, std::string> environment;
  bool inherit_process_env = true;
  SecretResolver* secrets = nullptr;  // for secrets()/secret() and secret refs in .env
  // Limits for one stack file; STRATA_JS_TIMEOUT (seconds) and STRATA_JS_MEMORY_LIMIT_MB in the
  // environment override them.
  double js_timeout_seconds = 30;
  size_t js_memory_limit_bytes = size_t{2} << 30;
  js::LogSink log;  // print() and console.* from stack files
  // Reuse results of unchanged stack files kept in <work_dir>/.cache/js (js_cache.h); the
  // environment variable STRATA_JS_CACHE=0 turns it off as well.
  bool js_cache = true;
  // Where that cache is kept instead ("" = <work_dir>/.cache/js): a worker keeps it outside the
  // checkout it removes after each activity.
  std::string js_cache_dir;
};

// The project `start` lies in: the first folder from `start` upwards holding strata.yaml,
// comet.yaml or .komposconfig.yaml; failing that, the first one holding a stacks/ folder with
// stack files in it or a config/ folder with Kompos leaves (composition=terraform/terraform=…),
// projects without settings. None when `start` is in no project.
std::optional<std::string> search_project_root(const std::string& start);

// search_project_root, or `start` itself (absolute) when it is in no project: for commands that
// read a project's settings when there is one and work without (version, secrets).
std::string find_project_root(const std::string& start);

// The settings of the project at `root`: strata.yaml, else comet.yaml, else the defaults.
// Problems are added to `diagnostics` (the defaults are returned then).
Settings read_project_settings(const std::string& root, Diagnostics& diagnostics);

struct LoadedProject {
  Project project;
  Diagnostics diagnostics;  // every problem found; the project holds what did load
  // The variables for this run: the environment, plus settings env and .env, .env.local.
  std::map<std::string, std::string> environment;
  js::JsLoadStats js_stats;  // stack files run, and results reused from the cache
};

// Loads everything and reports every problem (for `strata validate`). Never throws for
// problems in project files.
LoadedProject load_project_with_diagnostics(const LoadOptions& options);

// Loads everything; throws the first problem as strata::Error (the others in its hint).
// The run's variables (settings env, .env, .env.local) are merged into settings.env.
Project load_project(const LoadOptions& options);

}  // namespace strata::config

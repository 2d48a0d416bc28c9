// Workspace: the one door to a loaded project, for the CLI, the server and the worker alike —
// where the project is, its settings and stacks, the variables of this run, the secret resolver
// and redactor, and which engine runs it. Opening a workspace reads no process state: the
// folder to start from and the environment are inputs (no chdir, no getenv), so a worker can
// hold two workspaces with different environments in one process.
#pragma once

#include <map>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "base/log.h"
#include "config/js/js_log.h"
#include "config/js/js_stack_loader.h"
#include "engine/engine.h"
#include "engine/engine_locator.h"
#include "model/error.h"
#include "model/project.h"
#include "secrets/secret_resolver.h"

namespace strata::workspace {

using Environment = std::map<std::string, std::string>;

// A strata server's API token, and the PEM certificates to trust for its HTTPS ("" = the
// system's): what the engine needs to reach the state strata.yaml's state_backend names.
struct ServerAccess {
  std::string token;
  std::string ca_pem;
};

struct WorkspaceOptions {
  // Where the search for the project root starts (strata.yaml, comet.yaml or
  // .komposconfig.yaml, else a stacks/ or config/ folder of stacks, upwards); also the folder relative paths in targets are read from.
  // Must be absolute.
  std::string start_dir;
  // The environment of this run (the CLI passes its process's). Engines, hooks, env() and
  // secret keys see exactly this, plus strata.yaml env and .env files.
  Environment env;
  // --engine: a name or a path; "" = strata.yaml `engine:`, then STRATA_ENGINE, then tofu and
  // terraform on PATH.
  std::string engine;
  // print() and console.* of stack files; null = dropped.
  js::LogSink log;
  // Reuse results of unchanged stack files (config/js/js_cache.h), kept in js_cache_dir when set
  // (else in the project's work dir).
  bool js_cache = true;
  std::string js_cache_dir;
  // A binary with the engine supervisor mode (base/supervisor.h) — strata itself, for the CLI
  // and the worker — so engines outlive a killed strata cleanly; "" = engines run directly.
  std::string engine_supervisor;
  // strata.yaml `state_backend: {type: server, …}` points components without a remote backend of
  // their own at that server's state (workspace/server_state.h). A worker turns it off: it points
  // them at its own server, with its activity's credential.
  bool apply_state_backend = true;
  // How to reach the server at `url` that `state_backend` names (the CLI: what `strata remote
  // login` stored for it). Unset = nothing known.
  std::function<ServerAccess(const std::string& url)> server_access;
};

// Which engine binary a project runs, and why; a named engine that is missing is an error.
struct EngineSelection {
  std::optional<EngineChoice> choice;  // none found
  // For the plugin cache: strata.yaml plugin_cache, else $XDG_CACHE_HOME or ~/.cache.
  std::string plugin_cache_dir;
};

class Workspace {
 public:
  const Project& project() const { return project_; }
  // For a caller that adjusts the loaded project before running it (the server points state
  // that has no remote backend at itself).
  Project& edit_project() { return project_; }
  const std::string& root() const { return project_.root; }
  const std::string& start_dir() const { return options_.start_dir; }
  const std::string& engine_supervisor() const { return options_.engine_supervisor; }
  // The variables of this run: the given environment, plus strata.yaml env, .env, .env.local.
  const Environment& environment() const { return environment_; }
  // With strata.yaml's state_backend: the components ("stack/component") whose state that
  // server keeps (use_server_state); the others have a backend of their own.
  const std::set<std::string>& server_state_components() const { return server_state_components_; }
  // Every problem loading found; commands other than validate call throw_if_errors().
  const Diagnostics& diagnostics() const { return diagnostics_; }
  Diagnostics& diagnostics() { return diagnostics_; }
  void throw_if_errors() const { diagnostics_.throw_if_errors(); }
  const js::JsLoadStats& js_stats() const { return js_stats_; }

  // Every decrypted secret is registered here, so no log line, event or message shows it.
  Redactor& redactor() const { return *redactor_; }
  // sops:// references (relative to the project root, as Comet resolves them).
  SecretResolver* secrets() const { return secrets_.get(); }

  // Narrows the project to the stacks a command needs (`keep`: the named ones and every stack
  // they reference, transitively): the others are dropped, and an error in a stack file none of
  // the kept stacks comes from becomes a warning, so a broken dev.js does not stop `plan prod`.
  // Errors anywhere else (settings, a kept stack's files) stay errors.
  void focus(const std::set<std::string>& keep);
  // "stack/component" of every component loaded, focused away or not.
  std::set<std::string> declared_components() const;
  // Whether an error in some stack file was set aside by focus() (what that file declares is
  // then unknown).
  bool set_aside_errors() const { return set_aside_errors_; }

  // The engine this project runs (--engine, strata.yaml `engine:`, STRATA_ENGINE, PATH).
  EngineSelection engine_selection() const;
  // An Engine for that choice that redacts this workspace's secrets and runs with exactly this
  // workspace's environment. Throws an Error saying how to install or name one when none is
  // found, and when the project's state is a strata server's and no token for it was given.
  std::unique_ptr<Engine> make_engine() const;

 private:
  friend std::unique_ptr<Workspace> open_workspace(WorkspaceOptions options);
  Workspace() = default;

  WorkspaceOptions options_;
  Project project_;
  Environment environment_;
  Diagnostics diagnostics_;
  std::set<std::string> focused_away_;  // components of the stacks focus() dropped
  bool set_aside_errors_ = false;
  js::JsLoadStats js_stats_;
  std::unique_ptr<Redactor> redactor_;
  std::unique_ptr<SecretResolver> secrets_;
  // Set when strata.yaml's state_backend names a server and no token reaches it: what
  // make_engine() throws (listing and generating need no token).
  std::optional<Error> state_backend_problem_;
  std::set<std::string> server_state_components_;
};

// Finds the project from options.start_dir (config::search_project_root) and loads every
// front-end. Problems in project files are collected in diagnostics(), never thrown (validate
// reports them all); a start folder in no project at all throws a kNotFound Error saying where
// it looked and how to start one.
std::unique_ptr<Workspace> open_workspace(WorkspaceOptions options);

// The engine a project in (or above) `start_dir` would run, reading only its settings file:
// what `strata version` shows, chosen by the same code as every run's.
EngineSelection engine_for_folder(const std::string& start_dir, const Environment& env,
                                  const std::string& requested);

// The sops:// resolver a project in (or above) `start_dir` would use (paths relative to its
// root; keys from `env`), without loading its stacks: what `strata secrets get` resolves with.
// Values it decrypts are registered with `redactor` when one is given.
std::unique_ptr<SecretResolver> secret_resolver_for_folder(const std::string& start_dir,
                                                           const Environment& env,
                                                           Redactor* redactor = nullptr);

}  // namespace strata::workspace

// Engine: runs one OpenTofu/Terraform command in a workdir. Binary-agnostic: the real engines
// and tofu-sim go through exactly this path. Every call gets -input=false and, where the engine
// offers it, -json; stdout lines are parsed into UiEvents; the full output (command line first)
// is appended to a log file; a shared provider plugin cache is set, and `init` calls that share
// one cache are serialised so they cannot corrupt it.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/subprocess.h"
#include "engine/engine_locator.h"
#include "engine/ui_event.h"

namespace strata {

struct EngineRequest {
  std::vector<std::string> args;  // after the binary: {"plan", "-input=false", ...}
  std::string cwd;
  std::map<std::string, std::string> env;  // laid over the inherited environment
  std::string log_path;                     // "" = no log
  int keep_fd = -1;  // held by the engine while it runs (the workdir lock), when supervised
  // In-memory files the engine reads as /dev/fd/N (base/subprocess.h memory_file_fd).
  std::vector<std::string> memory_files;
  bool json_stream = false;                 // stdout is the machine-readable UI stream
  bool capture_stdout = false;              // keep stdout whole (output -json); never logged,
                                            // since it may hold sensitive values
  // Every raw line as it arrives (for `strata run`, which shows the engine's own output).
  std::function<void(std::string_view line, bool is_stderr)> on_output;
  // What strata itself has to say about the process while it runs (an engine that ignores
  // SIGINT being terminated).
  std::function<void(const std::string& message)> on_notice;
};

struct EngineResponse {
  int exit_code = -1;
  int signal = 0;
  std::string stdout_text;                    // with capture_stdout
  std::vector<EngineDiagnostic> diagnostics;  // errors and warnings the engine reported
  bool has_summary = false;
  UiChangeSummary summary;                    // the change_summary message, when there was one
  std::string last_message;                   // the last human-readable line
  std::string error_text;                     // "Error: ..." from the plain-text output, if any
  std::string error_file;                     // its "on FILE line N" location, when given
  int error_line = 0;
  bool success() const { return exit_code == 0; }
};

// Receives the running process so another thread can interrupt or kill it; nullptr = finished.
using ProcessWatcher = std::function<void(Subprocess*)>;

// EngineRunner: what the executor runs engine commands through — abstract, like ninja's
// CommandRunner, so execute/ can be driven by a fake in tests and by other runners later. Engine
// (below) is the real one.
class EngineRunner {
 public:
  virtual ~EngineRunner() = default;
  // Runs one engine command and waits. Throws strata::Error only when it cannot be started.
  virtual EngineResponse run(const EngineRequest& request, const std::function<void(const UiEvent&)>& on_event,
                             const ProcessWatcher& watch) = 0;
  // The environment other processes of a run (hooks) start from: the engine's, with `overlay`
  // laid over it (fills o.env and o.inherit_env).
  virtual void apply_environment(SubprocessOptions& o, const std::map<std::string, std::string>& overlay) const = 0;
  // A variable as a child process would see it with `overlay`.
  virtual std::optional<std::string> variable(const std::string& name,
                                              const std::map<std::string, std::string>& overlay) const = 0;
  // Secrets to remove from every line a run logs (may be null).
  virtual const Redactor* redactor() const = 0;
  // The program's name for messages ("terraform", "tofu").
  virtual std::string program_name() const { return "the engine"; }
  // Which engine this is, for saved plans (a plan is applied by the engine that made it): its path.
  virtual std::string program_path() const { return program_name(); }
};

class Engine : public EngineRunner {
 public:
  Engine(EngineChoice choice, std::string plugin_cache_dir);

  const EngineChoice& choice() const { return choice_; }
  std::string program_name() const override;
  std::string program_path() const override { return choice_.path; }
  const std::string& plugin_cache_dir() const { return plugin_cache_dir_; }
  // Secrets to remove from every line written to an engine log (may be null).
  void set_redactor(const Redactor* redactor) { redactor_ = redactor; }
  const Redactor* redactor() const override { return redactor_; }

  // Watch every engine with the supervisor (base/supervisor.h), so it outlives
  // strata's death cleanly; "" = start engines directly.
  void set_supervisor(std::string path) { supervisor_ = std::move(path); }

  // The complete environment engine (and hook) processes start from; unset, the process's own.
  // A workspace sets it, so two runs in one process can each have their own.
  void set_environment(std::map<std::string, std::string> env) { environment_ = std::move(env); }
  // Fills o.env/o.inherit_env: that environment with `overlay` laid over it.
  void apply_environment(SubprocessOptions& o, const std::map<std::string, std::string>& overlay) const override;
  // A variable as a child process would see it with `overlay`: overlay, else the environment.
  std::optional<std::string> variable(const std::string& name,
                                      const std::map<std::string, std::string>& overlay) const override;

  // Runs the engine and waits. Throws strata::Error only when it cannot be started.
  EngineResponse run(const EngineRequest& request, const std::function<void(const UiEvent&)>& on_event,
                     const ProcessWatcher& watch) override;

 private:
  EngineChoice choice_;
  std::string plugin_cache_dir_;
  std::mutex init_mutex_;  // one `init` at a time per plugin cache
  const Redactor* redactor_ = nullptr;
  std::optional<std::map<std::string, std::string>> environment_;
  std::string supervisor_;
};

// The default provider plugin cache in the environment `env`: $XDG_CACHE_HOME/strata/plugin-cache
// or ~/.cache/strata/plugin-cache.
std::string default_plugin_cache_dir(const std::map<std::string, std::string>& env);

}  // namespace strata

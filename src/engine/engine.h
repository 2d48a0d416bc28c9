// Engine: runs one OpenTofu/Terraform command in a workdir. Binary-agnostic: the real engines
// and tofu-sim go through exactly this path. Every call gets -input=false and, where the engine
// offers it, -json; stdout lines are parsed into UiEvents; the full output (command line first)
// is appended to a log file; a shared provider plugin cache is set, and `init` calls that share
// one cache are serialised so they cannot corrupt it.
#pragma once

#include <functional>
#include <map>
#include <mutex>
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
  bool json_stream = false;                 // stdout is the machine-readable UI stream
  bool capture_stdout = false;              // keep stdout whole (output -json); never logged,
                                            // since it may hold sensitive values
  // Every raw line as it arrives (for `strata run`, which shows the engine's own output).
  std::function<void(std::string_view line, bool is_stderr)> on_output;
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

class Engine {
 public:
  Engine(EngineChoice choice, std::string plugin_cache_dir);

  const EngineChoice& choice() const { return choice_; }
  const std::string& plugin_cache_dir() const { return plugin_cache_dir_; }
  // Secrets to remove from every line written to an engine log (may be null).
  void set_redactor(const Redactor* redactor) { redactor_ = redactor; }
  const Redactor* redactor() const { return redactor_; }

  // Runs the engine and waits. Throws strata::Error only when it cannot be started.
  EngineResponse run(const EngineRequest& request, const std::function<void(const UiEvent&)>& on_event,
                     const ProcessWatcher& watch);

 private:
  EngineChoice choice_;
  std::string plugin_cache_dir_;
  std::mutex init_mutex_;  // one `init` at a time per plugin cache
  const Redactor* redactor_ = nullptr;
};

// The default provider plugin cache: $XDG_CACHE_HOME/strata/plugin-cache or ~/.cache/...
std::string default_plugin_cache_dir();

}  // namespace strata

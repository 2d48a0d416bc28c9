#include "engine/engine.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace strata {

namespace fs = std::filesystem;

std::string default_plugin_cache_dir(const std::map<std::string, std::string>& env) {
  auto get = [&env](const char* name) {
    auto it = env.find(name);
    return it == env.end() ? std::string() : it->second;
  };
  if (std::string xdg = get("XDG_CACHE_HOME"); !xdg.empty()) return xdg + "/strata/plugin-cache";
  if (std::string home = get("HOME"); !home.empty()) return home + "/.cache/strata/plugin-cache";
  return "/tmp/strata-plugin-cache";
}

std::string Engine::program_name() const {
  std::string path = choice_.path;
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

void Engine::apply_environment(SubprocessOptions& o, const std::map<std::string, std::string>& overlay) const {
  if (environment_) {
    o.env = *environment_;
    for (const auto& [k, v] : overlay) o.env[k] = v;
    o.inherit_env = false;
  } else {
    o.env = overlay;
    o.inherit_env = true;
  }
}

std::optional<std::string> Engine::variable(const std::string& name,
                                            const std::map<std::string, std::string>& overlay) const {
  if (auto it = overlay.find(name); it != overlay.end()) return it->second;
  if (environment_) {
    if (auto it = environment_->find(name); it != environment_->end()) return it->second;
    return std::nullopt;
  }
  if (const char* v = std::getenv(name.c_str())) return std::string(v);
  return std::nullopt;
}

Engine::Engine(EngineChoice choice, std::string plugin_cache_dir)
    : choice_(std::move(choice)), plugin_cache_dir_(std::move(plugin_cache_dir)) {}

EngineResponse Engine::run(const EngineRequest& request, const std::function<void(const UiEvent&)>& on_event,
                           const ProcessWatcher& watch) {
  EngineResponse response;
  std::ofstream log;
  if (!request.log_path.empty()) {
    fs::create_directories(fs::path(request.log_path).parent_path());
    log.open(request.log_path, std::ios::app);
    log << "$ " << choice_.path;
    for (const auto& a : request.args) log << " " << a;
    log << "\n  (in " << request.cwd << ")\n";
  }
  std::mutex log_mutex;  // stdout and stderr callbacks come from one thread, but be safe
  auto write_log = [&](std::string_view prefix, std::string_view line) {
    if (!log.is_open()) return;
    std::lock_guard<std::mutex> lock(log_mutex);
    if (redactor_) {
      log << prefix << redactor_->redact(line) << "\n";
    } else {
      log << prefix << line << "\n";
    }
  };

  SubprocessOptions o;
  o.argv.push_back(choice_.path);
  o.argv.insert(o.argv.end(), request.args.begin(), request.args.end());
  o.cwd = request.cwd;
  o.supervisor = supervisor_;
  o.keep_fd = request.keep_fd;
  o.memory_files = request.memory_files;
  // After a Ctrl-C, an engine that ignores SIGINT is terminated instead of left running; one that
  // catches it (Terraform, OpenTofu) is waited for while it saves its state.
  o.ignored_interrupt_timeout = std::chrono::seconds(5);
  o.kill_grace = std::chrono::seconds(5);
  o.on_notice = request.on_notice;
  apply_environment(o, request.env);
  if (!plugin_cache_dir_.empty()) {
    std::error_code ec;
    fs::create_directories(plugin_cache_dir_, ec);
    o.env.emplace("TF_PLUGIN_CACHE_DIR", plugin_cache_dir_);
  }
  o.env.emplace("TF_IN_AUTOMATION", "1");
  o.env.emplace("TF_INPUT", "0");
  o.capture_stdout = request.capture_stdout;
  // Plain-text output (init, output) reports errors in a box: "│ Error: summary", then its
  // location and source lines (indented), then the detail: its first line joins the summary
  // ("Error: Failed to parse command-line flags: flag provided but not defined: -x").
  bool detail_wanted = false;
  auto note_error = [&](std::string_view line) {
    std::string text(line);
    const std::string box = "│";
    if (text.rfind(box, 0) == 0) {
      text = text.substr(box.size());
      if (!text.empty() && text[0] == ' ') text = text.substr(1);
    }
    if (detail_wanted && !text.empty() && text[0] != ' ' && text.rfind("╵", 0) != 0 && text.rfind("╷", 0) != 0 &&
        text.rfind("Error: ", 0) != 0 && text.rfind("Warning: ", 0) != 0) {
      response.error_text += ": " + text;
      detail_wanted = false;
      return;
    }
    if (text.rfind("╵", 0) == 0 || text.rfind("Error: ", 0) == 0 || text.rfind("Warning: ", 0) == 0)
      detail_wanted = false;
    // The generic init preamble says nothing about what is wrong: keep looking past it.
    if (text.rfind("Error: ", 0) == 0 && text.find("encountered problems during initiali") == std::string::npos &&
        response.error_text.empty()) {
      response.error_text = text;
      detail_wanted = true;
      return;
    }
    // "  on main.tf line 6, in output "o":" follows the summary.
    if (!response.error_text.empty() && response.error_file.empty() && text.rfind("  on ", 0) == 0) {
      size_t at = text.find(" line ", 5);
      if (at != std::string::npos) {
        response.error_file = text.substr(5, at - 5);
        response.error_line = std::atoi(text.c_str() + at + 6);
      }
    }
  };
  if (request.capture_stdout) write_log("", "(standard output not logged: it may hold sensitive values)");
  o.on_stdout_line = [&](std::string_view line) {
    if (!request.capture_stdout) write_log("", line);
    if (request.on_output) request.on_output(line, false);
    if (!request.json_stream) {
      note_error(line);
      if (!line.empty()) response.last_message = std::string(line);
      return;
    }
    UiEvent event = parse_ui_event(line);
    if (event.type == UiEventType::kChangeSummary) {
      response.has_summary = true;
      response.summary = event.changes;
    } else if (event.type == UiEventType::kDiagnostic && event.diagnostic) {
      response.diagnostics.push_back(*event.diagnostic);
    }
    if (!event.message.empty()) response.last_message = event.message;
    if (on_event) on_event(event);
  };
  o.on_stderr_line = [&](std::string_view line) {
    write_log("stderr: ", line);
    note_error(line);
    if (request.on_output) request.on_output(line, true);
    if (!line.empty()) response.last_message = std::string(line);
  };

  bool is_init = !request.args.empty() && request.args.front() == "init";
  std::unique_lock<std::mutex> init_lock(init_mutex_, std::defer_lock);
  if (is_init) init_lock.lock();

  Subprocess process(std::move(o));
  if (watch) watch(&process);
  SubprocessResult result;
  try {
    result = process.run();
  } catch (...) {
    if (watch) watch(nullptr);
    throw;
  }
  if (watch) watch(nullptr);
  response.exit_code = result.exit_code;
  response.signal = result.signal;
  response.stdout_text = std::move(result.stdout_text);
  write_log("", "# " + result.describe());
  return response;
}

}  // namespace strata

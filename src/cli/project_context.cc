#include "cli/project_context.h"

#include <iostream>

#include "model/error.h"

namespace strata::cli {

config::LoadOptions load_options(const Globals& globals) {
  config::LoadOptions options;
  if (!globals.quiet) {
    options.log = [](js::LogLevel, const std::string& text, const Origin& where) {
      std::cerr << where.str() << ": " << text << "\n";
    };
  }
  return options;
}

config::LoadedProject load_project_or_throw(const Globals& globals) {
  config::LoadedProject loaded = config::load_project_with_diagnostics(load_options(globals));
  for (const auto& d : loaded.diagnostics.items()) {
    if (d.severity == Severity::kWarning && !globals.quiet) std::cerr << d.render() << "\n";
  }
  loaded.diagnostics.throw_if_errors();
  return loaded;
}

std::unique_ptr<Engine> make_engine(const Globals& globals, const Project& project) {
  std::string requested = globals.engine;
  std::string source = "--engine";
  if (requested.empty() && project.settings.engine != "auto" && !project.settings.engine.empty()) {
    requested = project.settings.engine;
    source = project.settings.origin.known() ? project.settings.origin.path() : "strata.yaml";
  }
  auto choice = locate_engine(requested, source);
  if (!choice) {
    throw Error("no engine found: neither tofu nor terraform is on PATH", {},
                "install OpenTofu or Terraform, or name one with --engine PATH or STRATA_ENGINE");
  }
  if (choice->simulated && !globals.quiet) {
    std::cerr << "*** engine: tofu-sim (" << choice->path
              << ") is a SIMULATED engine for tests; nothing real is planned or applied ***\n";
  }
  std::string cache = project.settings.plugin_cache.empty() ? default_plugin_cache_dir() : project.settings.plugin_cache;
  return std::make_unique<Engine>(*choice, cache);
}

}  // namespace strata::cli

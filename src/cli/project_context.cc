#include "cli/project_context.h"

#include <iostream>

#include "model/error.h"

namespace strata::cli {

config::LoadOptions load_options(const Globals& globals) {
  config::LoadOptions options;
  if (!globals.quiet && !globals.json) {
    options.log = [](js::LogLevel, const std::string& text, const Origin& where) {
      std::cerr << where.str() << ": " << text << "\n";
    };
  }
  return options;
}

std::unique_ptr<ProjectSession> open_project(const Globals& globals, bool throw_on_errors) {
  auto session = std::make_unique<ProjectSession>();
  session->redactor = std::make_unique<Redactor>();
  // sops:// paths are relative to the project root, as Comet resolves them from its root.
  std::string root = config::find_project_root(".");
  session->secrets = std::make_unique<secrets::SopsSecretResolver>(root, session->redactor.get());
  config::LoadOptions options = load_options(globals);
  options.secrets = session->secrets.get();
  session->loaded = config::load_project_with_diagnostics(options);
  if (!throw_on_errors) return session;
  for (const auto& d : session->loaded.diagnostics.items()) {
    if (d.severity == Severity::kWarning && !globals.quiet) std::cerr << d.render() << "\n";
  }
  session->loaded.diagnostics.throw_if_errors();
  return session;
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

std::string stack_name_from_argument(const Project& project, std::string argument) {
  while (argument.size() > 1 && argument.back() == '/') argument.pop_back();
  std::string config_prefix = project.settings.config_dir + "/";
  if (!project.find_stack(argument) && argument.rfind(config_prefix, 0) == 0) {
    argument = argument.substr(config_prefix.size());
  }
  return argument;
}

}  // namespace strata::cli

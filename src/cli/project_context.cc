#include "cli/project_context.h"

#include <filesystem>
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

StackArgument parse_stack_argument(const Project& project, const std::string& argument) {
  StackArgument out{argument, {}, {}};
  while (out.stack.size() > 1 && out.stack.back() == '/') out.stack.pop_back();
  if (project.find_stack(out.stack)) return out;
  // A folder: relative to the current folder when it exists there, else to the project root.
  namespace fs = std::filesystem;
  fs::path root = fs::absolute(project.root).lexically_normal();
  fs::path path = fs::exists(argument) ? fs::absolute(argument) : root / argument;
  std::string rel = path.lexically_normal().lexically_relative(root).generic_string();
  while (rel.size() > 1 && rel.back() == '/') rel.pop_back();
  std::string config_dir =
      fs::path(project.settings.config_dir).lexically_normal().generic_string();
  while (config_dir.size() > 1 && config_dir.back() == '/') config_dir.pop_back();
  if (rel != config_dir && rel.rfind(config_dir + "/", 0) != 0) return out;
  out.config_folder = rel;
  std::string below = rel == config_dir ? "" : rel.substr(config_dir.size() + 1);
  // …/composition=terraform/terraform=NAME: the leaf of component NAME.
  static const std::string kComposition = "composition=terraform", kLeaf = "/terraform=";
  size_t leaf = below.rfind(kLeaf);
  std::string above = leaf == std::string::npos ? "" : below.substr(0, leaf);
  if (leaf != std::string::npos && below.find('/', leaf + 1) == std::string::npos &&
      (above == kComposition || above.ends_with("/" + kComposition))) {
    out.component = below.substr(leaf + kLeaf.size());
    below = above.size() == kComposition.size()
                ? ""
                : above.substr(0, above.size() - kComposition.size() - 1);
  }
  out.stack = below.empty() ? "default" : below;
  return out;
}

std::string stack_name_from_argument(const Project& project, std::string argument) {
  return parse_stack_argument(project, argument).stack;
}

}  // namespace strata::cli

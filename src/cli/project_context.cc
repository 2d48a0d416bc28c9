#include "cli/project_context.h"

#include <filesystem>
#include <iostream>

#include "base/suggest.h"
#include "config/yaml/yaml_stack_loader.h"
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
  if (const auto& js = session->loaded.js_stats; globals.verbose > 0 && !globals.quiet && js.ran + js.reused > 0) {
    std::cerr << "stack files: " << js.ran << " ran, " << js.reused
              << " unchanged since their last run (their results reused; STRATA_JS_CACHE=0 runs every file)\n";
  }
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

namespace {

// The project's config_dir, normalised ("config", "infra/config"), as folders are compared to it.
std::string config_folder(const Project& project) {
  std::string dir = std::filesystem::path(project.settings.config_dir).lexically_normal().generic_string();
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

// True when the relative path `rel` is `folder` or lies below it.
bool inside_folder(const std::string& rel, const std::string& folder) {
  return rel == folder || rel.rfind(folder + "/", 0) == 0;
}

}  // namespace

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
  const std::string config_dir = config_folder(project);
  if (!inside_folder(rel, config_dir)) return out;
  out.config_folder = rel;
  std::string below = rel == config_dir ? "" : rel.substr(config_dir.size() + 1);
  // …/composition=terraform/terraform=NAME, or …/composition=NAME (newer Kompos layouts, a
  // component only when its stack has it): the leaf of component NAME.
  if (auto leaf = yaml::split_leaf_folder(below)) {
    const Stack* s = project.find_stack(leaf->stack_folder.empty() ? "default" : leaf->stack_folder);
    if (!leaf->typed || (s && s->find(leaf->component))) {
      out.component = leaf->component;
      below = leaf->stack_folder;
    }
  }
  out.stack = below.empty() ? "default" : below;
  return out;
}

std::string stack_name_from_argument(const Project& project, std::string argument) {
  return parse_stack_argument(project, argument).stack;
}

Error unknown_stack(const Project& project, const std::string& argument) {
  namespace fs = std::filesystem;
  const std::string name = parse_stack_argument(project, argument).stack;
  std::error_code ec;
  fs::path folder = fs::exists(argument, ec) ? fs::path(argument) : fs::path(project.root) / argument;
  if (!argument.empty() && fs::is_directory(folder, ec)) {
    fs::path rel = fs::absolute(folder, ec).lexically_normal().lexically_relative(
        fs::absolute(project.root, ec).lexically_normal());
    std::string top = rel.empty() ? "" : rel.begin()->string();
    const std::string config_dir = config_folder(project);
    if (!top.empty() && top != ".." && top != "." && !inside_folder(rel.generic_string(), config_dir)) {
      // The tree's root: the folders before the first key=value one (data/cloud=aws → data).
      fs::path tree;
      for (const auto& part : rel) {
        if (part.string().find('=') != std::string::npos) break;
        tree /= part;
      }
      if (tree.empty()) tree = top;
      return Error("folder " + rel.generic_string() + " is not under the config folder (" + config_dir +
                       "), so it holds no stack",
                   {},
                   "strata reads hierarchical YAML from config_dir only; if this is your configuration tree, "
                   "set `config_dir: " + tree.generic_string() + "` in strata.yaml");
    }
  }
  std::vector<std::string> names;
  for (const auto& [n, _] : project.stacks) names.push_back(n);
  std::string near = closest_match(name, names);
  return Error("no stack named \"" + name + "\"", {},
               near.empty() ? "`strata list` shows the stacks" : "did you mean \"" + near + "\"?");
}

std::string component_folder_forms(const std::string& tail) {
  return "STACK may be a Kompos config folder (config/cloud=aws/env=dev/cluster=c1); a component's\n"
         "leaf folder (…/composition=terraform/terraform=vpc, or …/composition=vpc) names the\n"
         "component as well" + tail;
}

ComponentArgument parse_component_arguments(const Project& project, const std::string& first,
                                            const std::string& second, const std::string& usage) {
  namespace fs = std::filesystem;
  const StackArgument target = parse_stack_argument(project, first);
  const Stack* stack = project.find_stack(target.stack);
  const std::string leaf_example =
      project.settings.config_dir + "/…/composition=terraform/terraform=NAME";
  if (!stack && !target.config_folder.empty()) {
    const std::string& folder = target.config_folder;
    if (!fs::is_directory(fs::path(project.root) / folder))
      throw Error("folder " + folder + " does not exist", {},
                  "`strata list` shows the stacks and their folders");
    if (!target.component.empty())
      throw Error("leaf folder " + folder + " names component " + target.component +
                      " of stack " + target.stack + ", which strata did not load",
                  {},
                  "a leaf whose composition.enabled is false is skipped; `strata validate` "
                  "reports leaves that failed to load");
    // Stacks whose folder lies below this one, to suggest.
    std::vector<std::string> below;
    for (const auto& [name, s] : project.stacks)
      if (s.kind == "yaml" && s.source_file.rfind(folder + "/", 0) == 0) below.push_back(name);
    std::string hint = "give a stack's folder and a component (" + usage +
                       " STACK_FOLDER COMPONENT …) or a component's leaf folder (" +
                       leaf_example + ")";
    if (!below.empty()) {
      hint += "; stacks below it: ";
      for (size_t i = 0; i < below.size() && i < 3; ++i) hint += (i ? ", " : "") + below[i];
      if (below.size() > 3) hint += ", …";
    }
    throw Error("folder " + folder + " is neither a stack's folder nor a component's leaf folder",
                {}, hint);
  }
  if (!stack) throw unknown_stack(project, first);
  ComponentArgument out;
  out.ref.stack = stack->name;
  if (!target.component.empty()) {
    out.ref.component = target.component;
    out.second_used = false;
  } else if (!second.empty()) {
    out.ref.component = second;
  } else {
    throw Error("no component named: stack \"" + stack->name + "\" has " +
                    std::to_string(stack->components.size()) + " component" +
                    (stack->components.size() == 1 ? "" : "s"),
                {},
                "name one (" + usage + " " + first + " COMPONENT …)" +
                    (stack->kind == "yaml" ? ", or give its leaf folder (" + leaf_example + ")"
                                           : std::string()) +
                    "; `strata list " + stack->name + "` shows them");
  }
  if (!stack->find(out.ref.component)) {
    std::vector<std::string> names;
    for (const auto& c : stack->components) names.push_back(c.name);
    std::string near = closest_match(out.ref.component, names);
    throw Error("stack \"" + stack->name + "\" has no component \"" + out.ref.component + "\"",
                stack->origin,
                near.empty() ? "`strata list " + stack->name + "` shows its components"
                             : "did you mean \"" + near + "\"?");
  }
  return out;
}

}  // namespace strata::cli

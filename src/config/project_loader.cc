#include "config/project_loader.h"

#include <unistd.h>

#include <filesystem>

#include "base/atomic_file.h"
#include "base/environment.h"
#include "base/suggest.h"
#include "config/dotenv.h"
#include "config/yaml/yaml_stack_loader.h"
#include "config/hcl/hcl_stack_loader.h"
#include "config/js/js_stack_loader.h"
#include "config/settings_file.h"

namespace fs = std::filesystem;

namespace strata::config {

namespace {

constexpr const char* kRootMarkers[] = {"strata.yaml", "comet.yaml", ".komposconfig.yaml"};

bool is_secret_ref(const std::string& v) {
  return v.starts_with("sops://") || v.starts_with("op://");
}

// Settings env and .env files, with Comet's precedence: the shell wins over comet.yaml env and
// .env; .env.local overrides everything. Returns the variables that differ from the shell.
std::map<std::string, std::string> run_variables(const std::string& root, const Settings& settings,
                                                 const std::map<std::string, std::string>& shell,
                                                 Diagnostics& diagnostics) {
  std::map<std::string, std::string> vars;
  for (const auto& [k, v] : settings.env)
    if (!shell.count(k)) vars[k] = v;
  for (const char* name : {".env", ".env.local"}) {
    std::string text;
    if (!try_read_file(root + "/" + name, text)) continue;
    std::map<std::string, std::string> visible = shell;
    for (const auto& [k, v] : vars) visible[k] = v;
    try {
      for (auto& [k, v] : parse_dotenv(text, name, visible)) {
        bool local = std::string(name) == ".env.local";
        if (local || !shell.count(k)) vars[k] = v;
      }
    } catch (const Error& e) {
      diagnostics.error(e.origin(), e.message(), e.hint());
    }
  }
  return vars;
}

}  // namespace

Settings read_project_settings(const std::string& root, Diagnostics& diagnostics) {
  try {
    if (fs::exists(fs::path(root) / "strata.yaml")) {
      return read_strata_yaml((fs::path(root) / "strata.yaml").string(), "strata.yaml", &diagnostics);
    }
    if (fs::exists(fs::path(root) / "comet.yaml")) {
      return read_comet_yaml((fs::path(root) / "comet.yaml").string(), "comet.yaml", &diagnostics);
    }
  } catch (const Error& e) {
    diagnostics.error(e.origin(), e.message(), e.hint());
  }
  return Settings{};
}

namespace {

double number_from(const std::map<std::string, std::string>& env, const char* name, double dflt,
                   Diagnostics& diagnostics) {
  auto it = env.find(name);
  if (it == env.end() || it->second.empty()) return dflt;
  try {
    size_t used = 0;
    double v = std::stod(it->second, &used);
    if (used == it->second.size() && v > 0) return v;
  } catch (const std::exception&) {
  }
  diagnostics.error({}, std::string(name) + " must be a positive number, not '" + it->second + "'",
                    std::string("unset ") + name + " or set it to a number");
  return dflt;
}

// Adds one front-end's stacks, reporting names another front-end already declared.
void add_stacks(std::map<std::string, Stack>& stacks, Project& project, Diagnostics& diagnostics) {
  for (auto& [name, stack] : stacks) {
    // Names become folders under the work dir: one that would leave it is refused.
    if (auto why = unusable_name(name, true)) {
      diagnostics.error(stack.origin, "stack name \"" + name + "\" cannot be used: " + *why,
                        "a stack's name is a folder under the work dir; use letters, digits, '-', "
                        "'_', '=' and '.' inside parts, and '/' to nest");
      continue;
    }
    bool usable = true;
    std::map<std::string, const Component*> seen;
    for (const auto& c : stack.components) {
      if (auto [first, fresh] = seen.try_emplace(c.name, &c); !fresh) {
        diagnostics.error(c.origin,
                          "component " + c.name + " is declared twice in stack " + name + ": at " +
                              first->second->origin.str() + " and here",
                          "both would use the same workdir and state; give each component its own name");
        usable = false;
      }
      if (auto why = unusable_name(c.name, false)) {
        diagnostics.error(c.origin, "component name \"" + c.name + "\" in stack " + name + " cannot be used: " + *why,
                          "a component's name is a folder under its stack's; use letters, digits, '-', "
                          "'_', '=' and '.' after the first character");
        usable = false;
      }
    }
    if (!usable) continue;
    auto [it, inserted] = project.stacks.try_emplace(name, std::move(stack));
    if (!inserted) {
      diagnostics.error(stack.origin,
                        "stack '" + name + "' is declared twice: in " + it->second.source_file +
                            " and in " + stack.source_file,
                        "give each stack its own name");
    }
  }
}

// Workdirs are <work_dir>/<stack>/<component>: a nested stack "a/b" must not sit inside the
// workdir of component b of stack a (cleaning one would remove the other's files).
void check_workdirs_apart(const Project& project, Diagnostics& diagnostics) {
  for (const auto& [name, stack] : project.stacks) {
    for (size_t slash = name.find('/'); slash != std::string::npos; slash = name.find('/', slash + 1)) {
      const Stack* outer = project.find_stack(name.substr(0, slash));
      if (!outer) continue;
      size_t end = name.find('/', slash + 1);
      std::string part = name.substr(slash + 1, end == std::string::npos ? std::string::npos : end - slash - 1);
      if (const Component* c = outer->find(part)) {
        diagnostics.error(stack.origin,
                          "stack " + name + " would keep its workdirs inside the workdir of component " + part +
                              " of stack " + outer->name + " (" + c->origin.str() + ")",
                          "rename the stack or the component: a stack's folder must not be another "
                          "component's workdir");
      }
    }
  }
}

// Every reference (depends_on, state()) must name a component that exists.
void check_references(const Project& project, Diagnostics& diagnostics) {
  for (const auto& [_, stack] : project.stacks) {
    for (const auto& c : stack.components) {
      for (const auto& ref : c.depends_on) {
        if (project.find(ref)) continue;
        std::vector<std::string> names;
        for (const auto& [sn, s] : project.stacks)
          for (const auto& other : s.components) names.push_back(sn + "/" + other.name);
        std::string near = closest_match(ref.str(), names);
        diagnostics.error(
            ref.origin,
            "component " + stack.name + "/" + c.name + " refers to " + ref.str() +
                ", which does not exist",
            near.empty() ? "check the stack and component names" : "did you mean " + near + "?");
      }
    }
  }
}

}  // namespace

namespace {

fs::path absolute_start(const std::string& start) {
  std::error_code ec;
  fs::path dir = fs::absolute(start.empty() ? fs::current_path(ec) : fs::path(start), ec);
  dir = dir.lexically_normal();
  if (dir.has_filename() == false && dir.has_parent_path() && dir != dir.root_path())
    dir = dir.parent_path();
  return dir;
}

// `dir` and every folder above it, nearest first.
std::vector<fs::path> folders_upwards(const fs::path& dir) {
  std::vector<fs::path> out;
  for (fs::path cur = dir;; cur = cur.parent_path()) {
    out.push_back(cur);
    if (cur == cur.root_path() || cur.parent_path() == cur) break;
  }
  return out;
}

}  // namespace

std::optional<std::string> search_project_root(const std::string& start) {
  std::error_code ec;
  std::vector<fs::path> folders = folders_upwards(absolute_start(start));
  // A settings file anywhere above wins over a nearer stacks/ folder: a module or a tree inside
  // a project may have a folder of that name.
  for (const fs::path& cur : folders) {
    for (const char* marker : kRootMarkers) {
      if (fs::exists(cur / marker, ec)) return cur.string();
    }
  }
  const Settings defaults;
  for (const fs::path& cur : folders) {
    fs::path stacks = cur / defaults.stacks_dir;
    if (fs::is_directory(stacks, ec) && !js::find_stack_files(stacks.string(), {}).empty()) return cur.string();
    fs::path config = cur / defaults.config_dir;
    if (fs::is_directory(config, ec) && !yaml::find_terraform_leaves(config.string()).empty()) return cur.string();
  }
  return std::nullopt;
}

std::string find_project_root(const std::string& start) {
  return search_project_root(start).value_or(absolute_start(start).string());
}

LoadedProject load_project_with_diagnostics(const LoadOptions& options) {
  LoadedProject out;
  Project& project = out.project;
  project.root = find_project_root(options.start_dir);
  project.settings = read_project_settings(project.root, out.diagnostics);

  std::map<std::string, std::string> shell = options.environment;
  if (options.inherit_process_env)
    for (auto& [k, v] : process_environment()) shell.emplace(k, v);
  std::map<std::string, std::string> vars =
      run_variables(project.root, project.settings, shell, out.diagnostics);
  if (options.secrets) {
    for (auto& [k, v] : vars) {
      if (!is_secret_ref(v)) continue;
      try {
        Value resolved = options.secrets->resolve(v, Origin(".env"));
        v = resolved.is_string() ? resolved.as_string() : to_json_text(resolved, -1);
      } catch (const Error& e) {
        out.diagnostics.error(e.origin(), "variable " + k + ": " + e.message(), e.hint());
      }
    }
  }
  out.environment = shell;
  for (const auto& [k, v] : vars) out.environment[k] = v;
  project.settings.env = vars;

  // Front-end: JavaScript stack files (Comet) under stacks_dir.
  js::RunnerOptions js_options;
  js_options.root = project.root;
  js_options.environment = &out.environment;
  js_options.log = options.log;
  js_options.timeout_seconds = number_from(out.environment, "STRATA_JS_TIMEOUT",
                                           options.js_timeout_seconds, out.diagnostics);
  js_options.memory_limit_bytes = static_cast<size_t>(
      number_from(out.environment, "STRATA_JS_MEMORY_LIMIT_MB",
                  static_cast<double>(options.js_memory_limit_bytes >> 20), out.diagnostics) *
      (1 << 20));
  fs::path stacks_dir = fs::path(project.root) / project.settings.stacks_dir;
  fs::path work_dir = fs::path(project.root) / project.settings.work_dir;
  // Results of unchanged stack files are reused (js_cache.h); STRATA_JS_CACHE=0 turns that off.
  if (auto it = out.environment.find("STRATA_JS_CACHE");
      options.js_cache && (it == out.environment.end() ||
                           (it->second != "0" && it->second != "off" && it->second != "false"))) {
    js_options.cache_dir = options.js_cache_dir.empty() ? (work_dir / ".cache" / "js").lexically_normal().string()
                                                        : options.js_cache_dir;
  }
  std::map<std::string, Stack> js_stacks;
  js::load_js_stacks(js::find_stack_files(stacks_dir.lexically_normal().string(),
                                          {work_dir.lexically_normal().string()}),
                     js_options, js_stacks, out.diagnostics, &out.js_stats);
  add_stacks(js_stacks, project, out.diagnostics);

  // Front-end: hierarchical YAML (Kompos) under config_dir.
  yaml::YamlLoadOptions yaml_options;
  yaml_options.environment = &out.environment;
  yaml_options.secrets = options.secrets;
  std::map<std::string, Stack> yaml_stacks;
  yaml::load_yaml_stacks(project.root, project.settings, yaml_options, yaml_stacks, out.diagnostics);
  add_stacks(yaml_stacks, project, out.diagnostics);

  // Front-end: HCL stack definitions (stack.hcl at a module's root).
  std::map<std::string, Stack> hcl_stacks;
  hcl_stacks::load_hcl_stacks(
      project.root, hcl_stacks::find_stack_hcl_files(project.root, {work_dir.lexically_normal().string()}),
      out.environment, hcl_stacks, out.diagnostics);
  add_stacks(hcl_stacks, project, out.diagnostics);

  check_workdirs_apart(project, out.diagnostics);
  check_references(project, out.diagnostics);
  return out;
}

Project load_project(const LoadOptions& options) {
  LoadedProject loaded = load_project_with_diagnostics(options);
  loaded.diagnostics.throw_if_errors();
  return std::move(loaded.project);
}

}  // namespace strata::config

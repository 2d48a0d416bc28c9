#include "config/yaml/yaml_stack_loader.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <set>

#include "config/yaml/interpolation.h"

namespace fs = std::filesystem;

namespace strata::yaml {
namespace {

constexpr const char* kComposition = "composition=terraform";
constexpr const char* kLeafPrefix = "terraform=";
constexpr const char* kTypedPrefix = "composition=";  // composition=<name>: a newer Kompos leaf

// "./a/b/" -> "a/b"; "" stays "".
std::string clean_relative(const std::string& path) {
  if (path.empty()) return "";
  std::string s = fs::path(path).lexically_normal().generic_string();
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s == "." ? "" : s;
}

std::string join(const std::vector<std::string>& parts) {
  fs::path p;
  for (const auto& part : parts)
    if (!part.empty()) p /= part;
  return p.generic_string();
}

bool disabled(const Value& raw) {
  const Value* enabled = lookup_path(raw, "composition.enabled");
  if (!enabled) return false;
  if (enabled->is_bool()) return !enabled->as_bool();
  if (enabled->is_number()) return enabled->as_number().as_double() == 0;
  if (enabled->is_string()) {
    std::string s = enabled->as_string();
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s == "false" || s == "0" || s == "no" || s == "off";
  }
  return false;
}

std::string string_or_empty(const Value& raw, const std::string& path) {
  const Value* v = lookup_path(raw, path);
  return v && v->is_string() ? v->as_string() : "";
}

// Kompos: <local_path>/<root_path>/<cloud.provider>/<composition>/. Without cloud.provider,
// cloud.type is used when that folder exists (the Kompos examples lay modules out that way),
// else <local_path>/<root_path>/<composition>. Nothing configured: modules/<composition>.
std::string module_source(const std::string& project_root, const KomposConfig& config,
                          const Value& raw, const std::string& name) {
  std::string local = clean_relative(config.local_path);
  std::string root = clean_relative(config.root_path);
  if (local.empty() && root.empty()) return "modules/" + name;
  std::string provider = string_or_empty(raw, "cloud.provider");
  if (!provider.empty()) return join({local, root, provider, name});
  std::string type = string_or_empty(raw, "cloud.type");
  if (!type.empty() && fs::is_directory(fs::path(project_root) / join({local, root, type, name})))
    return join({local, root, type, name});
  return join({local, root, name});
}

Value without_keys(const Value& raw, const std::vector<std::string>& a,
                   const std::vector<std::string>& b) {
  Value out = Value::map();
  out.set_origin(raw.origin());
  for (const auto& [k, v] : raw.as_map()) {
    if (k == "komposconfig" || std::find(a.begin(), a.end(), k) != a.end() ||
        std::find(b.begin(), b.end(), k) != b.end())
      continue;
    out.as_map().emplace(k, v);
  }
  return out;
}

Value provider_json_of(const Value& raw) {
  Value out;
  for (const char* key : {"provider", "terraform"})
    if (const Value* v = raw.find(key)) out.set(key, *v);
  return out;
}

// compositions.order.terraform: each listed component present in the stack depends on the
// nearest earlier listed one that is present too, so Kompos's sequence holds (and destroy runs it
// backwards). A component the list leaves out gets no order (Kompos would skip it): a warning.
void order_components(Stack& stack, const KomposConfig& config, Diagnostics& diagnostics) {
  if (config.terraform_order.empty()) return;
  Component* previous = nullptr;
  for (const auto& [name, where] : config.terraform_order) {
    Component* c = stack.find(name);
    if (!c) continue;
    if (previous) c->depends_on.push_back({stack.name, previous->name, where});
    previous = c;
  }
  for (const Component& c : stack.components) {
    bool listed = std::any_of(config.terraform_order.begin(), config.terraform_order.end(),
                              [&](const auto& entry) { return entry.first == c.name; });
    if (!listed)
      diagnostics.warning(
          c.origin,
          "component " + c.name +
              " is not in komposconfig.compositions.order.terraform, so it runs "
              "in no particular order (Kompos would skip it)",
          "add " + c.name + " to compositions.order.terraform in " + config.origin.path());
  }
}

std::string relative_to(const std::string& path, const std::string& base) {
  return fs::path(path).lexically_relative(base).generic_string();
}

}  // namespace

size_t file_size_limit(const YamlLoadOptions& options, Diagnostics& diagnostics) {
  if (options.max_file_bytes > 0) return options.max_file_bytes;
  static const char* kName = "STRATA_YAML_MAX_FILE_MB";
  std::string text;
  if (options.environment) {
    auto it = options.environment->find(kName);
    if (it != options.environment->end()) text = it->second;
  } else if (const char* e = std::getenv(kName)) {
    text = e;
  }
  if (text.empty()) return kDefaultMaxFileBytes;
  try {
    size_t used = 0;
    double mb = std::stod(text, &used);
    // Up to 1 TiB: more would overflow and means no limit anyway.
    if (used == text.size() && mb > 0 && mb <= double(1 << 20))
      return static_cast<size_t>(mb * double(1 << 20));
  } catch (const std::exception&) {
  }
  diagnostics.error({},
                    std::string(kName) + " must be a positive number of MiB, not '" + text + "'",
                    std::string("unset ") + kName + " for the default (" +
                        size_text(kDefaultMaxFileBytes) + ") or set it to a number such as 64");
  return kDefaultMaxFileBytes;
}

std::optional<LeafFolder> split_leaf_folder(const std::string& path) {
  auto split = [](const std::string& p) -> std::pair<std::string, std::string> {
    size_t slash = p.rfind('/');
    if (slash == std::string::npos) return {"", p};
    return {p.substr(0, slash), p.substr(slash + 1)};
  };
  auto [above, last] = split(path);
  if (last.rfind(kLeafPrefix, 0) == 0 && last.size() > std::string(kLeafPrefix).size()) {
    auto [stack_folder, composition] = split(above);
    if (composition == kComposition)
      return LeafFolder{stack_folder, last.substr(std::string(kLeafPrefix).size()), false};
  }
  if (last.rfind(kTypedPrefix, 0) == 0 && last != kComposition &&
      last.size() > std::string(kTypedPrefix).size())
    return LeafFolder{above, last.substr(std::string(kTypedPrefix).size()), true};
  return std::nullopt;
}

std::vector<std::string> find_terraform_leaves(const std::string& config_dir,
                                               const std::set<std::string>& terraform_types,
                                               const std::set<std::string>& other_types,
                                               std::vector<std::string>* unrouted) {
  std::vector<std::string> leaves;
  std::error_code ec;
  fs::recursive_directory_iterator it(config_dir, fs::directory_options::skip_permission_denied,
                                      ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_directory(ec)) continue;
    const fs::path& p = it->path();
    std::string name = p.filename().string();
    if (!name.empty() && name[0] == '.') {
      it.disable_recursion_pending();
      continue;
    }
    if (name.rfind(kLeafPrefix, 0) == 0 && name.size() > std::string(kLeafPrefix).size() &&
        p.parent_path().filename() == kComposition)
      leaves.push_back(fs::absolute(p).lexically_normal().string());
    if (name.rfind(kTypedPrefix, 0) == 0 && name != kComposition) {
      std::string type = name.substr(std::string(kTypedPrefix).size());
      bool terraform = terraform_types.count(type) > 0;
      if (!terraform && (other_types.count(type) || !unrouted)) continue;
      bool has_terraform_leaves = false;
      for (const auto& sub : fs::directory_iterator(p, ec))
        has_terraform_leaves = has_terraform_leaves ||
                               sub.path().filename().string().rfind(kLeafPrefix, 0) == 0;
      if (has_terraform_leaves) continue;
      (terraform ? leaves : *unrouted).push_back(fs::absolute(p).lexically_normal().string());
    }
  }
  std::sort(leaves.begin(), leaves.end());
  return leaves;
}

namespace {

// Loads the leaves one at a time and hands each to `visit`, so only one merged tree is alive at
// a time. `extras` = fill YamlComponent::raw and versioned_data.
// `config` receives .komposconfig.yaml's settings.
void visit_yaml_components(const std::string& project_root, const Settings& settings,
                           const YamlLoadOptions& options, bool extras, Diagnostics& diagnostics,
                           const std::function<void(YamlComponent&)>& visit, KomposConfig& config) {
  fs::path root = fs::absolute(project_root).lexically_normal();
  fs::path config_dir = (root / settings.config_dir).lexically_normal();
  if (!fs::is_directory(config_dir)) return;
  size_t max_file_bytes = file_size_limit(options, diagnostics);
  try {
    config = read_kompos_config(root.string(), max_file_bytes);
  } catch (const Error& e) {
    diagnostics.error(e.origin(), e.message(), e.hint());
    return;
  }
  LayeredLoader loader(options.list_merge.value_or(config.list_merge), root.string(),
                       max_file_bytes);
  InterpolationOptions interpolation;
  interpolation.environment = options.environment;
  interpolation.secrets = options.secrets;

  // module source -> any file ending in terraform.versioned_extension (*.tf.versioned)
  std::map<std::string, bool> has_versioned_files;
  std::set<std::string> terraform_types;
  for (const auto& [type, _] : config.terraform_order) terraform_types.insert(type);
  std::vector<std::string> unrouted;
  std::vector<std::string> leaves =
      find_terraform_leaves(config_dir.string(), terraform_types, config.other_runner_types, &unrouted);
  for (const std::string& folder : unrouted) {
    std::string type = split_leaf_folder(folder)->component;
    diagnostics.warning(Origin(relative_to(folder, root.string())),
                        "composition " + type + " is in no compositions.order list of " +
                            (config.origin.known() ? config.origin.path() : std::string(".komposconfig.yaml")) +
                            ", so Kompos routes it to no runner and strata does not run it",
                        "add " + type + " to komposconfig.compositions.order.terraform to run it as a component");
  }
  for (const std::string& leaf : leaves) {
    LeafFolder parts = *split_leaf_folder(leaf);  // find_terraform_leaves returns only leaves
    const std::string& name = parts.component;
    std::string stack = relative_to(parts.stack_folder, config_dir.string());
    if (stack == ".") stack = "default";
    Origin leaf_origin(relative_to(leaf, root.string()));

    YamlComponent yc;
    try {
      yc.raw = loader.load(config_dir.string(), leaf);
    } catch (const Error& e) {
      diagnostics.error(e.origin().known() ? e.origin() : leaf_origin, e.message(), e.hint());
      continue;
    }
    if (!config.data.is_null() && !yc.raw.find("komposconfig"))
      yc.raw.set("komposconfig", config.data);
    Diagnostics leaf_diagnostics;
    interpolate(yc.raw, interpolation, leaf_diagnostics);
    diagnostics.append(leaf_diagnostics);
    if (leaf_diagnostics.has_errors() || disabled(yc.raw)) continue;

    yc.stack = stack;
    Component& c = yc.component;
    c.name = name;
    c.stack = stack;
    c.origin = leaf_origin;
    c.source = module_source(root.string(), config, yc.raw, name);
    if (!fs::is_directory(root / c.source))
      diagnostics.warning(
          leaf_origin, "module folder " + c.source + " for component " + name + " does not exist",
          "set komposconfig.terraform.local_path/root_path in .komposconfig.yaml "
          "or cloud.provider in the configuration");
    auto excluded = config.excluded_keys.find(name);
    c.inputs = Value::map();
    c.inputs.set("config",
                 without_keys(yc.raw, config.system_keys,
                              excluded == config.excluded_keys.end() ? std::vector<std::string>{}
                                                                     : excluded->second));
    c.provider_json = provider_json_of(yc.raw);
    // Only modules with .tf.versioned files need the merged tree: no copy for the others.
    bool versioned =
        config.versioned_module_sources &&
        has_versioned_files
            .try_emplace(c.source,
                         [&] {
                           std::error_code ec;
                           for (const auto& e : fs::directory_iterator(root / c.source, ec))
                             if (e.path().filename().string().ends_with(
                                     config.versioned_extension))
                               return true;
                           return false;
                         }())
            .first->second;
    if (versioned) {
      c.versioned_data = yc.raw;
      c.versioned_extension = config.versioned_extension;
    }
    if (extras && config.versioned_module_sources) yc.versioned_data = yc.raw;
    if (!extras) yc.raw = Value();
    visit(yc);
  }
}

}  // namespace

std::vector<YamlComponent> load_yaml_components(const std::string& project_root,
                                                const Settings& settings,
                                                const YamlLoadOptions& options,
                                                Diagnostics& diagnostics) {
  std::vector<YamlComponent> out;
  KomposConfig config;
  visit_yaml_components(
      project_root, settings, options, true, diagnostics,
      [&](YamlComponent& yc) { out.push_back(std::move(yc)); }, config);
  return out;
}

Value resolve_folder(const std::string& project_root, const std::string& config_dir,
                     const std::string& folder, const YamlLoadOptions& options,
                     Diagnostics& diagnostics) {
  fs::path root = fs::absolute(project_root).lexically_normal();
  fs::path config_path = (root / config_dir).lexically_normal();
  fs::path folder_path = (root / folder).lexically_normal();
  Value data = Value::map();
  if (!fs::is_directory(folder_path)) {
    diagnostics.error({}, "folder " + folder + " does not exist",
                      "give a folder at or below " + config_dir + ", such as " +
                          (fs::path(config_dir) / "env=dev").generic_string());
    return data;
  }
  if (fs::path rel = folder_path.lexically_relative(config_path);
      rel.empty() || *rel.begin() == "..") {
    diagnostics.error({},
                      "folder " + folder + " is not inside the configuration folder " + config_dir,
                      "give a folder at or below " + config_dir);
    return data;
  }
  size_t max_file_bytes = file_size_limit(options, diagnostics);
  try {
    KomposConfig config = read_kompos_config(root.string(), max_file_bytes);
    LayeredLoader loader(options.list_merge.value_or(config.list_merge), root.string(),
                         max_file_bytes);
    data = loader.load(config_path.string(), folder_path.string());
    if (!config.data.is_null() && !data.find("komposconfig")) data.set("komposconfig", config.data);
  } catch (const Error& e) {
    diagnostics.error(e.origin(), e.message(), e.hint());
    return data;
  }
  InterpolationOptions interpolation;
  interpolation.environment = options.environment;
  interpolation.secrets = options.secrets;
  interpolation.exclude = options.exclude;
  interpolation.filter = options.filter;
  interpolate(data, interpolation, diagnostics);
  return data;
}

void load_yaml_stacks(const std::string& project_root, const Settings& settings,
                      const YamlLoadOptions& options, std::map<std::string, Stack>& stacks,
                      Diagnostics& diagnostics) {
  KomposConfig config;
  std::set<std::string> loaded;  // the stacks this call added
  visit_yaml_components(
      project_root, settings, options, false, diagnostics,
      [&](YamlComponent& yc) {
        auto [it, inserted] = stacks.try_emplace(yc.stack);
        Stack& stack = it->second;
        if (inserted) {
          stack.name = yc.stack;
          stack.kind = "yaml";
          stack.source_file =
              (fs::path(settings.config_dir) / (yc.stack == "default" ? "" : yc.stack))
                  .lexically_normal()
                  .generic_string();
          while (!stack.source_file.empty() && stack.source_file.back() == '/')
            stack.source_file.pop_back();
          stack.origin = Origin(stack.source_file);
          loaded.insert(yc.stack);
        }
        stack.components.push_back(std::move(yc.component));
      },
      config);
  for (const std::string& name : loaded) order_components(stacks.at(name), config, diagnostics);
}

void load_yaml_stacks(const std::string& project_root, const Settings& settings, Project& project,
                      Diagnostics& diagnostics) {
  std::map<std::string, Stack> stacks;
  load_yaml_stacks(project_root, settings, YamlLoadOptions{}, stacks, diagnostics);
  for (auto& [name, stack] : stacks) {
    auto [it, inserted] = project.stacks.try_emplace(name, std::move(stack));
    if (!inserted)
      diagnostics.error(stack.origin,
                        "stack '" + name + "' is declared twice: in " + it->second.source_file +
                            " and in " + stack.source_file,
                        "give each stack its own name");
  }
}

}  // namespace strata::yaml

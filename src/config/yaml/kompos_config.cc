#include "config/yaml/kompos_config.h"

#include <algorithm>
#include <filesystem>
#include <optional>

#include "base/suggest.h"
#include "config/yaml/interpolation.h"
#include "config/yaml/yaml_reader.h"
#include "model/error.h"

namespace fs = std::filesystem;

namespace strata::yaml {
namespace {

// The value at `path`; an empty entry (`order:` with nothing after it) counts as absent.
const Value* at(const Value& root, const std::string& path) {
  const Value* v = lookup_path(root, path);
  return v && !v->is_null() ? v : nullptr;
}

std::string string_at(const Value& root, const std::string& path) {
  const Value* v = at(root, path);
  if (!v || v->is_null()) return "";
  if (!v->is_string())
    throw Error("`" + path + "` must be a string, not a " + v->kind_name(), v->origin(),
                "write a folder path such as \"./compositions/terraform\"");
  return v->as_string();
}

// A list of names (keys or compositions); `example` shows the user what to write.
std::vector<std::string> strings_at(const Value& v, const std::string& what,
                                    const std::string& example = "[provider, terraform]") {
  if (!v.is_list())
    throw Error("`" + what + "` must be a list of names, not a " + std::string(v.kind_name()),
                v.origin(), "write a list such as " + example);
  std::vector<std::string> out;
  for (const Value& item : v.as_list()) {
    if (!item.is_string())
      throw Error("`" + what + "` must hold names, not a " + std::string(item.kind_name()),
                  item.origin(), "quote the name");
    out.push_back(item.as_string());
  }
  return out;
}

}  // namespace

KomposConfig read_kompos_config(const std::string& project_root, size_t max_file_bytes) {
  KomposConfig config;
  fs::path file = fs::path(project_root) / ".komposconfig.yaml";
  if (!fs::exists(file)) return config;
  Value doc = read_yaml_file(file.string(), ".komposconfig.yaml", max_file_bytes);
  config.origin = doc.origin();
  if (const Value* v = doc.find("komposconfig")) {
    config.data = *v;
  } else if (doc.is_map()) {
    // Kompos reads only the `komposconfig` key: its settings beside it would be ignored silently.
    for (const char* key : {"cloud", "compositions", "terraform", "defaults", "helmfile", "tfe", "properties"}) {
      const Value* v = doc.find(key);
      if (!v) continue;
      throw Error(std::string(".komposconfig.yaml has no top-level komposconfig: key, so Kompos (and strata) "
                              "would ignore the setting ") + key + " beside it",
                  v->origin().known() ? v->origin() : Origin(".komposconfig.yaml", 1, 1),
                  "put the Kompos settings under one top-level key: komposconfig:, indented below it");
    }
  }

  if (const Value* v = at(doc, "komposconfig.defaults.base_dir"); v && !v->is_string())
    throw Error("`komposconfig.defaults.base_dir` must be a string, not a " +
                    std::string(v->kind_name()),
                v->origin(), "write a folder path such as \"./generated\"");
  config.local_path = string_at(doc, "komposconfig.terraform.local_path");
  config.root_path = string_at(doc, "komposconfig.terraform.root_path");
  if (config.local_path.empty() && config.root_path.empty()) {
    config.local_path = string_at(doc, "komposconfig.compositions.source.local_path");
    config.root_path = string_at(doc, "komposconfig.compositions.source.root_path");
  }
  if (const Value* v = at(doc, "komposconfig.terraform.versioned_module_sources")) {
    if (!v->is_bool())
      throw Error("`komposconfig.terraform.versioned_module_sources` must be true or false",
                  v->origin(), "write true or false");
    config.versioned_module_sources = v->as_bool();
  }
  if (const Value* v = at(doc, "komposconfig.terraform.versioned_extension")) {
    const std::string hint = "write a file name ending that starts with a dot, such as .tf.versioned";
    if (!v->is_string())
      throw Error("`komposconfig.terraform.versioned_extension` must be a string, not a " +
                      std::string(v->kind_name()),
                  v->origin(), hint);
    const std::string& ext = v->as_string();
    if (ext.size() < 2 || ext[0] != '.' || ext.find('/') != std::string::npos)
      throw Error("`komposconfig.terraform.versioned_extension` must start with \".\" and name a "
                  "file ending, not " + to_json_text(*v, -1),
                  v->origin(), hint);
    config.versioned_extension = ext;
  }
  if (const Value* v = at(doc, "komposconfig.compositions.system_keys.terraform"))
    config.system_keys = strings_at(*v, "komposconfig.compositions.system_keys.terraform");
  if (const Value* orders = at(doc, "komposconfig.compositions.order"); orders && orders->is_map()) {
    for (const auto& [runner, list] : orders->as_map()) {
      if (runner == "terraform" || list.is_null()) continue;
      for (const auto& type : strings_at(list, "komposconfig.compositions.order." + runner, "[apps]"))
        config.other_runner_types.insert(type);
    }
  }
  if (const Value* v = at(doc, "komposconfig.compositions.order.terraform")) {
    std::vector<std::string> names =
        strings_at(*v, "komposconfig.compositions.order.terraform", "[network, cluster]");
    for (size_t i = 0; i < names.size(); ++i)
      config.terraform_order.emplace_back(names[i], v->as_list()[i].origin());
  }
  if (const Value* v = at(doc, "komposconfig.compositions.config_keys.excluded")) {
    if (!v->is_map())
      throw Error("`komposconfig.compositions.config_keys.excluded` must be a map, not a " +
                      std::string(v->kind_name()),
                  v->origin(), "write one `<composition>: [keys…]` line per composition");
    for (const auto& [name, keys] : v->as_map())
      config.excluded_keys[name] =
          strings_at(keys, "komposconfig.compositions.config_keys.excluded." + name);
  }
  if (const Value* v = at(doc, "strata.list_merge_strategy")) {
    auto strategy = v->is_string() ? parse_list_merge(v->as_string()) : std::nullopt;
    if (!strategy)
      throw Error("unknown list merge strategy " + to_json_text(*v, -1), v->origin(),
                  "use append, append_unique, prepend or override");
    config.list_merge = *strategy;
  }
  return config;
}

namespace {

// What a key under `komposconfig.tfe` configures in Kompos's tfe runner.
std::string tfe_purpose(const std::string& key) {
  if (key == "generation_config")
    return "where and how Kompos's tfe runner generates composition files";
  if (key == "workspaces_config") return "the workspace files Kompos's tfe runner writes";
  if (key == "tfvars_config") return "the .tfvars.yaml files Kompos's tfe runner writes";
  return "Kompos's tfe runner";
}

// The first pair of terraform entries of `build_order` whose order `order` reverses, as
// (earlier entry in build_order, later one); nullopt when they agree.
std::optional<std::pair<const Value*, const Value*>> contradiction(
    const Value& build_order, const std::vector<std::pair<std::string, Origin>>& order) {
  auto rank = [&](const std::string& type) -> long {
    for (size_t i = 0; i < order.size(); ++i)
      if (order[i].first == type) return static_cast<long>(i);
    return -1;
  };
  std::vector<std::pair<const Value*, long>> seen;  // terraform types listed in `order`
  for (const Value& entry : build_order.as_list()) {
    const Value* runner = entry.is_map() ? entry.find("runner") : nullptr;
    const Value* type = entry.is_map() ? entry.find("type") : nullptr;
    if (!runner || !type || !runner->is_string() || !type->is_string() ||
        runner->as_string() != "terraform")
      continue;
    long r = rank(type->as_string());
    if (r < 0) continue;
    for (const auto& [earlier, earlier_rank] : seen)
      if (earlier_rank > r) return std::make_pair(earlier, type);
    seen.emplace_back(type, r);
  }
  return std::nullopt;
}

}  // namespace

void warn_runner_only_settings(const KomposConfig& config, const std::string& work_dir,
                               Diagnostics& out) {
  if (!config.data.is_map()) return;
  Diagnostics diagnostics;  // in the order of the file, below
  const std::string workdirs =
      "strata writes workdirs like Kompos's terraform runner (which uses .kompos-runtime/), not "
      "there: under the project's work_dir (strata.yaml `work_dir`: " +
      work_dir + "), one folder per stack and component";
  if (const Value* v = at(config.data, "defaults.base_dir"))
    diagnostics.warning(v->origin(),
                        "`komposconfig.defaults.base_dir` is not used by strata: Kompos's tfe "
                        "and compile runners write their generated files under it",
                        workdirs);
  if (const Value* v = at(config.data, "compositions.build_order")) {
    std::string message =
        "`komposconfig.compositions.build_order` is not used by strata: it is the order "
        "Kompos's compile runner dispatches compositions in, across runners";
    std::string hint =
        "strata runs a stack's components in `compositions.order.terraform` order (each after "
        "the nearest earlier one present) and after the components they reference";
    Origin where = v->origin();
    if (auto pair = v->is_list() ? contradiction(*v, config.terraform_order) : std::nullopt) {
      const std::string first = pair->first->as_string(), second = pair->second->as_string();
      message += "; its terraform entries put " + first + " before " + second +
                 ", which contradicts `compositions.order.terraform`";
      hint = "strata follows `compositions.order.terraform` (" + second + " before " + first +
             "); make the two lists agree";
      where = pair->first->origin();
    }
    diagnostics.warning(where, message, hint);
  }
  if (const Value* properties = at(config.data, "compositions.properties");
      properties && properties->is_map()) {
    for (const auto& [type, props] : properties->as_map()) {
      const Value* v = props.is_map() ? props.find("output_subdir") : nullptr;
      if (!v || v->is_null()) continue;
      const std::string key = "komposconfig.compositions.properties." + type + ".output_subdir";
      diagnostics.warning(v->origin(),
                          "`" + key + "` is not used by strata: Kompos's tfe runner writes " +
                              "the files of composition " + type +
                              " under <base_dir>/<output_subdir>/<instance>/",
                          workdirs + "; {{" + key + "}} still resolves in the configuration");
    }
  }
  if (const Value* tfe = at(config.data, "tfe")) {
    const std::string hint = "strata runs OpenTofu/Terraform itself in workdirs under the "
                             "project's work_dir (strata.yaml `work_dir`: " +
                             work_dir + ") and writes no Terraform Enterprise files";
    if (!tfe->is_map()) {
      diagnostics.warning(tfe->origin(),
                          "`komposconfig.tfe` is not used by strata: it configures Kompos's tfe "
                          "runner",
                          hint);
    } else {
      for (const auto& [key, v] : tfe->as_map())
        diagnostics.warning(v.origin(),
                            "`komposconfig.tfe." + key + "` is not used by strata: it configures " +
                                tfe_purpose(key),
                            hint);
    }
  }
  // A key a letter or two from one strata reads is most likely that key mistyped (a key far from
  // all of them may be a Kompos setting of another runner, and is left alone).
  const std::vector<std::pair<std::string, std::vector<std::string>>> sections = {
      {"terraform", {"version", "local_path", "root_path", "versioned_module_sources", "versioned_extension"}},
      {"compositions", {"order", "source", "system_keys", "build_order", "properties"}},
      {"compositions.source", {"local_path", "root_path"}},
  };
  for (const auto& [section, known] : sections) {
    const Value* v = at(config.data, section);
    if (!v || !v->is_map()) continue;
    std::string all;
    for (const auto& k : known) all += (all.empty() ? "" : ", ") + k;
    for (const auto& [key, item] : v->as_map()) {
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      std::string near = closest_match(key, known);
      if (near.empty()) continue;
      diagnostics.warning(item.origin(),
                          "`komposconfig." + section + "." + key + "` is no setting strata or Kompos reads",
                          "did you mean `" + near + "`? (komposconfig." + section + " takes " + all + ")");
    }
  }
  std::vector<Diagnostic> items = diagnostics.items();
  std::stable_sort(items.begin(), items.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::pair(a.origin.line, a.origin.column) < std::pair(b.origin.line, b.origin.column);
  });
  for (Diagnostic& d : items) out.add(d.severity, d.origin, d.message, d.hint);
}

}  // namespace strata::yaml

#include "config/yaml/kompos_config.h"

#include <filesystem>

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

KomposConfig read_kompos_config(const std::string& project_root) {
  KomposConfig config;
  fs::path file = fs::path(project_root) / ".komposconfig.yaml";
  if (!fs::exists(file)) return config;
  Value doc = read_yaml_file(file.string(), ".komposconfig.yaml");
  config.origin = doc.origin();
  if (const Value* v = doc.find("komposconfig")) config.data = *v;

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

}  // namespace strata::yaml

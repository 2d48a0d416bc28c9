#include "config/yaml/layers.h"

#include <algorithm>
#include <filesystem>

#include "config/yaml/yaml_reader.h"
#include "model/error.h"

namespace fs = std::filesystem;

namespace strata::yaml {
namespace {

bool is_scalar(const Value& v) { return !v.is_map() && !v.is_list(); }

void merge_lists(Value& old_list, Value new_list, ListMerge lists) {
  Value::List& base = old_list.as_list();
  Value::List& next = new_list.as_list();
  switch (lists) {
    case ListMerge::kAppend:
      base.insert(base.end(), std::make_move_iterator(next.begin()),
                  std::make_move_iterator(next.end()));
      break;
    case ListMerge::kAppendUnique: {
      size_t original = base.size();
      for (auto& item : next)
        if (std::find(base.begin(), base.begin() + original, item) == base.begin() + original)
          base.push_back(std::move(item));
      break;
    }
    case ListMerge::kPrepend:
      next.insert(next.end(), std::make_move_iterator(base.begin()),
                  std::make_move_iterator(base.end()));
      base = std::move(next);
      break;
    case ListMerge::kOverride:
      old_list = std::move(new_list);
      break;
  }
}

void merge_deep(Value& old_value, Value new_value, ListMerge lists) {
  if (old_value.is_map() && new_value.is_map()) {
    for (auto& [k, v] : new_value.as_map()) {
      auto it = old_value.as_map().find(k);
      if (it == old_value.as_map().end())
        old_value.as_map().emplace(k, std::move(v));
      else
        merge_deep(it->second, std::move(v), lists);
    }
  } else if (old_value.is_list() && new_value.is_list()) {
    merge_lists(old_value, std::move(new_value), lists);
  } else {
    old_value = std::move(new_value);
  }
}

std::string describe(const Value& v) {
  std::string s = std::string("a ") + v.kind_name();
  if (v.origin().known()) s += " in " + v.origin().str();
  return s;
}

}  // namespace

std::optional<ListMerge> parse_list_merge(const std::string& name) {
  if (name == "append") return ListMerge::kAppend;
  if (name == "append_unique") return ListMerge::kAppendUnique;
  if (name == "prepend") return ListMerge::kPrepend;
  if (name == "override") return ListMerge::kOverride;
  return std::nullopt;
}

void merge_layer(Value& into, Value layer, ListMerge lists) {
  if (!into.is_map()) into = Value::map();
  for (auto& [key, value] : layer.as_map()) {
    auto it = into.as_map().find(key);
    if (it == into.as_map().end() || is_scalar(value)) {
      into.as_map()[key] = std::move(value);
      continue;
    }
    if (it->second.kind() != value.kind())
      throw Error(
          "top-level key `" + key + "` is " + describe(value) + " but " + describe(it->second),
          value.origin(), "give `" + key + "` the same type in both files, or rename one of them");
    merge_deep(it->second, std::move(value), lists);
  }
}

std::vector<std::string> layer_dirs(const std::string& root, const std::string& target) {
  fs::path r = fs::absolute(root).lexically_normal();
  fs::path t = fs::absolute(target).lexically_normal();
  fs::path rel = t.lexically_relative(r);
  if (rel.empty() || *rel.begin() == "..")
    throw Error("folder " + target + " is not inside the configuration folder " + root, {},
                "give a path below " + root);
  std::vector<std::string> dirs{r.string()};
  fs::path cur = r;
  for (const auto& part : rel) {
    if (part == "." || part.empty()) continue;
    cur /= part;
    dirs.push_back(cur.string());
  }
  return dirs;
}

std::vector<std::string> layer_files(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.' || entry.path().extension() != ".yaml") continue;
    if (!entry.is_regular_file(ec)) continue;
    files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void replace_cwd(Value& v, const std::string& dir) {
  static const std::string kCwd = "{{cwd}}";
  if (v.is_string()) {
    const std::string& s = v.as_string();
    if (s.find(kCwd) == std::string::npos) return;
    std::string out;
    size_t pos = 0;
    for (size_t at; (at = s.find(kCwd, pos)) != std::string::npos; pos = at + kCwd.size())
      out += s.substr(pos, at - pos) + dir;
    out += s.substr(pos);
    Origin o = v.origin();
    v = Value(std::move(out));
    v.set_origin(std::move(o));
  } else if (v.is_list()) {
    for (auto& item : v.as_list()) replace_cwd(item, dir);
  } else if (v.is_map()) {
    for (auto& [k, item] : v.as_map()) replace_cwd(item, dir);
  }
}

Value LayeredLoader::merged_until(const std::vector<std::string>& dirs, size_t last) {
  const std::string& dir = dirs[last];
  if (auto it = merged_dirs_.find(dir); it != merged_dirs_.end()) return it->second;
  Value merged = last == 0 ? Value::map() : merged_until(dirs, last - 1);
  for (const std::string& file : layer_files(dir)) {
    Value layer = read_yaml_file(file, display_name(file), max_file_bytes_);
    replace_cwd(layer, dir);
    merge_layer(merged, std::move(layer), lists_);
  }
  // The target itself is rarely shared; its ancestors usually are.
  if (last + 1 < dirs.size()) merged_dirs_.emplace(dir, merged);
  return merged;
}

std::string LayeredLoader::display_name(const std::string& file) const {
  if (display_root_.empty()) return file;
  fs::path rel = fs::path(file).lexically_relative(fs::absolute(display_root_).lexically_normal());
  if (rel.empty() || *rel.begin() == "..") return file;
  return rel.string();
}

Value LayeredLoader::load(const std::string& root, const std::string& target) {
  std::vector<std::string> dirs = layer_dirs(root, target);
  // Keep only the ancestors of this target: loading targets in sorted order then reuses every
  // shared ancestor while memory stays bounded by the depth of the tree.
  std::erase_if(merged_dirs_, [&](const auto& entry) {
    return std::find(dirs.begin(), dirs.end(), entry.first) == dirs.end();
  });
  return merged_until(dirs, dirs.size() - 1);
}

}  // namespace strata::yaml

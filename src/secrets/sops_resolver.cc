#include "secrets/sops_resolver.h"

#include <vector>

#include "base/atomic_file.h"
#include "model/error.h"

namespace strata::secrets {
namespace {

constexpr std::string_view kScheme = "sops://";

void mark_sensitive(Value* v, Redactor* redactor) {
  v->set_sensitive();
  if (v->is_string() && redactor) redactor->add_secret(v->as_string());
  if (v->is_map())
    for (auto& [k, child] : v->as_map()) mark_sensitive(&child, redactor);
  if (v->is_list())
    for (auto& child : v->as_list()) mark_sensitive(&child, redactor);
}

// "/a/b~1c" (JSON pointer) or "a.b" (dotted) into components.
std::vector<std::string> split_fragment(const std::string& frag) {
  std::vector<std::string> parts;
  if (frag.empty()) return parts;
  bool pointer = frag[0] == '/';
  char sep = pointer ? '/' : '.';
  size_t start = pointer ? 1 : 0;
  while (true) {
    size_t next = frag.find(sep, start);
    std::string p = frag.substr(start, next == std::string::npos ? frag.npos : next - start);
    if (pointer) {
      std::string u;
      for (size_t i = 0; i < p.size(); ++i) {
        if (p[i] == '~' && i + 1 < p.size() && (p[i + 1] == '0' || p[i + 1] == '1')) {
          u += p[i + 1] == '0' ? '~' : '/';
          ++i;
        } else {
          u += p[i];
        }
      }
      p = u;
    }
    parts.push_back(p);
    if (next == std::string::npos) break;
    start = next + 1;
  }
  return parts;
}

// One step down a key path: a map's key, or a list's index.
const Value* child_of(const Value& v, const std::string& part) {
  if (v.is_map()) return v.find(part);
  if (v.is_list()) {
    char* end = nullptr;
    unsigned long idx = std::strtoul(part.c_str(), &end, 10);
    if (!part.empty() && end && *end == '\0' && idx < v.as_list().size()) return &v.as_list()[idx];
  }
  return nullptr;
}

std::string available_keys(const Value& v) {
  if (v.is_list()) return "a list of " + std::to_string(v.as_list().size()) + " items (use an index)";
  if (!v.is_map()) return "a scalar value";
  std::string keys;
  for (const auto& [k, child] : v.as_map()) keys += (keys.empty() ? "" : ", ") + k;
  return "keys: " + (keys.empty() ? std::string("(none)") : keys);
}

}  // namespace

const Value* find_key_path(const Value& tree, const std::string& path) {
  const Value* cur = &tree;
  for (const std::string& part : split_fragment(path)) {
    cur = child_of(*cur, part);
    if (!cur) return nullptr;
  }
  return cur;
}

SopsSecretResolver::SopsSecretResolver(std::string base_dir, Redactor* redactor,
                                       SopsOptions options)
    : base_dir_(std::move(base_dir)), redactor_(redactor), options_(std::move(options)) {}

int SopsSecretResolver::decrypt_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return decrypt_count_;
}

const Value& SopsSecretResolver::load(const std::string& path, const std::string& ref,
                                      const Origin& where) {
  std::error_code ec;
  auto mtime = std::filesystem::last_write_time(path, ec);
  if (ec)
    throw file_not_found(ref, path, where);
  auto it = cache_.find(path);
  if (it != cache_.end() && it->second.mtime == mtime) return it->second.tree;
  Value tree;
  try {
    tree = decrypt_sops_file(path, options_);
  } catch (const Error& e) {
    std::string inner = e.origin().known() ? e.origin().str() + ": " : "";
    throw Error("secret reference " + ref + ": " + inner + e.message(), where, e.hint());
  }
  ++decrypt_count_;
  mark_sensitive(&tree, redactor_);
  Cached& c = cache_[path];
  c.mtime = mtime;
  c.tree = std::move(tree);
  return c.tree;
}

Error SopsSecretResolver::file_not_found(const std::string& ref, const std::string& path, const Origin& where) const {
  std::string shown = path;
  if (!base_dir_.empty() && path.starts_with(base_dir_ + "/")) shown = path.substr(base_dir_.size() + 1);
  return Error("secret reference " + ref + ": file " + shown + " not found", where,
               "check the path; a relative path is taken from the project root (" + base_dir_ + ")");
}

std::pair<std::string, std::string> SopsSecretResolver::split(const std::string& ref, const Origin& where) const {
  if (ref.rfind(kScheme, 0) != 0)
    throw Error("unsupported secret reference '" + ref + "'", where,
                "use sops://FILE#/path/to/key or sops://FILE#path.to.key");
  std::string rest = ref.substr(kScheme.size());
  size_t hash = rest.find('#');
  std::string file = rest.substr(0, hash);
  std::string frag = hash == std::string::npos ? "" : rest.substr(hash + 1);
  if (file.empty())
    throw Error("secret reference '" + ref + "' names no file", where,
                "use sops://FILE#/path/to/key");
  std::filesystem::path p(file);
  if (p.is_relative() && !base_dir_.empty()) p = std::filesystem::path(base_dir_) / p;
  return {p.lexically_normal().string(), frag};
}

namespace {

// The value at `frag` in `tree` (the file at `path`); throws naming the missing key and the
// keys there are.
const Value& walk(const Value& tree, const std::string& frag, const std::string& ref, const std::string& path,
                  const Origin& where) {
  const Value* cur = &tree;
  std::string walked;
  for (const std::string& part : split_fragment(frag)) {
    const Value* next = child_of(*cur, part);
    if (!next)
      throw Error("secret reference " + ref + ": key '" + part + "' not found" +
                      (walked.empty() ? " at the top level" : " under " + walked) + " of " +
                      path,
                  where, "available " + available_keys(*cur));
    walked += (walked.empty() ? "" : ".") + part;
    cur = next;
  }
  return *cur;
}

}  // namespace

Value SopsSecretResolver::resolve(const std::string& ref, const Origin& where) {
  auto [path, frag] = split(ref, where);
  std::lock_guard<std::mutex> lock(mu_);
  Value out = walk(load(path, ref, where), frag, ref, path, where);
  out.set_sensitive();
  return out;
}

void SopsSecretResolver::check(const std::string& ref, const Origin& where) {
  auto [path, frag] = split(ref, where);
  std::string text;
  if (!try_read_file(path, text))
    throw file_not_found(ref, path, where);
  Value keys;
  try {
    keys = sops_key_tree(text, sops_format_for_path(path), path);
  } catch (const Error& e) {
    std::string inner = e.origin().known() ? e.origin().str() + ": " : "";
    throw Error("secret reference " + ref + ": " + inner + e.message(), where, e.hint());
  }
  walk(keys, frag, ref, path, where);
}

}  // namespace strata::secrets

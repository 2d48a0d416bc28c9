// Layering: the YAML files of every folder from a root down to a target folder, merged from the
// general to the specific the way himl does it (maps merge deeply, lists follow a strategy,
// a type change at the top level is an error naming both files).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/yaml/yaml_reader.h"
#include "model/value.h"

namespace strata::yaml {

// How two lists at the same key combine: `append` is what Kompos passes to himl (duplicates
// kept); `append_unique` is himl's own default; `prepend` puts the newer items first;
// `override` keeps only the newer list.
enum class ListMerge { kAppend, kAppendUnique, kPrepend, kOverride };

// "append", "append_unique", "prepend" or "override"; nullopt for anything else.
std::optional<ListMerge> parse_list_merge(const std::string& name);

// Merges one file's data (a map) into the accumulated tree. At the top level a new key or a
// scalar value is assigned, a map or list meets its own kind and merges, and any other change
// of kind throws strata::Error naming both places. Deeper down, maps merge and the rest is
// replaced by the newer value.
void merge_layer(Value& into, Value layer, ListMerge lists);

// The folders from `root` down to `target`, both included. Throws strata::Error when `target`
// is not inside `root`.
std::vector<std::string> layer_dirs(const std::string& root, const std::string& target);

// The `*.yaml` files directly in `dir` (not `.yml`, not hidden), sorted by name.
std::vector<std::string> layer_files(const std::string& dir);

// Replaces the literal `{{cwd}}` in every string of `v` with `dir`.
void replace_cwd(Value& v, const std::string& dir);

// Loads layered configurations. The merged trees of the folders above the last target are kept,
// so sibling targets (loaded one after the other, e.g. in sorted order) share the work of their
// common ancestors.
class LayeredLoader {
 public:
  // Origins name files relative to `display_root` when they are inside it (absolute otherwise).
  // Files larger than `max_file_bytes` are errors (read_yaml_file).
  explicit LayeredLoader(ListMerge lists = ListMerge::kAppend, std::string display_root = {},
                         size_t max_file_bytes = kDefaultMaxFileBytes)
      : lists_(lists), display_root_(std::move(display_root)), max_file_bytes_(max_file_bytes) {}

  // The merged tree of every *.yaml from `root` down to `target`; an empty map when there are
  // none. Each file's `{{cwd}}` becomes its own folder's absolute path.
  Value load(const std::string& root, const std::string& target);

 private:
  Value merged_until(const std::vector<std::string>& dirs, size_t last);

  std::string display_name(const std::string& file) const;

  ListMerge lists_;
  std::string display_root_;
  size_t max_file_bytes_;
  std::map<std::string, Value> merged_dirs_;  // absolute folder -> merged tree up to it
};

}  // namespace strata::yaml

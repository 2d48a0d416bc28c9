// YamlGuard: keeps a recursive walk over a yaml-cpp document finite. Aliases make the node graph
// cyclic (`a: &a [*a]`, `a: &a {b: *a}`), and a walk that follows them recursed until the stack
// overflowed; nesting can also be deep enough to do the same. Header-only, for the two readers
// that walk yaml-cpp trees (config/yaml and secrets/sops), which link yaml-cpp themselves.
#pragma once

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>
#include <vector>

namespace strata {

class YamlGuard {
 public:
  static constexpr size_t kMaxDepth = 1000;
  // `max_nodes` bounds how many nodes a walk may visit: aliases can expand a small document
  // exponentially (the "billion laughs" document).
  explicit YamlGuard(size_t max_nodes = 10'000'000) : max_nodes_(max_nodes) {}

  // Call before walking into `node`, and leave() after; returns "" to go on, else why not.
  std::string enter(const YAML::Node& node) {
    if (node.IsMap() || node.IsSequence()) {
      for (const auto& above : path_)
        if (above.is(node)) return "an alias refers to a map or list that contains it, so the document never ends";
    }
    if (++visited_ > max_nodes_)
      return "the document expands to more than " + std::to_string(max_nodes_) + " values (anchors and aliases repeated)";
    if (path_.size() >= kMaxDepth)
      return "the document nests more than " + std::to_string(kMaxDepth) + " levels deep";
    path_.push_back(node);
    return "";
  }
  void leave() { path_.pop_back(); }

 private:
  std::vector<YAML::Node> path_;
  size_t max_nodes_;
  size_t visited_ = 0;
};

// What a yaml-cpp parse error means, for a user: its parser gives up on deep nesting with the
// words "bad file", which say nothing.
inline std::string yaml_error_text(const YAML::Exception& e) {
  if (dynamic_cast<const YAML::DeepRecursion*>(&e))
    return "the document nests too deeply (the YAML parser stops at a few hundred levels of [ and {)";
  return e.msg;
}

}  // namespace strata

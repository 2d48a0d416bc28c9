// Selection: which nodes of a Graph a command acts on — a stack, named components or all of
// them, optionally widened by their dependencies (--include-deps) or by everything that depends
// on them (used by --changed).
#pragma once

#include <string>
#include <vector>

#include "graph/graph.h"

namespace strata {

class Selection {
 public:
  Selection() = default;
  explicit Selection(size_t graph_size) : member_(graph_size, false) {}
  static Selection all(const Graph& graph);

  bool contains(NodeId id) const {
    return id >= 0 && static_cast<size_t>(id) < member_.size() && member_[id];
  }
  void add(NodeId id) { member_.at(id) = true; }
  size_t size() const;
  bool empty() const { return size() == 0; }
  // Selected ids in node order (stack, then declaration order).
  std::vector<NodeId> ids() const;
  size_t graph_size() const { return member_.size(); }

 private:
  std::vector<bool> member_;
};

enum class DependencyMode {
  kExclude,  // only the named nodes (--exclude-deps)
  kInclude,  // plus everything they depend on, transitively (--include-deps)
};

struct SelectionSpec {
  bool all = false;
  std::vector<std::string> stacks;       // every component of these stacks
  std::vector<ComponentRef> components;  // these components (origin used in errors)
  DependencyMode dependencies = DependencyMode::kExclude;
  bool dependents = false;  // add everything that depends on the selection, transitively
};

// Throws strata::Error for an unknown stack or component, with a did-you-mean hint.
Selection select(const Graph& graph, const SelectionSpec& spec);

// Transitive closures (the selection itself included).
Selection with_dependencies(const Graph& graph, const Selection& selection);
Selection with_dependents(const Graph& graph, const Selection& selection);

}  // namespace strata

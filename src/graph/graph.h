// Graph: the components of a project as nodes and "A depends on B" as edges, built from explicit
// depends_on and from every state "S" "C" call in a component's inputs, providers and backend
// configuration. Building it checks that every reference exists and that there is no cycle, so
// a Graph in hand is always a DAG.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/origin.h"
#include "model/project.h"

namespace strata {

using NodeId = int;

enum class EdgeKind { kDependsOn, kState };
const char* edge_kind_name(EdgeKind kind);  // "depends_on" or "state"

// `from` depends on `to`: `to` runs first (and is destroyed last).
struct GraphEdge {
  NodeId from = 0;
  NodeId to = 0;
  EdgeKind kind = EdgeKind::kDependsOn;
  Origin origin;  // where the reference was written
};

class Graph {
 public:
  // Nodes are numbered by stack name, then declaration order. Throws strata::Error for a
  // reference to a stack or component that does not exist (with a did-you-mean hint) and for a
  // dependency cycle (printing the cycle with the origin of each edge).
  static Graph build(const Project& project);

  // Building by hand (tests, benchmarks, later front-ends). Duplicate edges are dropped; a
  // duplicate node name keeps the first node for find().
  NodeId add_node(ComponentRef ref);
  void add_edge(NodeId from, NodeId to, EdgeKind kind, Origin origin);
  // Throws strata::Error describing one cycle if there is any.
  void check_acyclic() const;

  size_t size() const { return nodes_.size(); }
  const ComponentRef& node(NodeId id) const { return nodes_[id]; }
  std::optional<NodeId> find(const std::string& stack, const std::string& component) const;
  const std::vector<GraphEdge>& edges() const { return edges_; }
  // Edge indices (into edges()) leaving / entering a node.
  const std::vector<int>& dependency_edges(NodeId id) const { return out_[id]; }
  const std::vector<int>& dependent_edges(NodeId id) const { return in_[id]; }
  std::vector<NodeId> dependencies(NodeId id) const;
  std::vector<NodeId> dependents(NodeId id) const;

  // Dependencies first; ties broken by node id (stack name, then declaration order).
  std::vector<NodeId> topological_order() const;

 private:
  std::vector<ComponentRef> nodes_;
  std::vector<GraphEdge> edges_;
  std::vector<std::vector<int>> out_;                            // edges where node is `from`
  std::vector<std::vector<int>> in_;                             // edges where node is `to`
  std::map<std::pair<std::string, std::string>, NodeId> index_;  // (stack, component) -> id
};

// Every component `c` (of `stack`) references: depends_on, then the state() calls of its
// inputs, providers and backend settings, as Graph::build reads them (a stack name without a
// component when depends_on names a whole stack).
std::vector<ComponentRef> component_references(const Stack& stack, const Component& c);

// The closest of `candidates` to `word` by edit distance, if it is close enough to be a likely
// typo; "" otherwise.

}  // namespace strata

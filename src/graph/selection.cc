#include "graph/selection.h"

#include "base/suggest.h"

#include <set>

#include "model/error.h"

namespace strata {

namespace {

Selection closure(const Graph& graph, const Selection& start, bool towards_dependencies) {
  Selection out = start;
  std::vector<NodeId> work = start.ids();
  while (!work.empty()) {
    NodeId n = work.back();
    work.pop_back();
    const auto& edges = towards_dependencies ? graph.dependency_edges(n) : graph.dependent_edges(n);
    for (int e : edges) {
      NodeId next = towards_dependencies ? graph.edges()[e].to : graph.edges()[e].from;
      if (!out.contains(next)) {
        out.add(next);
        work.push_back(next);
      }
    }
  }
  return out;
}

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

}  // namespace

Selection Selection::all(const Graph& graph) {
  Selection s(graph.size());
  for (size_t i = 0; i < graph.size(); ++i) s.add(static_cast<NodeId>(i));
  return s;
}

size_t Selection::size() const {
  size_t n = 0;
  for (bool b : member_) n += b ? 1 : 0;
  return n;
}

std::vector<NodeId> Selection::ids() const {
  std::vector<NodeId> out;
  for (size_t i = 0; i < member_.size(); ++i)
    if (member_[i]) out.push_back(static_cast<NodeId>(i));
  return out;
}

Selection with_dependencies(const Graph& graph, const Selection& selection) {
  return closure(graph, selection, true);
}

Selection with_dependents(const Graph& graph, const Selection& selection) {
  return closure(graph, selection, false);
}

Selection select(const Graph& graph, const SelectionSpec& spec) {
  Selection s(graph.size());
  std::set<std::string> stacks;
  for (size_t i = 0; i < graph.size(); ++i) stacks.insert(graph.node(static_cast<NodeId>(i)).stack);
  std::vector<std::string> stack_names(stacks.begin(), stacks.end());

  if (spec.all) s = Selection::all(graph);
  for (const auto& name : spec.stacks) {
    if (!stacks.count(name)) {
      std::string guess = closest_match(name, stack_names);
      throw Error(ErrorKind::kNotFound, "no stack named " + quoted(name), {},
                  guess.empty() ? "run `strata list` to see the stacks"
                                : "did you mean " + quoted(guess) + "?");
    }
    for (size_t i = 0; i < graph.size(); ++i)
      if (graph.node(static_cast<NodeId>(i)).stack == name) s.add(static_cast<NodeId>(i));
  }
  for (const auto& ref : spec.components) {
    auto id = graph.find(ref.stack, ref.component);
    if (id) {
      s.add(*id);
      continue;
    }
    if (!stacks.count(ref.stack)) {
      std::string guess = closest_match(ref.stack, stack_names);
      throw Error(ErrorKind::kNotFound,
                  "no stack named " + quoted(ref.stack) + " (selecting " + quoted(ref.str()) + ")",
                  ref.origin,
                  guess.empty() ? "run `strata list` to see the stacks"
                                : "did you mean " + quoted(guess + "/" + ref.component) + "?");
    }
    std::vector<std::string> names;
    for (size_t i = 0; i < graph.size(); ++i)
      if (graph.node(static_cast<NodeId>(i)).stack == ref.stack)
        names.push_back(graph.node(static_cast<NodeId>(i)).component);
    std::string guess = closest_match(ref.component, names);
    throw Error(ErrorKind::kNotFound,
                "stack " + quoted(ref.stack) + " has no component " + quoted(ref.component),
                ref.origin,
                guess.empty() ? "run `strata list " + ref.stack + "` to see its components"
                              : "did you mean " + quoted(ref.stack + "/" + guess) + "?");
  }
  if (spec.dependencies == DependencyMode::kInclude) s = with_dependencies(graph, s);
  if (spec.dependents) s = with_dependents(graph, s);
  return s;
}

}  // namespace strata

// Renders a Graph (or the part of it a Selection names) as Graphviz DOT, Mermaid or JSON text
// for `strata graph`. Arrows point from a component to what it depends on, as in
// `terraform graph`. Output is deterministic: nodes and edges in node order.
#pragma once

#include <string>

#include "graph/graph.h"
#include "graph/selection.h"

namespace strata {

std::string to_dot(const Graph& graph, const Selection& selection);
std::string to_mermaid(const Graph& graph, const Selection& selection);
// SVG, drawn by Graphviz's `dot` found on `path` (a PATH value); an Error saying how to install it
// when it is missing, or what it said when it failed.
std::string to_svg(const Graph& graph, const Selection& selection, const std::string& path);
// {"nodes":[{"id","stack","component","origin"}],"edges":[{"from","to","kind","origin"}]},
// 2-space indent, newline at the end.
std::string to_json(const Graph& graph, const Selection& selection);

inline std::string to_dot(const Graph& g) { return to_dot(g, Selection::all(g)); }
inline std::string to_mermaid(const Graph& g) { return to_mermaid(g, Selection::all(g)); }
inline std::string to_json(const Graph& g) { return to_json(g, Selection::all(g)); }

}  // namespace strata

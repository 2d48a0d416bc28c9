#include "graph/graph_format.h"

#include "base/executable_search.h"
#include "base/subprocess.h"
#include "model/error.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace strata {

namespace {

std::string dot_quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Mermaid labels cannot hold a raw double quote; it has its own entity for one.
std::string mermaid_label(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"')
      out += "#quot;";
    else
      out += c;
  }
  return out + "\"";
}

// Selected edges, both ends selected, in edge order.
template <typename Fn>
void for_each_selected_edge(const Graph& g, const Selection& sel, Fn fn) {
  for (const auto& e : g.edges())
    if (sel.contains(e.from) && sel.contains(e.to)) fn(e);
}

// Selected node ids grouped by stack, stacks in node order.
std::vector<std::pair<std::string, std::vector<NodeId>>> by_stack(const Graph& g,
                                                                  const Selection& sel) {
  std::vector<std::pair<std::string, std::vector<NodeId>>> groups;
  for (NodeId id : sel.ids()) {
    const std::string& stack = g.node(id).stack;
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const auto& group) { return group.first == stack; });
    if (it == groups.end()) it = groups.insert(groups.end(), {stack, {}});
    it->second.push_back(id);
  }
  return groups;
}

}  // namespace

std::string to_dot(const Graph& g, const Selection& sel) {
  std::string out = "digraph strata {\n  rankdir=LR;\n  node [shape=box];\n";
  int cluster = 0;
  for (const auto& [stack, ids] : by_stack(g, sel)) {
    out += "  subgraph cluster_" + std::to_string(cluster++) +
           " {\n    label=" + dot_quoted(stack) + ";\n";
    for (NodeId id : ids)
      out += "    " + dot_quoted(g.node(id).str()) + " [label=" + dot_quoted(g.node(id).component) +
             "];\n";
    out += "  }\n";
  }
  for_each_selected_edge(g, sel, [&](const GraphEdge& e) {
    out += "  " + dot_quoted(g.node(e.from).str()) + " -> " + dot_quoted(g.node(e.to).str());
    if (e.kind == EdgeKind::kState) out += " [style=dashed]";
    out += ";\n";
  });
  return out + "}\n";
}

std::string to_mermaid(const Graph& g, const Selection& sel) {
  std::string out = "flowchart LR\n";
  int group = 0;
  for (const auto& [stack, ids] : by_stack(g, sel)) {
    out += "  subgraph s" + std::to_string(group++) + " [" + mermaid_label(stack) + "]\n";
    for (NodeId id : ids)
      out += "    n" + std::to_string(id) + "[" + mermaid_label(g.node(id).component) + "]\n";
    out += "  end\n";
  }
  for_each_selected_edge(g, sel, [&](const GraphEdge& e) {
    out += "  n" + std::to_string(e.from) + (e.kind == EdgeKind::kState ? " -.-> " : " --> ") +
           "n" + std::to_string(e.to) + "\n";
  });
  return out;
}

std::string to_json(const Graph& g, const Selection& sel) {
  nlohmann::ordered_json nodes = nlohmann::ordered_json::array();
  for (NodeId id : sel.ids()) {
    const ComponentRef& n = g.node(id);
    nodes.push_back({{"id", n.str()},
                     {"stack", n.stack},
                     {"component", n.component},
                     {"origin", n.origin.str()}});
  }
  nlohmann::ordered_json edges = nlohmann::ordered_json::array();
  for_each_selected_edge(g, sel, [&](const GraphEdge& e) {
    edges.push_back({{"from", g.node(e.from).str()},
                     {"to", g.node(e.to).str()},
                     {"kind", edge_kind_name(e.kind)},
                     {"origin", e.origin.str()}});
  });
  nlohmann::ordered_json doc = {{"nodes", nodes}, {"edges", edges}};
  return doc.dump(2) + "\n";
}

std::string to_svg(const Graph& graph, const Selection& selection, const std::string& path) {
  auto dot = find_executable("dot", path.empty() ? "/usr/local/bin:/usr/bin:/bin" : path);
  if (!dot) {
    throw Error("--format svg needs Graphviz's `dot`, which is not installed", {},
                "install it (apt-get install graphviz) or use --format dot and render it elsewhere");
  }
  SubprocessOptions o;
  o.argv = {*dot, "-Tsvg"};
  o.stdin_data = to_dot(graph, selection);
  o.capture_stdout = true;
  o.capture_stderr = true;
  SubprocessResult r = Subprocess(std::move(o)).run();
  if (!r.success()) throw Error("dot failed: " + r.stderr_text);
  return r.stdout_text;
}

}  // namespace strata

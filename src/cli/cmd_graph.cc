// `strata graph [STACK...] --format dot|mermaid|json|svg`: the dependency graph (svg through
// Graphviz's `dot` when it is installed).
#include <iostream>

#include "cli/commands.h"
#include "cli/open_workspace.h"
#include "graph/graph_format.h"
#include "graph/selection.h"
#include "model/error.h"
#include "workspace/targets.h"

namespace strata::cli {

namespace {

struct GraphFlags {
  std::vector<std::string> stacks;
  std::string format = "dot";
};

int run_graph(const GraphFlags& f, const Globals& globals) {
  auto ws = open_workspace(globals);
  Graph graph = Graph::build(ws->project());
  Selection selection = select(graph, workspace::stacks_with_dependencies(*ws, f.stacks));
  if (f.format == "json" || globals.json) {
    std::cout << to_json(graph, selection) << "\n";
  } else if (f.format == "mermaid") {
    std::cout << to_mermaid(graph, selection);
  } else if (f.format == "dot") {
    std::cout << to_dot(graph, selection);
  } else {  // svg
    auto path = ws->environment().find("PATH");
    std::cout << to_svg(graph, selection, path == ws->environment().end() ? "" : path->second);
  }
  return 0;
}

}  // namespace

void add_graph_command(CLI::App& app, Globals& globals, Action& action) {
  auto flags = std::make_shared<GraphFlags>();
  auto* cmd = app.add_subcommand("graph", "Print the dependency graph (dot, mermaid, json or svg)");
  cmd->add_option("stacks", flags->stacks, "Only these stacks (and what they depend on)");
  cmd->add_option("--format", flags->format, "dot, mermaid, json or svg")
      ->check(CLI::IsMember({"dot", "mermaid", "json", "svg"}));
  cmd->add_flag("--json", globals.json, "Same as --format json");
  cmd->callback([&globals, &action, flags] { action = [&globals, flags] { return run_graph(*flags, globals); }; });
}

}  // namespace strata::cli

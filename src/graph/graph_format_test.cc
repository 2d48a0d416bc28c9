#include "graph/graph_format.h"

#include <gtest/gtest.h>

#include "graph/test_project.h"

namespace strata {
namespace {

using testing::ProjectBuilder;

SelectionSpec stacks(std::vector<std::string> names) {
  SelectionSpec s;
  s.stacks = std::move(names);
  return s;
}

Graph sample() {
  return Graph::build(ProjectBuilder()
                          .component("dev", "vpc")
                          .component("dev", "app")
                          .depends_on("dev/vpc")
                          .component("prod", "web")
                          .input("x", "{{ (state \"dev\" \"app\").url }}")
                          .build());
}

TEST(GraphFormatTest, DotClustersByStackAndDashesStateEdges) {
  EXPECT_EQ(to_dot(sample()),
            "digraph strata {\n"
            "  rankdir=LR;\n"
            "  node [shape=box];\n"
            "  subgraph cluster_0 {\n"
            "    label=\"dev\";\n"
            "    \"dev/vpc\" [label=\"vpc\"];\n"
            "    \"dev/app\" [label=\"app\"];\n"
            "  }\n"
            "  subgraph cluster_1 {\n"
            "    label=\"prod\";\n"
            "    \"prod/web\" [label=\"web\"];\n"
            "  }\n"
            "  \"dev/app\" -> \"dev/vpc\";\n"
            "  \"prod/web\" -> \"dev/app\" [style=dashed];\n"
            "}\n");
}

TEST(GraphFormatTest, Mermaid) {
  EXPECT_EQ(to_mermaid(sample()),
            "flowchart LR\n"
            "  subgraph s0 [\"dev\"]\n"
            "    n0[\"vpc\"]\n"
            "    n1[\"app\"]\n"
            "  end\n"
            "  subgraph s1 [\"prod\"]\n"
            "    n2[\"web\"]\n"
            "  end\n"
            "  n1 --> n0\n"
            "  n2 -.-> n1\n");
}

TEST(GraphFormatTest, JsonListsNodesAndEdgesWithOrigins) {
  std::string json = to_json(sample());
  EXPECT_NE(json.find("\"id\": \"dev/app\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"from\": \"prod/web\",\n      \"to\": \"dev/app\",\n      \"kind\": "
                      "\"state\",\n      \"origin\": \"stacks/prod.js:1:30\""),
            std::string::npos)
      << json;
}

TEST(GraphFormatTest, SelectionLimitsNodesAndEdges) {
  Graph g = sample();
  Selection only_dev = select(g, stacks({"dev"}));
  std::string dot = to_dot(g, only_dev);
  EXPECT_EQ(dot.find("prod/web"), std::string::npos) << dot;
  EXPECT_NE(dot.find("\"dev/app\" -> \"dev/vpc\""), std::string::npos) << dot;
}

}  // namespace
}  // namespace strata

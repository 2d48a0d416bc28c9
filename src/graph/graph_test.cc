#include "graph/graph.h"

#include <gtest/gtest.h>

#include "base/suggest.h"
#include "graph/test_project.h"
#include "model/error.h"

namespace strata {
namespace {

using testing::ProjectBuilder;

std::vector<std::string> names(const Graph& g, const std::vector<NodeId>& ids) {
  std::vector<std::string> out;
  for (NodeId id : ids) out.push_back(g.node(id).str());
  return out;
}

std::string build_error(const Project& p) {
  try {
    Graph::build(p);
  } catch (const Error& e) {
    return e.render();
  }
  return "(no error)";
}

TEST(GraphTest, DependsOnAndStateCallsBecomeEdges) {
  auto p = ProjectBuilder()
               .component("dev", "vpc")
               .component("dev", "db")
               .depends_on("dev/vpc")
               .component("dev", "app")
               .input("db_host", "{{ (state \"dev\" \"db\").host }}")
               .build();
  Graph g = Graph::build(p);
  ASSERT_EQ(g.size(), 3u);
  NodeId app = *g.find("dev", "app");
  NodeId db = *g.find("dev", "db");
  EXPECT_EQ(names(g, g.dependencies(app)), std::vector<std::string>{"dev/db"});
  EXPECT_EQ(names(g, g.dependencies(db)), std::vector<std::string>{"dev/vpc"});
  EXPECT_EQ(g.edges()[g.dependency_edges(app)[0]].kind, EdgeKind::kState);
  EXPECT_EQ(g.edges()[g.dependency_edges(app)[0]].origin.str(), "stacks/dev.js:3:30");
}

TEST(GraphTest, ATemplateThatDoesNotParseMakesNoEdge) {
  // Rendering the input reports the syntax error; the graph neither fails nor guesses.
  auto p = ProjectBuilder()
               .component("dev", "db")
               .component("dev", "app")
               .input("db_host", "{{ (state \"dev\" \"db\").host }} {{ state \"dev\" \"db\"")
               .build();
  Graph g = Graph::build(p);
  EXPECT_TRUE(g.dependencies(*g.find("dev", "app")).empty());
}

TEST(GraphTest, ProviderAndCrossStackReferencesAreEdges) {
  auto p = ProjectBuilder()
               .component("shared", "dns")
               .component("prod", "app")
               .provider("aws", "role_arn", "{{ (state \"shared\" \"dns\").role }}")
               .build();
  Graph g = Graph::build(p);
  EXPECT_EQ(names(g, g.dependencies(*g.find("prod", "app"))),
            std::vector<std::string>{"shared/dns"});
}

// Comet's GKE pattern: the kubernetes provider reads the cluster's endpoint from the
// component's own previous apply. That is no cycle; the same reference in an input is.
TEST(GraphTest, AProviderReadingItsOwnComponentsOutputsIsNoCycle) {
  auto p = ProjectBuilder()
               .component("dev", "gke")
               .provider("kubernetes", "host", "{{ (state \"dev\" \"gke\").endpoint }}")
               .build();
  Graph g = Graph::build(p);
  EXPECT_TRUE(g.dependencies(*g.find("dev", "gke")).empty());
  auto q = ProjectBuilder().component("dev", "gke").input("host", "{{ (state \"dev\" \"gke\").endpoint }}").build();
  EXPECT_NE(build_error(q).find("dependency cycle: dev/gke → dev/gke"), std::string::npos) << build_error(q);
}

TEST(GraphTest, TopologicalOrderIsDependenciesFirstWithStableTies) {
  // Declared backwards on purpose: order must follow edges, then stack name, then declaration.
  auto p = ProjectBuilder()
               .component("dev", "app")
               .depends_on("dev/db")
               .depends_on("base/net")
               .component("dev", "db")
               .depends_on("base/net")
               .component("dev", "cache")
               .component("base", "net")
               .build();
  Graph g = Graph::build(p);
  EXPECT_EQ(names(g, g.topological_order()),
            (std::vector<std::string>{"base/net", "dev/db", "dev/app", "dev/cache"}));
}

TEST(GraphTest, UnknownComponentNamesTheReferenceAndSuggests) {
  auto p = ProjectBuilder()
               .component("dev", "vpc")
               .component("dev", "app")
               .depends_on("dev/vcp")
               .build();
  std::string err = build_error(p);
  EXPECT_NE(err.find("stacks/dev.js:2:20: dev/app refers to unknown component \"dev/vcp\""),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("did you mean \"dev/vpc\"?"), std::string::npos) << err;
}

TEST(GraphTest, RightComponentInTheWrongStackIsSuggested) {
  auto p = ProjectBuilder()
               .component("shared", "dns")
               .component("dev", "app")
               .depends_on("dev/dns")
               .build();
  try {
    Graph::build(p);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.origin().str(), "stacks/dev.js:1:20");
    EXPECT_EQ(e.hint(), "did you mean \"shared/dns\"? (dev/app is declared at stacks/dev.js:1:1)");
  }
}

TEST(GraphTest, EveryMissingReferenceIsReportedAtOnce) {
  auto p = ProjectBuilder()
               .component("dev", "app")
               .depends_on("dev/one")
               .input("x", "{{ (state \"dev\" \"two\").id }}")
               .build();
  std::string err = build_error(p);
  EXPECT_NE(err.find("\"dev/one\""), std::string::npos) << err;
  EXPECT_NE(err.find("\"dev/two\""), std::string::npos) << err;
}

TEST(GraphTest, UnknownStackInStateCallSuggestsTheClosestStack) {
  auto p = ProjectBuilder()
               .component("staging", "vpc")
               .component("dev", "app")
               .input("x", "{{ (state \"stagin\" \"vpc\").id }}")
               .build();
  std::string err = build_error(p);
  EXPECT_NE(err.find("stacks/dev.js:1:30: dev/app refers to \"stagin/vpc\", but there is no stack"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("did you mean \"staging/vpc\"?"), std::string::npos) << err;
}

TEST(GraphTest, CyclePrintsThePathWithEachEdgesOrigin) {
  auto p = ProjectBuilder()
               .component("dev", "a")
               .depends_on("dev/b")
               .component("dev", "b")
               .input("c_id", "{{ (state \"dev\" \"c\").id }}")
               .component("dev", "c")
               .depends_on("dev/a")
               .component("dev", "d")
               .depends_on("dev/a")
               .build();
  std::string err = build_error(p);
  EXPECT_NE(err.find("dependency cycle: dev/a → dev/b → dev/c → dev/a"), std::string::npos) << err;
  EXPECT_NE(err.find("dev/a → dev/b (depends_on at stacks/dev.js:1:20)"), std::string::npos) << err;
  EXPECT_NE(err.find("dev/b → dev/c (state at stacks/dev.js:2:30)"), std::string::npos) << err;
  EXPECT_NE(err.find("dev/c → dev/a (depends_on at stacks/dev.js:3:20)"), std::string::npos) << err;
  EXPECT_EQ(err.find("dev/d"), std::string::npos) << "d is not on the cycle: " << err;
}

TEST(GraphTest, SelfReferenceIsACycle) {
  auto p = ProjectBuilder().component("dev", "a").input("x", "{{ state \"dev\" \"a\" }}").build();
  EXPECT_NE(build_error(p).find("dependency cycle: dev/a → dev/a"), std::string::npos);
}

TEST(GraphTest, DuplicateReferencesMakeOneEdge) {
  auto p = ProjectBuilder()
               .component("dev", "vpc")
               .component("dev", "app")
               .depends_on("dev/vpc")
               .input("a", "{{ (state \"dev\" \"vpc\").id }}")
               .input("b", "{{ (state \"dev\" \"vpc\").cidr }}")
               .build();
  EXPECT_EQ(Graph::build(p).edges().size(), 1u);
}

TEST(GraphTest, ClosestNameOnlySuggestsLikelyTypos) {
  EXPECT_EQ(closest_match("vcp", {"vpc", "database"}), "vpc");
  EXPECT_EQ(closest_match("network", {"vpc", "database"}), "");
}

}  // namespace
}  // namespace strata

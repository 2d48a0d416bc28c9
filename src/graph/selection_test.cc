#include "graph/selection.h"

#include <gtest/gtest.h>

#include "graph/test_project.h"
#include "model/error.h"

namespace strata {
namespace {

using testing::ProjectBuilder;

SelectionSpec stacks(std::vector<std::string> names) {
  SelectionSpec s;
  s.stacks = std::move(names);
  return s;
}

SelectionSpec everything() {
  SelectionSpec s;
  s.all = true;
  return s;
}

SelectionSpec components(std::vector<ComponentRef> refs) {
  SelectionSpec s;
  s.components = std::move(refs);
  return s;
}

SelectionSpec with(SelectionSpec s, DependencyMode mode) {
  s.dependencies = mode;
  return s;
}

SelectionSpec and_dependents(SelectionSpec s) {
  s.dependents = true;
  return s;
}

// net <- db <- app ; net <- cache ; other stack: prod/web -> dev/app
Graph sample() {
  return Graph::build(ProjectBuilder()
                          .component("dev", "net")
                          .component("dev", "db")
                          .depends_on("dev/net")
                          .component("dev", "app")
                          .depends_on("dev/db")
                          .component("dev", "cache")
                          .depends_on("dev/net")
                          .component("prod", "web")
                          .depends_on("dev/app")
                          .build());
}

std::vector<std::string> names(const Graph& g, const Selection& s) {
  std::vector<std::string> out;
  for (NodeId id : s.ids()) out.push_back(g.node(id).str());
  return out;
}

TEST(SelectionTest, StackAllAndNamedComponents) {
  Graph g = sample();
  EXPECT_EQ(names(g, select(g, stacks({"prod"}))), std::vector<std::string>{"prod/web"});
  EXPECT_EQ(select(g, everything()).size(), 5u);
  EXPECT_EQ(names(g, select(g, components({{"dev", "db", {}}}))),
            std::vector<std::string>{"dev/db"});
}

TEST(SelectionTest, IncludeDepsAddsTransitiveDependenciesAcrossStacks) {
  Graph g = sample();
  auto s = select(g, with(stacks({"prod"}), DependencyMode::kInclude));
  EXPECT_EQ(names(g, s), (std::vector<std::string>{"dev/net", "dev/db", "dev/app", "prod/web"}));
}

TEST(SelectionTest, DependentsClosureAddsEverythingDownstream) {
  Graph g = sample();
  auto s = select(g, and_dependents(components({{"dev", "db", {}}})));
  EXPECT_EQ(names(g, s), (std::vector<std::string>{"dev/db", "dev/app", "prod/web"}));
}

TEST(SelectionTest, UnknownNamesSuggestTheClosest) {
  Graph g = sample();
  try {
    select(g, components({{"dev", "cahce", Origin("<command line>")}}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "stack \"dev\" has no component \"cahce\"");
    EXPECT_EQ(e.hint(), "did you mean \"dev/cache\"?");
    EXPECT_EQ(e.kind(), ErrorKind::kNotFound);
  }
  try {
    select(g, stacks({"prd"}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.hint(), "did you mean \"prod\"?");
    EXPECT_EQ(e.kind(), ErrorKind::kNotFound);
  }
}

}  // namespace
}  // namespace strata

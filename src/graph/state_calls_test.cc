#include "graph/state_calls.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

std::vector<std::string> calls(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& r : find_state_calls(text, Origin("stacks/dev.js", 4, 2)))
    out.push_back(r.str());
  return out;
}

TEST(StateCallsTest, FindsCallsInEveryCommonForm) {
  EXPECT_EQ(calls("{{ (state \"dev\" \"vpc\").id }}"), std::vector<std::string>{"dev/vpc"});
  EXPECT_EQ(calls("{{state \"dev\" \"vpc\" | toJson}}"), std::vector<std::string>{"dev/vpc"});
  EXPECT_EQ(calls("{{- index (state `prod` `db`) \"host\" -}}"),
            std::vector<std::string>{"prod/db"});
  EXPECT_EQ(calls("arn:{{ (state \"a\" \"b\").x }}-{{ (state \"c\" \"d\").y }}"),
            (std::vector<std::string>{"a/b", "c/d"}));
}

TEST(StateCallsTest, KeepsTheOriginOfTheString) {
  auto refs = find_state_calls("{{ state \"dev\" \"vpc\" }}", Origin("stacks/dev.js", 4, 2));
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].origin.str(), "stacks/dev.js:4:2");
}

TEST(StateCallsTest, IgnoresTextThatOnlyLooksLikeACall) {
  EXPECT_TRUE(calls("state \"dev\" \"vpc\"").empty()) << "outside an action";
  EXPECT_TRUE(calls("{{ .state }}").empty()) << "a field, not the function";
  EXPECT_TRUE(calls("{{ mystate \"a\" \"b\" }}").empty());
  EXPECT_TRUE(calls("{{ printf \"state \\\"a\\\" \\\"b\\\"\" }}").empty()) << "inside a string";
  EXPECT_TRUE(calls("{{ state $stack \"vpc\" }}").empty()) << "not a literal";
  EXPECT_TRUE(calls("{{/* state \"a\" \"b\" */}}").empty()) << "a comment";
  EXPECT_TRUE(calls("{{ state \"a\" \"b\"").empty()) << "unterminated action";
}

TEST(StateCallsTest, HandlesBracesInsideStringArguments) {
  EXPECT_EQ(calls("{{ (state \"dev\" \"vpc\").id | printf \"}}%s\" }}"),
            std::vector<std::string>{"dev/vpc"});
}

}  // namespace
}  // namespace strata

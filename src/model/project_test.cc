#include "model/project.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(NamesTest, UsableStackAndComponentNames) {
  for (const char* ok : {"dev", "env-1", "my_stack", "v1.2", "cloud=aws/env=dev/cluster=c1"})
    EXPECT_FALSE(unusable_name(ok, true)) << ok;
  for (const char* ok : {"vpc", "app-2", "terraform=x", "a.b"}) EXPECT_FALSE(unusable_name(ok, false)) << ok;
}

TEST(NamesTest, NamesThatWouldLeaveTheWorkDirAreRefusedWithTheReason) {
  EXPECT_EQ(unusable_name("", true), "it is empty");
  EXPECT_EQ(unusable_name("../../etc", true), "it has a \"..\" part, which would leave its folder");
  EXPECT_EQ(unusable_name("a/./b", true), "it has a \".\" part, which would leave its folder");
  EXPECT_EQ(unusable_name("/abs", true), "it has an empty part (\"//\", or '/' at its start or end)");
  EXPECT_EQ(unusable_name("a//b", true), "it has an empty part (\"//\", or '/' at its start or end)");
  EXPECT_EQ(unusable_name("a/", true), "it has an empty part (\"//\", or '/' at its start or end)");
  EXPECT_EQ(unusable_name(".runs", true), "a part starts with '.' (\".runs\"), which strata keeps for its own folders");
  EXPECT_EQ(unusable_name("a\\b", true), "it holds a backslash");
  EXPECT_EQ(unusable_name(std::string("a\0b", 3), true), "it holds a NUL character");
  EXPECT_EQ(unusable_name("a/b", false), "it holds a '/'");
  EXPECT_EQ(unusable_name("..", false), "it has a \"..\" part, which would leave its folder");
}

}  // namespace
}  // namespace strata

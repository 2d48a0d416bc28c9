#include "cli/globals.h"

#include <gtest/gtest.h>

namespace strata::cli {
namespace {

TEST(ClosestMatchTest, SuggestsNearCommands) {
  std::vector<std::string> cmds = {"plan", "apply", "destroy", "version", "generate"};
  EXPECT_EQ(closest_match("pln", cmds), "plan");
  EXPECT_EQ(closest_match("aply", cmds), "apply");
  EXPECT_EQ(closest_match("gen", cmds), "generate");
  EXPECT_EQ(closest_match("xyzzy", cmds), "");
}

TEST(GlobalsTest, ColorNeverAndNoColorWin) {
  Globals g;
  g.color = "never";
  EXPECT_FALSE(g.use_color(stdout));
  g.color = "always";
  EXPECT_TRUE(g.use_color(stdout));
  setenv("NO_COLOR", "1", 1);
  g.color = "auto";
  EXPECT_FALSE(g.use_color(stdout));
  unsetenv("NO_COLOR");
}

}  // namespace
}  // namespace strata::cli

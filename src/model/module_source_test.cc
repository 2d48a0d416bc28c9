#include "model/module_source.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(ModuleSourceTest, SplitsAtTheDoubleSlash) {
  ModuleSource s = split_module_source("modules/net//vpc/private");
  EXPECT_EQ(s.package, "modules/net");
  EXPECT_EQ(s.subdir, "vpc/private");
}

TEST(ModuleSourceTest, ASourceWithoutDoubleSlashIsAllPackage) {
  ModuleSource s = split_module_source("../modules/vpc");
  EXPECT_EQ(s.package, "../modules/vpc");
  EXPECT_EQ(s.subdir, "");
  EXPECT_EQ(split_module_source("").package, "");
}

TEST(ModuleSourceTest, OnlyTheFirstDoubleSlashSplits) {
  ModuleSource s = split_module_source("base//sub//deeper");
  EXPECT_EQ(s.package, "base");
  EXPECT_EQ(s.subdir, "sub//deeper");
  EXPECT_EQ(split_module_source("base//").subdir, "");
}

}  // namespace
}  // namespace strata

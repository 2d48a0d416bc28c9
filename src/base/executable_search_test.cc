#include "base/executable_search.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "base/atomic_file.h"
#include "base/temp_dir.h"

namespace strata {
namespace {

void make_program(const std::string& path) { write_file_atomic(path, "#!/bin/sh\n", 0755); }

TEST(ExecutableSearchTest, TakesTheFirstExecutableAlongThePathList) {
  TempDir tmp;
  std::filesystem::create_directories(tmp.path() + "/a");
  std::filesystem::create_directories(tmp.path() + "/b");
  std::filesystem::create_directories(tmp.path() + "/c");
  write_file_atomic(tmp.path() + "/a/tofu", "not executable", 0644);
  make_program(tmp.path() + "/b/tofu");
  make_program(tmp.path() + "/c/tofu");
  std::string path_list = tmp.path() + "/a:" + tmp.path() + "/b:" + tmp.path() + "/c";
  EXPECT_EQ(find_executable("tofu", path_list), tmp.path() + "/b/tofu");
  EXPECT_EQ(find_executable("terraform", path_list), std::nullopt);
  EXPECT_EQ(find_executable("tofu", ""), std::nullopt) << "the current directory has none";
}

TEST(ExecutableSearchTest, SkipsFoldersOfTheSameName) {
  TempDir tmp;
  std::filesystem::create_directories(tmp.path() + "/a/sops");
  std::filesystem::create_directories(tmp.path() + "/b");
  make_program(tmp.path() + "/b/sops");
  EXPECT_EQ(find_executable("sops", tmp.path() + "/a:" + tmp.path() + "/b"),
            tmp.path() + "/b/sops");
}

TEST(ExecutableSearchTest, ANameWithASlashIsTakenAsAPath) {
  TempDir tmp;
  make_program(tmp.path() + "/run");
  write_file_atomic(tmp.path() + "/plain", "x", 0644);
  EXPECT_EQ(find_executable(tmp.path() + "/run", "/nowhere"), tmp.path() + "/run");
  EXPECT_EQ(find_executable(tmp.path() + "/plain", tmp.path()), std::nullopt);
}

// The walk Subprocess uses for its child: relative PATH entries from the child's folder, and the
// first file that is there but cannot be run named, for the error.
TEST(ExecutableSearchTest, RelativeEntriesAreTakenFromTheGivenFolderAndAnUnusableMatchIsNamed) {
  TempDir tmp;
  std::filesystem::create_directories(tmp.path() + "/work/bin");
  std::filesystem::create_directories(tmp.path() + "/first");
  write_file_atomic(tmp.path() + "/first/tool", "not executable", 0644);
  make_program(tmp.path() + "/work/bin/tool");
  std::string problem;
  EXPECT_EQ(search_path("tool", tmp.path() + "/first:bin", tmp.path() + "/work", &problem), "bin/tool");
  EXPECT_EQ(search_path("tool", "bin", tmp.path()), std::nullopt) << "bin is taken from the given folder";
  problem.clear();
  EXPECT_EQ(search_path("tool", tmp.path() + "/first", "", &problem), std::nullopt);
  EXPECT_EQ(problem, tmp.path() + "/first/tool: it is not executable (Permission denied)");
  EXPECT_EQ(unusable_reason(tmp.path() + "/work"), "it is a directory");
  EXPECT_EQ(unusable_reason(tmp.path() + "/work/bin/tool"), "");
}

}  // namespace
}  // namespace strata

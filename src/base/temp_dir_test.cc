#include "base/temp_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace strata {
namespace {

namespace fs = std::filesystem;

TEST(TempDir, CreatesPrivateDirectoryAndRemovesEverythingInIt) {
  std::string path;
  {
    TempDir dir("strata-temp-test");
    path = dir.path();
    ASSERT_TRUE(fs::is_directory(path));
    EXPECT_TRUE(fs::path(path).is_absolute());
    EXPECT_NE(fs::path(path).filename().string().find("strata-temp-test."), std::string::npos);
    struct stat st;
    ASSERT_EQ(stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u) << "mkdtemp directories are private";
    fs::create_directories(dir.file("a/b"));
    std::ofstream(dir.file("a/b/c.txt")) << "x";
    // A read-only subdirectory must not stop the cleanup.
    fs::permissions(dir.file("a/b"), fs::perms::owner_read | fs::perms::owner_exec);
  }
  EXPECT_FALSE(fs::exists(path));
}

TEST(TempDir, MoveTransfersOwnership) {
  TempDir a;
  std::string path = a.path();
  TempDir b(std::move(a));
  EXPECT_EQ(b.path(), path);
  EXPECT_TRUE(a.path().empty());
  EXPECT_TRUE(fs::is_directory(path));
}

TEST(TempDir, FileJoinsRelativePath) {
  TempDir dir;
  EXPECT_EQ(dir.file("x/y.tf"), dir.path() + "/x/y.tf");
}

}  // namespace
}  // namespace strata

#include "scaffold/starter_project.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "base/atomic_file.h"
#include "base/temp_dir.h"
#include "model/error.h"

namespace strata::scaffold {
namespace {

TEST(StarterProject, WritesIntoANewFolderAndRefusesAFolderWithFiles) {
  TempDir tmp("scaffold");
  std::string dir = tmp.path() + "/a/new-infra";
  auto files = write_starter_project(dir, StackFormat::kJs);
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) EXPECT_EQ(read_file(dir + "/" + f.path), f.content) << f.path;
  EXPECT_NE(read_file(dir + "/.gitignore").find(".strata/"), std::string::npos);
  try {
    write_starter_project(dir, StackFormat::kJs);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), dir + " is not empty; strata new writes only into a new or empty folder");
  }
  std::filesystem::create_directories(tmp.path() + "/empty");
  EXPECT_NO_THROW(write_starter_project(tmp.path() + "/empty", StackFormat::kJs));
}

}  // namespace
}  // namespace strata::scaffold

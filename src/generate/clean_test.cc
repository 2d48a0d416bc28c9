#include "generate/clean.h"

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>

#include <gtest/gtest.h>

#include "base/atomic_file.h"
#include "base/file_lock.h"
#include "base/temp_dir.h"
#include "model/error.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

TEST(CleanTest, RemovesEverythingButState) {
  TempDir t;
  std::string wd = t.path() + "/dev/vpc";
  fs::create_directories(wd + "/.terraform/providers");
  fs::create_directories(wd + "/terraform.tfstate.d/staging");
  fs::create_directories(wd + "/envs/app");
  write_file_atomic(wd + "/main.tf", "x");
  write_file_atomic(wd + "/dev-vpc.planfile", "p");
  write_file_atomic(wd + "/.terraform/terraform.tfstate", "backend");
  write_file_atomic(wd + "/terraform.tfstate", "state");
  write_file_atomic(wd + "/terraform.tfstate.backup", "backup");
  write_file_atomic(wd + "/terraform.tfstate.d/staging/terraform.tfstate", "ws");
  write_file_atomic(wd + "/envs/app/terraform.tfstate", "sub-state");
  write_file_atomic(wd + "/envs/app/main.tf", "y");
  CleanResult r = clean_workdir(wd, "dev/vpc");
  EXPECT_FALSE(fs::exists(wd + "/main.tf"));
  EXPECT_FALSE(fs::exists(wd + "/dev-vpc.planfile"));
  EXPECT_FALSE(fs::exists(wd + "/.terraform"));
  EXPECT_FALSE(fs::exists(wd + "/envs/app/main.tf"));
  EXPECT_EQ(read_file(wd + "/terraform.tfstate"), "state");
  EXPECT_EQ(read_file(wd + "/terraform.tfstate.backup"), "backup");
  EXPECT_EQ(read_file(wd + "/terraform.tfstate.d/staging/terraform.tfstate"), "ws");
  EXPECT_EQ(read_file(wd + "/envs/app/terraform.tfstate"), "sub-state");
  EXPECT_EQ(r.kept.size(), 4u);
}

TEST(CleanTest, WorkdirWithoutStateDisappears) {
  TempDir t;
  std::string wd = t.path() + "/dev/vpc";
  fs::create_directories(wd);
  write_file_atomic(wd + "/main.tf", "x");
  clean_workdir(wd, "dev/vpc");
  EXPECT_FALSE(fs::exists(wd));
}

TEST(CleanTest, ALockedWorkdirIsNotTouched) {
  TempDir t;
  std::string wd = t.path() + "/dev/vpc";
  fs::create_directories(wd);
  write_file_atomic(wd + "/main.tf", "x");
  pid_t child = fork();
  if (child == 0) {
    FileLock held(wd + "/.strata.lock", "workdir dev/vpc");
    sleep(5);
    _exit(0);
  }
  usleep(300 * 1000);
  EXPECT_THROW(clean_workdir(wd, "dev/vpc"), Error);
  EXPECT_TRUE(fs::exists(wd + "/main.tf"));
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
}

}  // namespace
}  // namespace strata

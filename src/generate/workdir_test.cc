#include "generate/workdir.h"

#include <sys/stat.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "base/atomic_file.h"
#include "base/temp_dir.h"
#include "model/error.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

struct Fixture {
  TempDir root;
  ComponentFiles files;
  Fixture() {
    fs::create_directories(root.path() + "/modules/vpc");
    write_file_atomic(root.file("modules/vpc/main.tf"), "variable \"name\" {}\n");
    files.ref = {"dev", "vpc", {}};
    files.project_root = root.path();
    files.work_root = root.path() + "/.strata";
    files.source = "modules/vpc";
    files.backend = {"local", Value::map(), {}};
    files.inputs.set("name", "a");
  }
};

struct timespec mtime_of(const std::string& path) {
  struct stat st{};
  ::stat(path.c_str(), &st);
  return st.st_mtim;
}

TEST(WorkdirTest, StateEngineAndPlanFilesSurviveTenRegenerations) {
  Fixture f;
  ModuleCache cache0;
  GenerateResult first = generate_workdir(f.files, cache0);
  const std::string wd = first.workdir;
  fs::create_directories(wd + "/.terraform/providers");
  write_file_atomic(wd + "/.terraform/terraform.tfstate", "{\"backend\":1}");
  write_file_atomic(wd + "/terraform.tfstate", "{\"version\":4,\"serial\":7}");
  write_file_atomic(wd + "/terraform.tfstate.backup", "{\"version\":4,\"serial\":6}");
  write_file_atomic(wd + "/dev-vpc.planfile", "PLAN", 0600);
  write_file_atomic(wd + "/.terraform.lock.hcl", "# lock");
  for (int i = 0; i < 10; ++i) {
    f.files.inputs.set("name", "name-" + std::to_string(i));
    // Change the module too: an old file disappears, a new one appears.
    write_file_atomic(f.root.file("modules/vpc/extra" + std::to_string(i) + ".tf"), "# " + std::to_string(i));
    if (i > 0) fs::remove(f.root.file("modules/vpc/extra" + std::to_string(i - 1) + ".tf"));
    ModuleCache cache;
    GenerateResult r = generate_workdir(f.files, cache);
    EXPECT_EQ(read_file(wd + "/terraform.tfstate"), "{\"version\":4,\"serial\":7}");
    EXPECT_EQ(read_file(wd + "/terraform.tfstate.backup"), "{\"version\":4,\"serial\":6}");
    EXPECT_EQ(read_file(wd + "/.terraform/terraform.tfstate"), "{\"backend\":1}");
    EXPECT_EQ(read_file(wd + "/dev-vpc.planfile"), "PLAN");
    EXPECT_EQ(read_file(wd + "/.terraform.lock.hcl"), "# lock");
    EXPECT_TRUE(fs::exists(wd + "/extra" + std::to_string(i) + ".tf"));
    if (i > 0) {
      EXPECT_FALSE(fs::exists(wd + "/extra" + std::to_string(i - 1) + ".tf"));
    }
    EXPECT_NE(read_file(wd + "/dev-vpc.tfvars.json").find("name-" + std::to_string(i)), std::string::npos);
  }
}

TEST(WorkdirTest, UnchangedFilesKeepTheirMtime) {
  Fixture f;
  ModuleCache c1, c2;
  GenerateResult a = generate_workdir(f.files, c1);
  auto before = mtime_of(a.workdir + "/dev-vpc.tfvars.json");
  GenerateResult b = generate_workdir(f.files, c2);
  auto after = mtime_of(a.workdir + "/dev-vpc.tfvars.json");
  EXPECT_TRUE(b.written.empty());
  EXPECT_EQ(before.tv_sec, after.tv_sec);
  EXPECT_EQ(before.tv_nsec, after.tv_nsec);
}

TEST(WorkdirTest, SensitiveInputsGoToEnvironmentNotFiles) {
  Fixture f;
  Value secret("s3cr3t-value");
  secret.set_sensitive();
  f.files.inputs.set("password", secret);
  Value nested = Value::map();
  nested.set("token", secret);
  f.files.inputs.set("auth", nested);
  ModuleCache cache;
  GenerateResult r = generate_workdir(f.files, cache);
  EXPECT_EQ(r.sensitive_env.at("TF_VAR_password"), "s3cr3t-value");
  EXPECT_EQ(r.sensitive_env.at("TF_VAR_auth"), "{\"token\":\"s3cr3t-value\"}");
  for (const auto& e : fs::recursive_directory_iterator(r.workdir)) {
    if (e.is_regular_file()) {
      EXPECT_EQ(read_file(e.path().string()).find("s3cr3t"), std::string::npos) << e.path();
    }
  }
}

TEST(WorkdirTest, BaseSlashSlashSubCopiesBaseAndRunsInSub) {
  Fixture f;
  fs::create_directories(f.root.path() + "/modules/platform/envs/app");
  write_file_atomic(f.root.file("modules/platform/shared.tf"), "# shared");
  write_file_atomic(f.root.file("modules/platform/envs/app/main.tf"), "module \"x\" { source = \"../../\" }");
  f.files.source = "modules/platform//envs/app";
  ModuleCache cache;
  GenerateResult r = generate_workdir(f.files, cache);
  EXPECT_EQ(r.run_dir, r.workdir + "/envs/app");
  EXPECT_TRUE(fs::exists(r.workdir + "/shared.tf"));
  EXPECT_TRUE(fs::exists(r.run_dir + "/dev-vpc.tfvars.json"));
  EXPECT_TRUE(fs::exists(r.run_dir + "/backend.tf.json"));
}

TEST(WorkdirTest, MissingModuleIsAClearError) {
  Fixture f;
  f.files.source = "modules/nope";
  ModuleCache cache;
  try {
    generate_workdir(f.files, cache);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("modules/nope\" does not exist"), std::string::npos) << e.render();
  }
}

TEST(WorkdirTest, FilesNotWrittenByStrataAreNeverRemoved) {
  Fixture f;
  ModuleCache c1;
  GenerateResult r = generate_workdir(f.files, c1);
  write_file_atomic(r.workdir + "/notes.txt", "mine");
  ModuleCache c2;
  generate_workdir(f.files, c2);
  EXPECT_EQ(read_file(r.workdir + "/notes.txt"), "mine");
}

}  // namespace
}  // namespace strata

// Tests for reading outputs straight from a local state: the files as Terraform 1.11.4 writes
// them (the RealEngine suite checks the same against the real engine, end to end).
#include "engine/local_state.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/temp_dir.h"

namespace strata {
namespace {

// What `terraform apply` wrote for `output "a" { value = "x" }` and a sensitive `s`.
constexpr const char* kState = R"({
  "version": 4,
  "terraform_version": "1.11.4",
  "serial": 1,
  "lineage": "d3be42b7-0b9b-eb46-4e25-714e5bf83818",
  "outputs": {
    "a": {"value": "x", "type": "string"},
    "s": {"value": "secret", "type": "string", "sensitive": true},
    "l": {"value": ["p", "q"], "type": ["tuple", ["string", "string"]]}
  },
  "resources": [],
  "check_results": null
})";

// What `terraform init` records for `backend "local" { path = PATH }`.
std::string local_backend(const std::string& path) {
  return R"({"version": 3, "terraform_version": "1.11.4", "backend": {"type": "local", "config": {"path": ")" +
         path + R"(", "workspace_dir": null}, "hash": 410594759}})";
}

class LocalState : public ::testing::Test {
 protected:
  void write(const std::string& relative, const std::string& text) {
    std::filesystem::path p = std::filesystem::path(dir_.path()) / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  std::optional<std::map<std::string, EngineOutput>> read(std::map<std::string, std::string> env = {}) {
    return read_local_state_outputs(dir_.path(), [&](const std::string& name) -> std::optional<std::string> {
      auto it = env.find(name);
      if (it == env.end()) return std::nullopt;
      return it->second;
    });
  }
  TempDir dir_{"local-state"};
};

TEST_F(LocalState, NoBackendReadsTerraformTfstateBesideTheCode) {
  write("terraform.tfstate", kState);
  auto outputs = read();
  ASSERT_TRUE(outputs);
  ASSERT_EQ(outputs->size(), 3u);
  EXPECT_EQ(outputs->at("a").value.as_string(), "x");
  EXPECT_FALSE(outputs->at("a").sensitive);
  EXPECT_TRUE(outputs->at("s").sensitive);
  EXPECT_TRUE(outputs->at("s").value.sensitive()) << "a sensitive output stays masked wherever it goes";
  EXPECT_EQ(to_json_text(outputs->at("l").value, -1), R"(["p","q"])");
}

TEST_F(LocalState, LocalBackendReadsItsPathAndNoStateMeansNoOutputs) {
  write(".terraform/terraform.tfstate", local_backend("state/net.tfstate"));
  write("terraform.tfstate", R"({"version": 4, "outputs": {"wrong": {"value": 1, "type": "number"}}})");
  auto none = read();
  ASSERT_TRUE(none) << "no state yet is an answer: the engine prints {}";
  EXPECT_TRUE(none->empty()) << "the file beside the code is not the backend's";
  write("state/net.tfstate", "");
  ASSERT_TRUE(read());
  EXPECT_TRUE(read()->empty()) << "an empty state file is no state";
  write("state/net.tfstate", kState);
  ASSERT_TRUE(read());
  EXPECT_EQ(read()->at("a").value.as_string(), "x");
}

TEST_F(LocalState, DefaultWorkspaceIsReadOthersAreLeftToTheEngine) {
  write("terraform.tfstate", kState);
  write(".terraform/environment", "default");
  EXPECT_TRUE(read());
  write(".terraform/environment", "staging");
  EXPECT_FALSE(read()) << "a workspace keeps its state under terraform.tfstate.d";
}

TEST_F(LocalState, AnythingThatMovesOrChangesTheStateIsLeftToTheEngine) {
  write("terraform.tfstate", kState);
  for (const char* name : {"TF_DATA_DIR", "TF_WORKSPACE", "TF_CLI_ARGS", "TF_CLI_ARGS_output", "TF_ENCRYPTION"})
    EXPECT_FALSE(read({{name, "x"}})) << name;
  EXPECT_TRUE(read({{"TF_DATA_DIR", ""}})) << "set but empty is unset, for the engine too";

  write(".terraform/terraform.tfstate",
        R"({"version": 3, "backend": {"type": "s3", "config": {"bucket": "b", "key": "k"}}})");
  EXPECT_FALSE(read()) << "another backend";
  write(".terraform/terraform.tfstate",
        R"({"version": 3, "backend": {"type": "local", "config": {"path": null, "workspace_dir": "ws"}}})");
  EXPECT_FALSE(read()) << "a workspace folder";
  write(".terraform/terraform.tfstate", R"({"version": 3, "backend": {"type": "loc)");
  EXPECT_FALSE(read()) << "a record being written";
}

TEST_F(LocalState, StatesItCannotReadExactlyAreLeftToTheEngine) {
  write("terraform.tfstate", R"({"version": 3, "modules": []})");
  EXPECT_FALSE(read()) << "an older format";
  write("terraform.tfstate", R"({"serial": 1, "lineage": "l", "meta": {}, "encrypted_data": "AAAA",
                                 "encryption_version": "v0"})");
  EXPECT_FALSE(read()) << "OpenTofu's state encryption";
  write("terraform.tfstate", std::string(kState).substr(0, 120));
  EXPECT_FALSE(read()) << "a file being rewritten";
  write("terraform.tfstate", R"({"version": 4, "outputs": {"a": {"type": "string"}}})");
  EXPECT_FALSE(read()) << "an output without a value";
}

}  // namespace
}  // namespace strata

#include "config/settings_file.h"

#include <gtest/gtest.h>

#include "config/test_project_dir.h"
#include "model/error.h"

namespace strata::config {
namespace {

TEST(SettingsFile, ReadsEveryStrataSetting) {
  TestProjectDir dir;
  dir.write("strata.yaml",
            "engine: terraform\nstacks_dir: infra/stacks\nconfig_dir: cfg\nwork_dir: .work\n"
            "parallelism: 6\nplugin_cache: /tmp/plugins\ngenerate_backend: false\n"
            "env:\n  AWS_REGION: eu-west-1\n  COUNT: 3\n");
  Settings s = read_strata_yaml(dir.file("strata.yaml"), "strata.yaml");
  EXPECT_EQ(s.engine, "terraform");
  EXPECT_EQ(s.stacks_dir, "infra/stacks");
  EXPECT_EQ(s.config_dir, "cfg");
  EXPECT_EQ(s.work_dir, ".work");
  EXPECT_EQ(s.parallelism, 6);
  EXPECT_EQ(s.plugin_cache, "/tmp/plugins");
  EXPECT_FALSE(s.generate_backend);
  EXPECT_EQ(s.env.at("AWS_REGION"), "eu-west-1");
  EXPECT_EQ(s.env.at("COUNT"), "3");
}

TEST(SettingsFile, StateBackendNamesAServerAndTheRepositoryItsKeysStartWith) {
  TestProjectDir dir;
  dir.write("strata.yaml", "state_backend:\n  type: server\n  url: https://strata.example.com/\n  repository: infra\n");
  Settings s = read_strata_yaml(dir.file("strata.yaml"), "strata.yaml");
  ASSERT_TRUE(s.state_backend);
  EXPECT_EQ(s.state_backend->type, "server");
  EXPECT_EQ(s.state_backend->url, "https://strata.example.com") << "no trailing slash";
  EXPECT_EQ(s.state_backend->repository, "infra");
  EXPECT_EQ(s.state_backend->origin.str(), "strata.yaml:2:3");
  dir.write("strata.yaml", "engine: tofu\n");
  EXPECT_FALSE(read_strata_yaml(dir.file("strata.yaml"), "strata.yaml").state_backend) << "none unless given";
  for (const auto& [text, message] :
       std::vector<std::pair<std::string, std::string>>{
           {"state_backend: server\n", "strata.yaml:1:16: 'state_backend' must be a map of settings"},
           {"state_backend:\n  type: server\n  url: strata.example.com\n  repository: infra\n",
            "strata.yaml:3:8: state_backend url 'strata.example.com' is not an http:// or https:// URL"},
           {"state_backend:\n  type: server\n  url: http://127.0.0.1:8470\n",
            "strata.yaml:2:3: state_backend has no repository"}}) {
    dir.write("strata.yaml", text);
    try {
      read_strata_yaml(dir.file("strata.yaml"), "strata.yaml");
      ADD_FAILURE() << "expected an error for " << text;
    } catch (const Error& e) {
      EXPECT_EQ(e.render().substr(0, e.render().find('\n')), message) << text;
    }
  }
}

TEST(SettingsFile, EmptyFileKeepsDefaults) {
  TestProjectDir dir;
  dir.write("strata.yaml", "");
  Settings s = read_strata_yaml(dir.file("strata.yaml"), "strata.yaml");
  EXPECT_EQ(s.engine, "auto");
  EXPECT_EQ(s.stacks_dir, "stacks");
  EXPECT_EQ(s.work_dir, ".strata");
  EXPECT_TRUE(s.generate_backend);
}

TEST(SettingsFile, UnknownKeyNamesPositionAndSuggests) {
  TestProjectDir dir;
  dir.write("strata.yaml", "engine: tofu\n  \nstack_dir: x\n");
  try {
    read_strata_yaml(dir.file("strata.yaml"), "strata.yaml");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.origin().str(), "strata.yaml:3:1");
    EXPECT_EQ(e.message(), "unknown setting 'stack_dir' in strata.yaml");
    EXPECT_NE(e.hint().find("did you mean 'stacks_dir'?"), std::string::npos) << e.hint();
  }
}

TEST(SettingsFile, BadValuesNameTheirPosition) {
  TestProjectDir dir;
  dir.write("strata.yaml", "parallelism: lots\n");
  try {
    read_strata_yaml(dir.file("strata.yaml"), "strata.yaml");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.render(),
              "strata.yaml:1:14: 'parallelism' must be a whole number of at least 1, not 'lots'\n"
              "  hint: write parallelism: 4");
  }
  dir.write("strata.yaml", "env: [a, b]\n");
  EXPECT_THROW(read_strata_yaml(dir.file("strata.yaml"), "strata.yaml"), Error);
  dir.write("strata.yaml", "engine: [\n");
  try {
    read_strata_yaml(dir.file("strata.yaml"), "strata.yaml");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.origin().path(), "strata.yaml");
    EXPECT_GT(e.origin().line, 0);
  }
}

TEST(SettingsFile, CometYamlMapsOntoSettings) {
  TestProjectDir dir;
  dir.write("comet.yaml",
            "log_level: debug\ntf_command: terraform\nstacks_dir: stacks\n"
            "work_dir: stacks/_components\ngenerate_backend: false\nenv:\n  TF_LOG: info\n"
            "bootstrap:\n  - name: key\n    type: command\n");
  Settings s = read_comet_yaml(dir.file("comet.yaml"), "comet.yaml");
  EXPECT_EQ(s.engine, "terraform");
  EXPECT_EQ(s.work_dir, "stacks/_components");
  EXPECT_FALSE(s.generate_backend);
  EXPECT_EQ(s.env.at("TF_LOG"), "info");

  dir.write("comet.yaml", "tf_command: pulumi\n");
  try {
    read_comet_yaml(dir.file("comet.yaml"), "comet.yaml");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.origin().str(), "comet.yaml:1:13");
  }
  dir.write("comet.yaml", "stacks_dri: x\n");
  try {
    read_comet_yaml(dir.file("comet.yaml"), "comet.yaml");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.hint().find("did you mean 'stacks_dir'?"), std::string::npos);
  }
}

}  // namespace
}  // namespace strata::config

// The CLI shell as a user meets it: help, version, unknown commands and flags.
#include <gtest/gtest.h>

#include "tests/support/cli_runner.h"

namespace strata::testing {
namespace {

TEST(CliTest, HelpListsCommandsWithDescriptions) {
  TestProject p;
  CliResult r = p.run({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("version"), std::string::npos);
  EXPECT_NE(r.out.find("Show strata's version"), std::string::npos);
}

TEST(CliTest, VersionNamesTheEngineItWouldRun) {
  TestProject p;
  CliResult r = p.run({"version", "--json"}, {{"STRATA_ENGINE", tofu_sim_binary()}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"version\""), std::string::npos);
  EXPECT_NE(r.out.find("\"commit\""), std::string::npos);
}

TEST(CliTest, UnknownCommandSuggestsTheClosestOneAndExitsTwo) {
  TestProject p;
  CliResult r = p.run({"versoin"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown command \"versoin\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean \"strata version\"?"), std::string::npos) << r.err;
}

TEST(CliTest, UnknownFlagSuggestsTheClosestOneAndExitsTwo) {
  TestProject p;
  CliResult r = p.run({"version", "--jsn"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("did you mean --json?"), std::string::npos) << r.err;
}

TEST(CliTest, MissingDirectoryIsAUsageError) {
  TestProject p;
  CliResult r = p.run({"-C", "/nonexistent/dir", "version"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot change to directory"), std::string::npos) << r.err;
}

TEST(CliTest, SecretsDecryptPrintsOnlyToATerminalOrWithForce) {
  STRATA_REQUIRE_CONFORMANCE(dir);
  TestProject p;
  std::string sops = dir + "/sops/fluxcd-kustomize-controller/sops";
  std::map<std::string, std::string> env = {{"SOPS_AGE_KEY_FILE", sops + "/keys/age.txt"}};
  CliResult refused = p.run({"secrets", "decrypt", sops + "/algorithms/age.yaml"}, env);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("refusing to print decrypted secrets"), std::string::npos) << refused.err;
  EXPECT_EQ(refused.out.find("value"), std::string::npos);
  CliResult shown =
      p.run({"secrets", "decrypt", sops + "/algorithms/age.yaml", "--extract", "/stringData/key", "--force"}, env);
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(shown.out, "value\n");
}

TEST(CliTest, KomposStackIsSelectedByItsConfigFolderAndRendersVersionedSources) {
  STRATA_REQUIRE_CONFORMANCE(dir);
  TestProject p;
  std::filesystem::copy(dir + "/kompos-himl/adobe-kompos/examples/02-module-version-pinning", p.root(),
                        std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
  CliResult r = p.run({"generate", "config/env=dev/cluster=cluster1/"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string main_tf = p.read(".strata/env=dev/cluster=cluster1/vpc/main.tf");
  EXPECT_NE(main_tf.find("terraform-aws-vpc.git?ref=v2.0.0-rc\""), std::string::npos) << main_tf;
  std::string tfvars = p.read(".strata/env=dev/cluster=cluster1/vpc/variables.tfvars.json");
  EXPECT_NE(tfvars.find("\"config\": {"), std::string::npos) << tfvars;
}

}  // namespace
}  // namespace strata::testing

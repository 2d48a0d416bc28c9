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

}  // namespace
}  // namespace strata::testing

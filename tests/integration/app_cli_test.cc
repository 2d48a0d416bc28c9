// `strata app` through the real binary with plugins that need nothing installed: init, the
// whole lifecycle with exec (its inputs in the environment, its JSON result on stdout), rollback,
// the local platform's failures, and errors that name the phase and the plugin. The shell
// scripts here stand in for real build and deploy tools.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/cli_runner.h"

namespace strata::testing {
namespace {

// A project whose app builds, deploys and releases with shell scripts. build.sh names each
// build after a counter, so two builds are two artifacts; deploy.sh echoes what it was given.
void write_exec_project(TestProject& p) {
  p.write("cloudstation.hcl", R"(
project = "shop"
variable "token" {
  default   = "hunter2-secret"
  sensitive = true
  env       = ["SHOP_TOKEN"]
}
app "api" {
  build {
    use     = "exec"
    command = ["sh", "./build.sh"]
    env     = { TOKEN = var.token }
  }
  deploy {
    use             = "exec"
    command         = ["sh", "-c", "echo \"{\\\"id\\\": \\\"dep-$STRATA_ARTIFACT_ID\\\", \\\"url\\\": \\\"http://api.test/$STRATA_ARTIFACT_TAG\\\"}\""]
    destroy_command = ["sh", "-c", "echo destroyed $STRATA_DEPLOYMENT_ID >> destroyed.txt"]
  }
  release {
    use "exec" {
      command = ["sh", "-c", "echo '{\"url\": \"https://shop.test/\"}'"]
    }
  }
}
)");
  p.write("build.sh",
          "n=$(( $(cat count 2>/dev/null || echo 0) + 1 )); echo $n > count\n"
          "echo \"building with token $TOKEN\" >&2\n"
          "echo '{\"id\": \"build-'$n'\", \"tag\": \"v'$n'\", \"digest\": \"sha256:'$n'\"}'\n");
}

TEST(AppCli, InitWritesAStarterThatLoadsAndNeverOverwrites) {
  TestProject p;
  CliResult init = p.run({"app", "init"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_NE(p.read("cloudstation.hcl").find("use        = \"oci\""), std::string::npos);
  CliResult status = p.run({"app", "status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("nothing built or deployed yet"), std::string::npos) << status.out;
  p.write("cloudstation.hcl", "# mine\n");
  CliResult again = p.run({"app", "init"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.err, "error: cloudstation.hcl already exists here; not overwriting it\n"
                       "  hint: edit it, or remove it first to start again\n");
  EXPECT_EQ(p.read("cloudstation.hcl"), "# mine\n");
}

TEST(AppCli, UpRunsEveryPhaseWithExecAndRecordsEachResult) {
  TestProject p;
  write_exec_project(p);
  CliResult up = p.run({"app", "up", "--json"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto j = nlohmann::json::parse(up.out);
  EXPECT_EQ(j["app"], "api");
  EXPECT_EQ(j["artifact"]["id"], "build-1");
  EXPECT_EQ(j["registry"], nullptr);  // no registry block: deployed as built
  // deploy.sh saw the artifact in its environment.
  EXPECT_EQ(j["deployment"]["id"], "dep-build-1");
  EXPECT_EQ(j["deployment"]["url"], "http://api.test/v1");
  EXPECT_EQ(j["release"]["url"], "https://shop.test/");
  // The build's stderr is shown as progress, with the sensitive value redacted.
  EXPECT_NE(up.err.find("building with token (sensitive)"), std::string::npos) << up.err;
  EXPECT_EQ(up.err.find("hunter2"), std::string::npos) << up.err;
  // Each phase's result is on disk for the next command.
  for (const char* f : {"build.json", "deploy.json", "release.json", "history.json"})
    EXPECT_TRUE(p.exists(std::string(".strata/apps/api/") + f)) << f;
  CliResult status = p.run({"app", "status"});
  EXPECT_EQ(status.out,
            "app api:\n"
            "  build     exec      api:v1 sha256:1\n"
            "  deploy    exec      dep-build-1 running, unknown, http://api.test/v1\n"
            "  release   exec      https://shop.test/\n");
}

TEST(AppCli, RollbackDeploysThePreviousArtifactAgain) {
  TestProject p;
  write_exec_project(p);
  ASSERT_EQ(p.run({"app", "up"}).exit_code, 0);
  ASSERT_EQ(p.run({"app", "up"}).exit_code, 0);
  CliResult rollback = p.run({"app", "rollback", "--json"});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.err;
  EXPECT_EQ(nlohmann::json::parse(rollback.out)["deployment"]["id"], "dep-build-1");
  // And again: back to build-2, the one deployed before build-1's return.
  CliResult forth = p.run({"app", "rollback", "--json"});
  EXPECT_EQ(nlohmann::json::parse(forth.out)["deployment"]["id"], "dep-build-2");
  CliResult destroy = p.run({"app", "destroy"});
  EXPECT_EQ(destroy.exit_code, 0) << destroy.err;
  EXPECT_EQ(p.read("destroyed.txt"), "destroyed dep-build-2\n");
}

TEST(AppCli, RollbackWithNothingEarlierSaysSo) {
  TestProject p;
  write_exec_project(p);
  ASSERT_EQ(p.run({"app", "up"}).exit_code, 0);
  CliResult r = p.run({"app", "rollback"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: app \"api\" has no earlier deployment to roll back to\n"
                   "  hint: rollback redeploys the artifact deployed before the current one; deploy another build first\n");
}

TEST(AppCli, ExecThatPrintsNoJsonFailsItsPhaseNamingThePlugin) {
  TestProject p;
  p.write("cloudstation.hcl",
          "app \"web\" {\n  build {\n    use = \"exec\"\n    command = [\"sh\", \"-c\", \"echo built it\"]\n  }\n"
          "  deploy { use = \"noop\" }\n}\n");
  CliResult r = p.run({"app", "build"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: build phase failed (exec): exec: sh printed no JSON object on stdout (its last line: built it)\n"
                   "  hint: print the result as one JSON object on the last line of stdout, e.g. {\"id\": \"v1\"}; log to stderr\n");
}

TEST(AppCli, LocalAppThatExitsBeforeListeningFailsTheDeployWithItsOutput) {
  TestProject p;
  p.write("cloudstation.hcl",
          "app \"web\" {\n  build { use = \"noop\" }\n"
          "  deploy {\n    use = \"local\"\n    command = [\"sh\", \"-c\", \"echo cannot bind >&2; exit 3\"]\n  }\n"
          "  config { internal_port = 1 }\n}\n");
  CliResult r = p.run({"app", "up"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: deploy phase failed (local): sh exited with code 3 before it listened on port 1; its output:\n"
                   "cannot bind\n"
                   "  hint: its whole output is in " + p.root() + "/.strata/apps/web/local.log\n");
}

TEST(AppCli, DeployBeforeAnyBuildSaysWhatToRunFirst) {
  TestProject p;
  p.write("cloudstation.hcl", "app \"web\" {\n  build { use = \"noop\" }\n  deploy { use = \"noop\" }\n}\n");
  CliResult r = p.run({"app", "deploy"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: app \"web\" has no build recorded\n"
                   "  hint: run 'strata app build' (or 'strata app up') first\n");
}

TEST(AppCli, UnknownAppAndMissingFileAreExplained) {
  TestProject p;
  CliResult none = p.run({"app", "status"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("no cloudstation.hcl (or waypoint.hcl) in "), std::string::npos) << none.err;
  EXPECT_NE(none.err.find("hint: run 'strata app init'"), std::string::npos) << none.err;
  p.write("cloudstation.hcl", "app \"web\" {\n  build { use = \"noop\" }\n  deploy { use = \"noop\" }\n}\n");
  CliResult r = p.run({"app", "status", "--app", "wbe"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: no app \"wbe\" in cloudstation.hcl\n  hint: did you mean \"web\"? apps: web\n");
}

}  // namespace
}  // namespace strata::testing

// `strata app` through the real binary with plugins that need nothing installed: init, the
// whole lifecycle with exec (its inputs in the environment, its JSON result on stdout), rollback,
// the local platform's failures, and errors that name the phase and the plugin. The shell
// scripts here stand in for real build and deploy tools.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/integration/e2e_support.h"
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
  EXPECT_EQ(again.err,
            "error: cloudstation.hcl already exists here; not overwriting it\n"
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
  EXPECT_EQ(r.err,
            "error: app \"api\" has no earlier deployment to roll back to\n"
            "  hint: rollback redeploys the artifact deployed before the current one; deploy "
            "another build first\n");
}

TEST(AppCli, ExecThatPrintsNoJsonFailsItsPhaseNamingThePlugin) {
  TestProject p;
  p.write("cloudstation.hcl",
          "app \"web\" {\n  build {\n    use = \"exec\"\n    command = [\"sh\", \"-c\", \"echo "
          "built it\"]\n  }\n"
          "  deploy { use = \"noop\" }\n}\n");
  CliResult r = p.run({"app", "build"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: build phase failed (exec): exec: sh printed no JSON object on stdout (its last "
            "line: built it)\n"
            "  hint: print the result as one JSON object on the last line of stdout, e.g. {\"id\": "
            "\"v1\"}; log to stderr\n");
}

TEST(AppCli, LocalAppThatExitsBeforeListeningFailsTheDeployWithItsOutput) {
  TestProject p;
  p.write("cloudstation.hcl",
          "app \"web\" {\n  build { use = \"noop\" }\n"
          "  deploy {\n    use = \"local\"\n    command = [\"sh\", \"-c\", \"echo cannot bind >&2; "
          "exit 3\"]\n  }\n"
          "  config { internal_port = 1 }\n}\n");
  CliResult r = p.run({"app", "up"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: deploy phase failed (local): sh exited with code 3 before it listened on port "
            "1; its output:\n"
            "cannot bind\n"
            "  hint: its whole output is in " +
                p.root() + "/.strata/apps/web/local.log\n");
}

// strata killed while the app starts: the process was recorded (pending) the moment it ran, so
// destroy still finds and stops it, and nothing is left running.
TEST(AppCli, AppStartedByAKilledDeployIsStillStoppedByDestroy) {
  TestProject p;
  p.write("cloudstation.hcl",
          "app \"web\" {\n  build { use = \"noop\" }\n"
          "  deploy {\n    use = \"local\"\n    command = [\"sh\", \"-c\", \"exec sleep 60\"]\n"
          "    startup_timeout_seconds = 60\n  }\n"
          "  config { internal_port = 1 }\n}\n");
  {
    BackgroundStrata up(p, {"app", "up"}, {});
    ASSERT_TRUE(eventually(
        [&] {
          std::string record;
          return try_read_file(p.path(".strata/apps/web/deploy.json"), record) &&
                 record.find("\"state\": \"pending\"") != std::string::npos;
        },
        std::chrono::seconds(20)));
    up.kill();
    up.wait();
  }
  EXPECT_FALSE(processes_mentioning(p.root()).empty())
      << "the app should have outlived the killed strata";
  CliResult destroy = p.run({"app", "destroy"});
  EXPECT_EQ(destroy.exit_code, 0) << destroy.err;
  auto left = wait_for_no_process(p.root(), std::chrono::seconds(5));
  EXPECT_TRUE(left.empty()) << join(left);
  kill_leftovers(left);
}

TEST(AppCli, DeployBeforeAnyBuildSaysWhatToRunFirst) {
  TestProject p;
  p.write("cloudstation.hcl",
          "app \"web\" {\n  build { use = \"noop\" }\n  deploy { use = \"noop\" }\n}\n");
  CliResult r = p.run({"app", "deploy"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: app \"web\" has no build recorded\n"
            "  hint: run 'strata app build' (or 'strata app up') first\n");
}

TEST(AppCli, UnknownAppAndMissingFileAreExplained) {
  TestProject p;
  CliResult none = p.run({"app", "status"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("no cloudstation.hcl (or waypoint.hcl) in "), std::string::npos)
      << none.err;
  EXPECT_NE(none.err.find("hint: run 'strata app init'"), std::string::npos) << none.err;
  p.write("cloudstation.hcl",
          "app \"web\" {\n  build { use = \"noop\" }\n  deploy { use = \"noop\" }\n}\n");
  CliResult r = p.run({"app", "status", "--app", "wbe"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: no app \"wbe\" in cloudstation.hcl\n  hint: did you mean \"web\"? apps: web\n");
}

// Stand-ins for docker, nixpacks, nomad-pack and nomad (none can run here: no Docker daemon, no
// Nomad): shell scripts first on PATH that log their command line and the environment values the
// plugins must pass, and answer as the real tools do.
std::map<std::string, std::string> write_standins(TestProject& p) {
  p.write(
      "standins/docker",
      "#!/bin/sh\necho \"docker $*\" >> \"$STANDIN_LOG\"\n"
      "case \"$1\" in\n"
      "  info) if [ -n \"$DOCKER_DOWN\" ]; then echo 'Cannot connect to the Docker daemon at "
      "unix:///var/run/docker.sock. Is the docker daemon running?' >&2; exit 1; fi; echo 24.0.7;;\n"
      "  build) echo \"  env NPM_TOKEN=$NPM_TOKEN EXTRA=$EXTRA\" >> \"$STANDIN_LOG\"; echo "
      "'Successfully built 5f1d';;\n"
      "  image) echo sha256:1111111111111111111111111111111111111111111111111111111111111111;;\n"
      "  push) echo 'The push refers to repository [registry.example.com/team/web]'; "
      "echo 'v7: digest: sha256:2222222222222222222222222222222222222222222222222222222222222222 "
      "size: 527';;\n"
      "esac\n");
  p.write("standins/nixpacks", "#!/bin/sh\necho \"nixpacks $*\" >> \"$STANDIN_LOG\"\n");
  p.write("standins/nomad-pack",
          "#!/bin/sh\necho \"nomad-pack $*\" >> \"$STANDIN_LOG\"\n"
          "echo \"  env NOMAD_ADDR=$NOMAD_ADDR NOMAD_TOKEN=$NOMAD_TOKEN\" >> \"$STANDIN_LOG\"\n");
  p.write("standins/nomad",
          "#!/bin/sh\necho \"nomad $*\" >> \"$STANDIN_LOG\"\n"
          "if [ \"$2\" = status ]; then printf 'ID            = web\\nName          = web\\nType   "
          "       = service\\n"
          "Status        = running\\n'; fi\n");
  for (const char* tool : {"docker", "nixpacks", "nomad-pack", "nomad"})
    std::filesystem::permissions(p.path(std::string("standins/") + tool),
                                 std::filesystem::perms::owner_all);
  return {{"PATH", p.path("standins") + ":" + std::string(getenv("PATH"))},
          {"STANDIN_LOG", p.path("standins.log")}};
}

const char* kDockerNomadApp = R"(
variable "npm_token" {
  default   = "npm-secret-1"
  sensitive = true
}
variable "nomad_token" {
  default   = "nomad-secret-2"
  sensitive = true
}
app "web" {
  build {
    use "docker" {
      dockerfile = "Dockerfile.prod"
      build_args = { NPM_TOKEN = var.npm_token }
    }
    registry {
      use "docker" {
        image = "registry.example.com/team/web"
        tag   = "v7"
      }
    }
  }
  deploy {
    use "nomadpack" {
      pack        = "simple_service"
      registry    = "community"
      nomad_addr  = "http://nomad.test:4646"
      nomad_token = var.nomad_token
      vars        = { count = "2" }
    }
  }
}
)";

TEST(AppStandIns, DockerBuildAndPushThenNomadPackRunWithSecretsOnlyInTheEnvironment) {
  TestProject p;
  auto env = write_standins(p);
  p.write("cloudstation.hcl", kDockerNomadApp);
  CliResult up = p.run({"app", "up", "--json"}, env);
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto j = nlohmann::json::parse(up.out);
  EXPECT_EQ(j["artifact"]["id"],
            "sha256:1111111111111111111111111111111111111111111111111111111111111111");
  EXPECT_EQ(j["registry"]["reference"],
            "registry.example.com/team/"
            "web:v7@sha256:2222222222222222222222222222222222222222222222222222222222222222");
  EXPECT_EQ(j["deployment"]["state"], "running");
  EXPECT_EQ(j["deployment"]["health"], "nomad: running");
  ASSERT_EQ(p.run({"app", "status"}, env).exit_code, 0);
  ASSERT_EQ(p.run({"app", "destroy"}, env).exit_code, 0);
  // The exact command lines; secrets appear only as environment values the tools received.
  EXPECT_EQ(p.read("standins.log"),
            "docker info --format {{.ServerVersion}}\n"
            "docker build -t web:latest -f Dockerfile.prod --build-arg NPM_TOKEN .\n"
            "  env NPM_TOKEN=npm-secret-1 EXTRA=\n"
            "docker image inspect --format {{.Id}} web:latest\n"
            "docker info --format {{.ServerVersion}}\n"
            "docker tag web:latest registry.example.com/team/web:v7\n"
            "docker push registry.example.com/team/web:v7\n"
            "nomad-pack run simple_service --name web --registry community "
            "--var image=registry.example.com/team/web:v7 --var count=2\n"
            "  env NOMAD_ADDR=http://nomad.test:4646 NOMAD_TOKEN=nomad-secret-2\n"
            "nomad job status -short web\n"
            "nomad job status -short web\n"
            "nomad job stop -purge web\n");
  for (const char* secret : {"npm-secret-1", "nomad-secret-2"}) {
    EXPECT_EQ((up.out + up.err).find(secret), std::string::npos) << secret;
    for (const auto& e : std::filesystem::recursive_directory_iterator(p.path(".strata")))
      if (e.is_regular_file()) {
        EXPECT_EQ(read_file(e.path().string()).find(secret), std::string::npos) << e.path();
      }
  }
}

TEST(AppStandIns, NoDockerDaemonIsSaidBeforeAnyBuild) {
  TestProject p;
  auto env = write_standins(p);
  env["DOCKER_DOWN"] = "1";
  p.write("cloudstation.hcl",
          "app \"web\" {\n  build { use = \"docker\" }\n  deploy { use = \"noop\" }\n}\n");
  CliResult r = p.run({"app", "build"}, env);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: build phase failed (docker): the Docker daemon does not answer (docker info "
            "exited with code 1: "
            "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker "
            "daemon running?)\n"
            "  hint: start dockerd (or set DOCKER_HOST); the docker plugin needs it. The oci "
            "builder and the "
            "registry plugin need no daemon\n");
  EXPECT_EQ(p.read("standins.log"), "docker info --format {{.ServerVersion}}\n");
}

TEST(AppStandIns, NixpacksBuildsIntoTheDaemonUnderTheImageName) {
  TestProject p;
  auto env = write_standins(p);
  p.write("cloudstation.hcl",
          "app \"web\" {\n  build {\n    use = \"nixpacks\"\n    tag = \"v2\"\n    env = { "
          "NODE_ENV = \"production\" }\n  }\n"
          "  deploy { use = \"noop\" }\n}\n");
  CliResult r = p.run({"app", "build", "--json"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["artifact"]["image"], "web");
  EXPECT_EQ(p.read("standins.log"),
            "docker info --format {{.ServerVersion}}\n"
            "nixpacks build . --name web:v2 --env NODE_ENV=production\n"
            "docker image inspect --format {{.Id}} web:v2\n");
}

// The fake Vault of tests/data/app/fake_vault.py (a test double) on a free loopback port, stopped
// on scope exit.
class FakeVault {
 public:
  explicit FakeVault(const TestProject& p) : port_file_(p.path("vault.port")) {
    SubprocessOptions o;
    o.argv = {"python3", source_dir() + "/tests/data/app/fake_vault.py", port_file_};
    o.capture_stderr = true;
    o.kill_grace = std::chrono::seconds(1);
    process_ = std::make_unique<Subprocess>(std::move(o));
    result_ = std::async(std::launch::async, [this] { return process_->run(); });
  }
  ~FakeVault() {
    process_->terminate();
    result_.wait();
  }
  // "http://127.0.0.1:PORT", once it listens ("" if it never did).
  std::string address() {
    std::string port;
    for (int i = 0; i < 100 && port.empty(); ++i) {
      try_read_file(port_file_, port);
      if (port.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return port.empty() ? "" : "http://127.0.0.1:" + port;
  }

 private:
  std::string port_file_;
  std::unique_ptr<Subprocess> process_;
  std::future<SubprocessResult> result_;
};

std::string csdocker_app(const std::string& vault) {
  return R"(
variable "vault_secret_id" {
  type      = string
  sensitive = true
  env       = ["VAULT_SECRET_ID"]
}
app "web" {
  build {
    use        = "csdocker"
    build_args = { EXTRA = "mine" }
    vault {
      address   = ")" +
         vault + R"("
      role_id   = "web-role"
      secret_id = var.vault_secret_id
      path      = "apps/web"
    }
  }
  deploy { use = "noop" }
}
)";
}

TEST(AppStandIns, CsdockerGetsVaultSecretsAsBuildArgsOnlyInDockersEnvironment) {
  TestProject p;
  auto env = write_standins(p);
  FakeVault vault(p);
  std::string address = vault.address();
  ASSERT_FALSE(address.empty()) << "the fake Vault did not start";
  p.write("cloudstation.hcl", csdocker_app(address));
  env["VAULT_SECRET_ID"] = "right-secret-id";
  CliResult r = p.run({"app", "build", "--json"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // NPM_TOKEN came from Vault; EXTRA was set in build_args and Vault's value did not replace it.
  EXPECT_EQ(p.read("standins.log"),
            "docker info --format {{.ServerVersion}}\n"
            "docker build -t web:latest --build-arg EXTRA --build-arg NPM_TOKEN .\n"
            "  env NPM_TOKEN=npm-from-vault EXTRA=mine\n"
            "docker image inspect --format {{.Id}} web:latest\n");
  EXPECT_NE(r.err.find("vault: 1 build arguments from secret/apps/web"), std::string::npos)
      << r.err;
  for (const char* secret : {"npm-from-vault", "right-secret-id", "s.fake-token"})
    EXPECT_EQ((r.out + r.err).find(secret), std::string::npos) << secret;
}

TEST(AppStandIns, CsdockerWithAWrongSecretIdFailsClearlyAndShowsNoSecret) {
  TestProject p;
  auto env = write_standins(p);
  FakeVault vault(p);
  std::string address = vault.address();
  ASSERT_FALSE(address.empty()) << "the fake Vault did not start";
  p.write("cloudstation.hcl", csdocker_app(address));
  env["VAULT_SECRET_ID"] = "wrong-secret-id";
  CliResult r = p.run({"app", "up"}, env);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: build phase failed (csdocker): vault: AppRole login at " + address +
                       " failed: invalid role or secret ID (HTTP 400)\n"
                       "  hint: check role_id and secret_id (a secret_id may have expired or "
                       "reached its use limit)\n");
  EXPECT_EQ((r.out + r.err).find("wrong-secret-id"), std::string::npos);
  EXPECT_FALSE(p.exists("standins.log"));  // docker never ran
}

}  // namespace
}  // namespace strata::testing

// cloudstation.hcl as users write it, in CloudStation's and in Waypoint's form, and every kind of
// mistake as the user sees it: one data file per mistake under tests/data/app/config_errors
// (NAME.hcl and the exact error, NAME.err), so a new mistake is a new pair of files.
#include "app/app_config.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "app/lifecycle.h"
#include "base/atomic_file.h"
#include "base/temp_dir.h"
#include "tests/support/conformance.h"
#include "tests/support/data_cases.h"

namespace strata::app {
namespace {

namespace fs = std::filesystem;
using strata::testing::DataCase;

// Writes `text` as cloudstation.hcl in `dir` and loads it as `strata app` does.
LoadedProject load(const TempDir& dir, const std::string& text,
                   std::map<std::string, std::string> env = {}) {
  write_file_atomic(dir.file("cloudstation.hcl"), text, 0644, Durability::kRenameOnly);
  return load_project(dir.path(), env);
}

// The error `strata app` prints for `text` ("" when it loads).
std::string load_error(const std::string& text, std::map<std::string, std::string> env = {}) {
  TempDir dir("app-config");
  try {
    load(dir, text, std::move(env));
  } catch (const Error& e) {
    return e.render();
  }
  return "";
}

TEST(AppConfigTest, CloudStationFormWithVariablesAndFunctions) {
  TempDir dir("app-config");
  fs::create_directories(dir.file("web"));
  LoadedProject p = load(dir, R"(
project = "demo"

variable "port" {
  type    = number
  default = 8080
  env     = ["DEMO_PORT"]
}

variable "token" {
  type      = string
  default   = "t0ps3cret"
  sensitive = true
}

app "web" {
  path   = "./web"
  labels = { team = "edge", tier = upper("front") }
  build {
    use        = "oci"
    entrypoint = ["python3", "server.py"]
    env        = { TOKEN = var.token }
  }
  registry {
    use        = "registry"
    address    = "127.0.0.1:5000"
    repository = "demo/${lower("WEB")}"
    insecure   = true
  }
  deploy { use = "local" }
  config {
    env           = { GREETING = "hi", PORT_TEXT = var.port }
    internal_port = var.port + 1
  }
}
)",
                         {{"DEMO_PORT", "9000"}});
  EXPECT_EQ(p.config.project, "demo");
  ASSERT_EQ(p.config.apps.size(), 1u);
  const AppConfig& a = p.config.apps[0];
  EXPECT_EQ(a.name, "web");
  EXPECT_EQ(a.path, "./web");
  EXPECT_EQ(a.labels, (std::map<std::string, std::string>{{"team", "edge"}, {"tier", "FRONT"}}));
  ASSERT_TRUE(a.build && a.registry && a.deploy);
  EXPECT_FALSE(a.release);
  EXPECT_EQ(a.build->use, "oci");
  EXPECT_EQ(a.registry->use, "registry");
  EXPECT_EQ(a.registry->options.at("repository").as_string(), "demo/web");
  EXPECT_EQ(a.deploy->use, "local");
  // The environment set the port (9000), and it is a number, so + 1 works.
  EXPECT_EQ(a.internal_port, 9001);
  EXPECT_EQ(a.env, (std::map<std::string, std::string>{{"GREETING", "hi"}, {"PORT_TEXT", "9000"}}));
  // The sensitive value is known to the redactor, and is redacted wherever it goes.
  EXPECT_EQ(p.config.sensitive_values, std::vector<std::string>{"t0ps3cret"});
  EXPECT_EQ(p.redactor->redact("TOKEN=t0ps3cret"), "TOKEN=(sensitive)");
}

TEST(AppConfigTest, WaypointBlockFormWithTheRegistryInsideBuild) {
  TempDir dir("app-config");
  LoadedProject p = load(dir, R"(
project = "demo"

app "web" {
  build {
    use "oci" {
      entrypoint = ["python3", "server.py"]
    }
    registry {
      use "registry" {
        address  = "127.0.0.1:5000"
        insecure = true
      }
    }
  }
  deploy {
    use "local" {
      startup_timeout_seconds = 5
    }
  }
  release {
    use "noop" {}
  }
}
)");
  const AppConfig& a = p.config.apps.at(0);
  EXPECT_EQ(a.path, ".");
  ASSERT_TRUE(a.build && a.registry && a.deploy && a.release);
  EXPECT_EQ(a.build->use, "oci");
  EXPECT_EQ(a.build->options.at("entrypoint").as_list().size(), 2u);
  EXPECT_EQ(a.registry->use, "registry");
  EXPECT_EQ(a.registry->options.at("address").as_string(), "127.0.0.1:5000");
  EXPECT_EQ(a.deploy->options.at("startup_timeout_seconds").as_number().text(), "5");
  EXPECT_EQ(a.release->use, "noop");
  // Where the plugin is named: the label of `use "oci"` (line 6, column 9).
  EXPECT_EQ(a.build->use_origin.str(), "cloudstation.hcl:6:9");
}

TEST(AppConfigTest, WaypointHclIsReadWhenThereIsNoCloudstationHcl) {
  TempDir dir("app-config");
  write_file_atomic(dir.file("waypoint.hcl"),
                    "project = \"wp\"\napp \"api\" {\n  build {\n    use \"noop\" {}\n  }\n"
                    "  deploy {\n    use \"noop\" {}\n  }\n}\n",
                    0644, Durability::kRenameOnly);
  LoadedProject p = load_project(dir.path(), {});
  EXPECT_EQ(p.config.file, "waypoint.hcl");
  EXPECT_EQ(p.config.apps.at(0).name, "api");
}

TEST(AppConfigTest, SeveralAppsNeedAnAppNameAndAMistypedOneIsSuggested) {
  TempDir dir("app-config");
  LoadedProject p =
      load(dir,
           "app \"web\" {\n  build { use = \"noop\" }\n  deploy { use = \"noop\" }\n}\n"
           "app \"worker\" {\n  build { use = \"noop\" }\n  deploy { use = \"noop\" }\n}\n");
  try {
    select_app(p.config, "");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.render(), "the project has 2 apps (web, worker): choose one with --app NAME");
  }
  try {
    select_app(p.config, "wrker");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(
        e.render(),
        "no app \"wrker\" in cloudstation.hcl\n  hint: did you mean \"worker\"? apps: web, worker");
  }
  EXPECT_EQ(select_app(p.config, "worker").name, "worker");
}

// One case per mistake: tests/data/app/config_errors/NAME.hcl must fail with exactly NAME.err.
// The cases run with TEST_BAD_PORT=abc in the environment the file reads.
class AppConfigErrors : public ::testing::TestWithParam<DataCase> {};

TEST_P(AppConfigErrors, SaysWhereAndWhatToDo) {
  std::string expected;
  std::string err_file = GetParam().path.substr(0, GetParam().path.size() - 4) + ".err";
  ASSERT_TRUE(try_read_file(err_file, expected)) << "missing " << err_file;
  while (!expected.empty() && expected.back() == '\n') expected.pop_back();
  EXPECT_EQ(load_error(read_file(GetParam().path), {{"TEST_BAD_PORT", "abc"}}), expected);
}

INSTANTIATE_TEST_SUITE_P(Cases, AppConfigErrors,
                         ::testing::ValuesIn(strata::testing::data_cases(
                             strata::testing::source_dir() + "/tests/data/app/config_errors",
                             [](const fs::path& p) { return p.extension() == ".hcl"; }, false,
                             ".hcl")),
                         strata::testing::data_case_name);

}  // namespace
}  // namespace strata::app

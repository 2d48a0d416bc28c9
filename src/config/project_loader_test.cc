#include "config/project_loader.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "config/test_project_dir.h"

namespace strata::config {
namespace {

LoadOptions options_for(const TestProjectDir& dir, const std::string& sub = "") {
  LoadOptions o;
  o.start_dir = sub.empty() ? dir.path() : dir.file(sub);
  o.inherit_process_env = false;
  o.environment = {{"HOME", "/home/me"}, {"SHELL_WINS", "shell"}};
  return o;
}

std::vector<std::string> rendered(const Diagnostics& d) {
  std::vector<std::string> out;
  for (const auto& item : d.items()) out.push_back(item.render());
  return out;
}

TEST(ProjectLoader, FindsTheRootAboveTheCurrentFolder) {
  TestProjectDir dir;
  dir.write("comet.yaml", "stacks_dir: stacks\n");
  dir.write("stacks/deep/er/keep.txt", "");
  EXPECT_EQ(find_project_root(dir.file("stacks/deep/er")), dir.path());
  TestProjectDir bare;
  EXPECT_EQ(find_project_root(bare.path()), bare.path());
  TestProjectDir kompos;
  kompos.write(".komposconfig.yaml", "");
  kompos.write("config/env=dev/x.yaml", "");
  EXPECT_EQ(find_project_root(kompos.file("config/env=dev")), kompos.path());
}

TEST(ProjectLoader, AStacksFolderOfStackFilesIsAProjectAndNothingElseIs) {
  TestProjectDir comet;
  comet.write("stacks/dev.js", "stack('dev')\n");
  comet.write("modules/vpc/main.tf", "");
  EXPECT_EQ(search_project_root(comet.file("modules/vpc")), comet.path());
  EXPECT_EQ(search_project_root(comet.file("stacks")), comet.path());
  TestProjectDir empty_stacks;
  empty_stacks.write("stacks/README.md", "");
  EXPECT_EQ(search_project_root(empty_stacks.path()), std::nullopt);
  EXPECT_EQ(find_project_root(empty_stacks.path()), empty_stacks.path());
  TestProjectDir kompos;
  kompos.write("config/env=dev/composition=terraform/terraform=vpc/vpc.yaml", "cidr: 10.0.0.0/16\n");
  EXPECT_EQ(search_project_root(kompos.file("config/env=dev")), kompos.path());
  TestProjectDir layers_only;
  layers_only.write("config/env=dev/defaults.yaml", "env: dev\n");
  EXPECT_EQ(search_project_root(layers_only.path()), std::nullopt);
  // A settings file above wins over a nearer stacks/ folder inside the project.
  TestProjectDir nested;
  nested.write("strata.yaml", "");
  nested.write("modules/tool/stacks/x.js", "");
  EXPECT_EQ(search_project_root(nested.file("modules/tool")), nested.path());
}

TEST(ProjectLoader, LoadsJsStacksWithSettingsAndEnv) {
  TestProjectDir dir;
  dir.write("strata.yaml",
            "stacks_dir: infra\nwork_dir: infra/.work\nenv:\n  FROM_YAML: y\n  SHELL_WINS: yaml\n");
  dir.write(".env", "FROM_DOTENV=d\nOVERRIDDEN=dotenv\nSHELL_WINS=dotenv\n");
  dir.write(".env.local", "OVERRIDDEN=local\n");
  dir.write("infra/dev.js",
            "const lib = require('./lib/names');\n"
            "stack('dev', {});\n"
            "component('app', 'modules/app', { name: lib.name('app'), yaml: env.FROM_YAML,\n"
            "  dotenv: env.FROM_DOTENV, overridden: env.OVERRIDDEN, shell: env.SHELL_WINS,\n"
            "  missing: env.NOT_SET });\n");
  dir.write("infra/lib/names.js", "exports.name = (n) => `acme-${n}`;\n");
  dir.write("infra/.work/dev/app/copy.js", "stack('copy', {}); component('x', 'y', {});\n");
  LoadedProject loaded = load_project_with_diagnostics(options_for(dir, "infra/lib"));
  EXPECT_TRUE(loaded.diagnostics.empty()) << rendered(loaded.diagnostics)[0];
  const Project& p = loaded.project;
  EXPECT_EQ(p.root, dir.path());
  EXPECT_EQ(p.settings.stacks_dir, "infra");
  ASSERT_EQ(p.stacks.size(), 1u);
  const Stack& dev = p.stacks.at("dev");
  EXPECT_EQ(dev.source_file, "infra/dev.js");
  EXPECT_EQ(
      to_json_text(dev.components.at(0).inputs, -1),
      R"({"dotenv":"d","missing":"","name":"acme-app","overridden":"local","shell":"shell","yaml":"y"})");
  EXPECT_EQ(p.settings.env.at("OVERRIDDEN"), "local");
  EXPECT_EQ(p.settings.env.count("SHELL_WINS"), 0u);
  EXPECT_EQ(loaded.environment.at("HOME"), "/home/me");
}

TEST(ProjectLoader, ReportsEveryProblem) {
  TestProjectDir dir;
  dir.write("stacks/a.js", "stack('dev', {});\ncomponent('vpc', 'm/vpc', {});\n");
  dir.write("stacks/b.js", "stack('dev', {});\ncomponent('db', 'm/db', {});\n");
  dir.write("stacks/c.js",
            "stack('prod', {});\n"
            "component('db', 'm/db', { depends_on: ['dev/vpx'] });\n");
  dir.write("stacks/d.js", "stack('broken', {});\nnull.x;\n");
  dir.write("stacks/helper.js", "module.exports = { x: 1 };\n");
  LoadedProject loaded = load_project_with_diagnostics(options_for(dir));
  auto errors = rendered(loaded.diagnostics);
  ASSERT_EQ(errors.size(), 3u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0],
            "stacks/b.js:1:1: stack 'dev' is declared twice: in stacks/a.js (stacks/a.js:1:1) and "
            "in stacks/b.js\n  hint: give each stack its own name; stack names must be unique in a "
            "project");
  EXPECT_EQ(errors[1].substr(0, 40), "stacks/d.js:2:5: TypeError: null is not ");
  EXPECT_EQ(errors[2],
            "stacks/c.js:2:1: component prod/db refers to dev/vpx, which does not exist\n"
            "  hint: did you mean dev/vpc?");
  EXPECT_EQ(loaded.project.stacks.size(), 2u);  // dev (from a.js) and prod
  EXPECT_THROW(load_project(options_for(dir)), Error);
}

TEST(ProjectLoader, BadSettingsAreReported) {
  TestProjectDir dir;
  dir.write("strata.yaml", "stacks-dir: x\n");
  LoadedProject loaded = load_project_with_diagnostics(options_for(dir));
  ASSERT_EQ(loaded.diagnostics.items().size(), 1u);
  EXPECT_EQ(loaded.diagnostics.items()[0].origin.str(), "strata.yaml:1:1");
}

}  // namespace
}  // namespace strata::config

namespace strata::config {
namespace {

// A stack file as a Comet user writes it loads into the model Comet's behaviour implies.
TEST(ProjectLoader, CometProjectLoadsWithTheRightModel) {
  const char* src = std::getenv("STRATA_SOURCE_DIR");
  LoadOptions o;
  o.start_dir = std::string(src ? src : ".") + "/tests/data/js/comet/stacks";
  o.inherit_process_env = false;
  o.js_cache = false;  // the project is in the source tree: write nothing there
  Project p = load_project(o);
  EXPECT_EQ(p.settings.engine, "terraform");
  EXPECT_EQ(p.settings.work_dir, "stacks/_components");
  ASSERT_EQ(p.stacks.size(), 1u);  // stacks/_components/ (the work dir) is not searched
  const Stack& dev = p.stacks.at("dev");
  EXPECT_EQ(dev.source_file, "stacks/dev.stack.js");
  EXPECT_EQ(to_json_text(dev.options, -1),
            R"({"opts":{"common_name":"comet","org":"moonwalker"}})");
  EXPECT_EQ(dev.backend.type, "gcs");
  EXPECT_EQ(
      to_json_text(dev.backend.config, -1),
      R"({"bucket":"mw-tf-state","prefix":"moonwalker-comet/stacks/{{ .stack }}/{{ .component }}"})");
  ASSERT_EQ(dev.components.size(), 4u);
  EXPECT_EQ(dev.components[0].name, "project");
  EXPECT_EQ(to_json_text(dev.components[0].inputs, -1), R"({"name":"comet-dev-p1"})");
  EXPECT_EQ(to_json_text(dev.components[1].inputs, -1), R"({"name":"comet-dev-p2"})");
  const Component* vpc = dev.find("vpc");
  ASSERT_TRUE(vpc);
  EXPECT_EQ(to_json_text(vpc->inputs, -1),
            R"({"id":"{{ (state \"dev\" \"project2\").id }}-vpc","name":"comet-dev-p1-vpc"})");
  ASSERT_EQ(vpc->depends_on.size(), 1u);
  EXPECT_EQ(vpc->depends_on[0].str(), "dev/project2");
  const Component* metsrv = dev.find("metsrv");
  ASSERT_TRUE(metsrv);
  EXPECT_EQ(to_json_text(metsrv->inputs, -1), "{}");
  EXPECT_EQ(metsrv->providers.find("kubernetes")->find("host")->as_string(),
            R"(https://{{ (state "dev" "vpc").endpoint }})");
  EXPECT_EQ(metsrv->providers.find("helm")->find("kubernetes")->find("token")->as_string(),
            "data.google_client_config.default.access_token");
  ASSERT_EQ(metsrv->depends_on.size(), 1u);
  EXPECT_EQ(metsrv->depends_on[0].str(), "dev/vpc");
  EXPECT_EQ(metsrv->depends_on[0].origin.str(), "stacks/dev.stack.js:18:1");
  EXPECT_EQ(dev.provider_appends,
            std::vector<std::string>{R"(data "google_client_config" "default" {})"});
}

}  // namespace
}  // namespace strata::config

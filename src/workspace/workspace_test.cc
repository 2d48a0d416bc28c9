#include "workspace/workspace.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "config/test_project_dir.h"
#include "workspace/describe.h"
#include "workspace/targets.h"
#include "workspace/validate.h"

namespace strata::workspace {
namespace {

using config::TestProjectDir;

// A project with one JS stack of two components, the second reading the first's output.
void write_js_project(const TestProjectDir& p) {
  p.write("strata.yaml", "stacks_dir: stacks\n");
  p.write("stacks/dev.js",
          "stack('dev', {region: 'eu'})\n"
          "const vpc = component('vpc', 'modules/vpc', {inputs: {name: '{{ .stack }}-' + env.WHO}})\n"
          "component('app', 'modules/app', {inputs: {vpc: vpc.id, zone: '{{ .region }}'}})\n");
  p.write("modules/vpc/main.tf", "output \"id\" { value = \"x\" }\n");
  p.write("modules/app/main.tf", "variable \"vpc\" {}\nvariable \"zone\" {}\n");
}

WorkspaceOptions options_for(const TestProjectDir& p, Environment env = {}) {
  WorkspaceOptions o;
  o.start_dir = p.path();
  o.env = std::move(env);
  o.js_cache = false;
  return o;
}

// An executable file standing in for an engine binary (never run here).
std::string fake_binary(const TestProjectDir& p, const std::string& rel) {
  p.write(rel, "#!/bin/sh\nexit 0\n");
  ::chmod(p.file(rel).c_str(), 0755);
  return p.file(rel);
}

TEST(WorkspaceTest, TheEnvironmentIsAnInputNotTheProcesses) {
  TestProjectDir p;
  write_js_project(p);
  // Two workspaces of one project in one process, each with its own environment.
  auto a = open_workspace(options_for(p, {{"WHO", "alice"}}));
  auto b = open_workspace(options_for(p, {{"WHO", "bob"}}));
  ASSERT_FALSE(a->diagnostics().has_errors()) << a->diagnostics().items().front().render();
  ASSERT_FALSE(b->diagnostics().has_errors());
  EXPECT_EQ(a->environment().at("WHO"), "alice");
  EXPECT_EQ(b->environment().at("WHO"), "bob");
  auto name = [](const Workspace& ws) {
    return describe_stack(ws, *ws.project().find_stack("dev"), "vpc").components.at(0).inputs.find("name")->as_string();
  };
  EXPECT_EQ(name(*a), "dev-alice");
  EXPECT_EQ(name(*b), "dev-bob");
  // Nothing of the process's environment leaks in.
  EXPECT_EQ(a->environment().count("HOME"), 0u);
}

TEST(WorkspaceTest, EngineComesFromSettingsThenStrataEngineThenPath) {
  TestProjectDir p;
  write_js_project(p);
  std::string bin = p.path() + "/bin";
  fake_binary(p, "bin/terraform");
  fake_binary(p, "bin/tofu");
  std::string named = fake_binary(p, "other/my-terraform");

  auto ws = open_workspace(options_for(p, {{"PATH", bin}}));
  ASSERT_TRUE(ws->engine_selection().choice);
  EXPECT_EQ(ws->engine_selection().choice->path, bin + "/tofu");  // tofu before terraform
  EXPECT_EQ(ws->engine_selection().choice->source, "PATH");

  ws = open_workspace(options_for(p, {{"PATH", bin}, {"STRATA_ENGINE", "terraform"}}));
  EXPECT_EQ(ws->engine_selection().choice->path, bin + "/terraform");
  EXPECT_EQ(ws->engine_selection().choice->source, "STRATA_ENGINE");

  p.write("strata.yaml", "stacks_dir: stacks\nengine: " + named + "\n");
  ws = open_workspace(options_for(p, {{"PATH", bin}, {"STRATA_ENGINE", "terraform"}}));
  EXPECT_EQ(ws->engine_selection().choice->path, named);
  // `strata version` reads only the settings, and names the same engine.
  EngineSelection version = engine_for_folder(p.path() + "/stacks", {{"PATH", bin}}, "");
  ASSERT_TRUE(version.choice);
  EXPECT_EQ(version.choice->path, named);

  auto none = open_workspace(options_for(p, {{"PATH", p.path() + "/nowhere"}}));
  p.write("strata.yaml", "stacks_dir: stacks\n");
  none = open_workspace(options_for(p, {{"PATH", p.path() + "/nowhere"}}));
  EXPECT_FALSE(none->engine_selection().choice);
  try {
    none->make_engine();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("no engine found"), std::string::npos);
  }
}

TEST(WorkspaceTest, PluginCacheFollowsTheGivenEnvironment) {
  TestProjectDir p;
  write_js_project(p);
  fake_binary(p, "bin/tofu");
  auto ws = open_workspace(options_for(p, {{"PATH", p.path() + "/bin"}, {"XDG_CACHE_HOME", "/x/cache"}}));
  EXPECT_EQ(ws->engine_selection().plugin_cache_dir, "/x/cache/strata/plugin-cache");
}

TEST(WorkspaceTest, TargetsAreReadFromTheStartFolderNotTheProcessCwd) {
  TestProjectDir p;
  p.write(".komposconfig.yaml", "komposconfig: {}\n");
  p.write("config/cloud=aws/env=dev/defaults.yaml", "env: dev\n");
  p.write("config/cloud=aws/env=dev/composition=terraform/terraform=vpc/defaults.yaml", "cidr: 10.0.0.0/16\n");
  p.write("compositions/terraform/vpc/main.tf", "variable \"config\" {}\n");
  WorkspaceOptions o = options_for(p);
  o.start_dir = p.path() + "/config";
  auto ws = open_workspace(o);
  ASSERT_FALSE(ws->diagnostics().has_errors()) << ws->diagnostics().items().front().render();
  StackArgument leaf = parse_stack_argument(*ws, "cloud=aws/env=dev/composition=terraform/terraform=vpc");
  EXPECT_EQ(leaf.stack, "cloud=aws/env=dev");
  EXPECT_EQ(leaf.component, "vpc");
  // The same folder relative to the project root.
  StackArgument from_root = parse_stack_argument(*ws, "config/cloud=aws/env=dev/");
  EXPECT_EQ(from_root.stack, "cloud=aws/env=dev");
  EXPECT_TRUE(from_root.component.empty());

  TargetFlags flags;
  flags.words = {"config/cloud=aws/env=dev/composition=terraform/terraform=vpc"};
  SelectionSpec spec = selection_spec(*ws, flags);
  ASSERT_EQ(spec.components.size(), 1u);
  EXPECT_EQ(spec.components[0].str(), "cloud=aws/env=dev/vpc");
  EXPECT_TRUE(spec.stacks.empty());
}

TEST(WorkspaceTest, SelectionFlagsThatContradictAreRefused) {
  TestProjectDir p;
  write_js_project(p);
  auto ws = open_workspace(options_for(p));
  TargetFlags both;
  both.all = true;
  both.words = {"dev"};
  EXPECT_THROW(selection_spec(*ws, both), Error);
  EXPECT_THROW(selection_spec(*ws, TargetFlags{}), Error);
  TargetFlags stack;
  stack.words = {"dev", "app"};
  stack.include_deps = true;
  SelectionSpec spec = selection_spec(*ws, stack);
  EXPECT_EQ(spec.dependencies, DependencyMode::kInclude);
  ASSERT_EQ(spec.components.size(), 1u);
  EXPECT_EQ(spec.components[0].str(), "dev/app");
}

TEST(WorkspaceTest, UnknownNamesSuggestTheNearOne) {
  TestProjectDir p;
  write_js_project(p);
  auto ws = open_workspace(options_for(p));
  try {
    named_stacks(*ws, {"dve"});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "no stack named \"dve\"");
    EXPECT_EQ(e.hint(), "did you mean \"dev\"?");
  }
  try {
    parse_component_arguments(*ws, "dev", "ap", "strata output");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.hint(), "did you mean \"app\"?");
  }
}

TEST(WorkspaceTest, DescribeShowsWhatCannotBeResolvedBeforeARun) {
  TestProjectDir p;
  write_js_project(p);
  auto ws = open_workspace(options_for(p, {{"WHO", "x"}}));
  StackDescription d = describe_stack(*ws, *ws->project().find_stack("dev"), "app");
  ASSERT_EQ(d.components.size(), 1u);
  const ComponentPreview& app = d.components[0];
  EXPECT_EQ(app.inputs.find("zone")->as_string(), "eu");
  ASSERT_EQ(app.unresolved.size(), 1u);
  EXPECT_EQ(app.unresolved[0].rfind("inputs.vpc: ", 0), 0u) << app.unresolved[0];
  EXPECT_NE(app.unresolved[0].find("the outputs of dev/vpc are known only after it is applied"), std::string::npos)
      << app.unresolved[0];
}

TEST(WorkspaceTest, DescribeNamesAStackAComponentOrAConfigFolder) {
  TestProjectDir p;
  p.write(".komposconfig.yaml", "komposconfig: {}\n");
  p.write("config/cloud=aws/defaults.yaml", "cloud: aws\n");
  p.write("config/cloud=aws/env=dev/defaults.yaml", "env: dev\n");
  p.write("config/cloud=aws/env=dev/composition=terraform/terraform=vpc/defaults.yaml", "cidr: 10.0.0.0/16\n");
  p.write("compositions/terraform/vpc/main.tf", "variable \"config\" {}\n");
  auto ws = open_workspace(options_for(p));
  ASSERT_FALSE(ws->diagnostics().has_errors()) << ws->diagnostics().items().front().render();
  // A folder that holds no stack: its merged tree.
  Description folder = describe(*ws, {"config/cloud=aws", "", {}, {"cloud"}});
  ASSERT_TRUE(folder.folder);
  EXPECT_FALSE(folder.stack);
  EXPECT_EQ(to_json_text(folder.folder->tree, -1), "{\"cloud\":\"aws\"}");
  // A leaf folder names the component.
  Description leaf = describe(*ws, {"config/cloud=aws/env=dev/composition=terraform/terraform=vpc", "", {}, {}});
  ASSERT_TRUE(leaf.stack);
  EXPECT_EQ(leaf.component, "vpc");
  ASSERT_EQ(leaf.stack->components.size(), 1u);
  EXPECT_EQ(leaf.stack->components[0].component->name, "vpc");
  // --filter belongs to a folder.
  try {
    describe(*ws, {"cloud=aws/env=dev", "", {}, {"cloud"}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "--exclude and --filter apply to a configuration folder that holds no stack");
  }
  try {
    describe(*ws, {"cloud=aws/env=dev", "vcp", {}, {}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "stack \"cloud=aws/env=dev\" has no component \"vcp\"");
    EXPECT_EQ(e.hint(), "did you mean \"vpc\"?");
    EXPECT_EQ(e.kind(), ErrorKind::kNotFound);
  }
}

TEST(WorkspaceTest, NamedComponentsAndStacksWithDependencies) {
  TestProjectDir p;
  write_js_project(p);
  auto ws = open_workspace(options_for(p, {{"WHO", "x"}}));
  auto strs = [](const std::vector<ComponentRef>& refs) {
    std::string out;
    for (const auto& r : refs) out += (out.empty() ? "" : " ") + r.str();
    return out;
  };
  EXPECT_EQ(strs(named_components(*ws, {"dev"})), "dev/vpc dev/app");
  EXPECT_EQ(strs(named_components(*ws, {"dev", "app"})), "dev/app");
  EXPECT_THROW(named_components(*ws, {"dev", "db"}), Error);
  EXPECT_THROW(named_components(*ws, {"prod"}), Error);
  SelectionSpec all = stacks_with_dependencies(*ws, {});
  EXPECT_TRUE(all.all);
  SelectionSpec dev = stacks_with_dependencies(*ws, {"dev"});
  EXPECT_EQ(dev.stacks, std::vector<std::string>{"dev"});
  EXPECT_EQ(dev.dependencies, DependencyMode::kInclude);
}

TEST(WorkspaceTest, ValidateReportsTemplatesPlanWouldFailOnAndNotWhatNeedsARun) {
  TestProjectDir p;
  p.write("strata.yaml", "stacks_dir: stacks\n");
  p.write("stacks/dev.js",
          "stack('dev', {region: 'eu'})\n"
          "const vpc = component('vpc', 'modules/vpc', {inputs: {name: '{{ .regoin }}'}})\n"
          "component('app', 'modules/app', {inputs: {vpc: vpc.id, zone: '{{ sha512sum \"x\" }}'}})\n");
  p.write("modules/vpc/main.tf", "output \"id\" { value = \"x\" }\n");
  p.write("modules/app/main.tf", "variable \"vpc\" {}\nvariable \"zone\" {}\n");
  auto ws = open_workspace(options_for(p));
  ValidationReport report = validate(*ws);
  EXPECT_EQ(report.errors, 2u);
  std::vector<std::string> errors;
  for (const auto& d : ws->diagnostics().items())
    if (d.severity == Severity::kError) errors.push_back(d.origin.str() + " " + d.message + " | " + d.hint);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].substr(errors[0].find(' ') + 1),
            "dev/vpc inputs.name: <.regoin>: map has no entry for key \"regoin\" | did you mean \"region\"? the keys "
            "there: component, region, stack, stacks_dir");
  EXPECT_EQ(errors[1].substr(errors[1].find(' ') + 1, errors[1].find(" | ") - errors[1].find(' ') - 1),
            "dev/app inputs.zone: function \"sha512sum\" not defined");
  // vpc.id is known only after vpc is applied: describe shows it as such, not as an error.
  StackDescription d = describe_stack(*ws, *ws->project().find_stack("dev"), "app");
  ASSERT_EQ(d.components[0].unresolved.size(), 1u);
  EXPECT_EQ(d.components[0].errors.size(), 1u);
}

TEST(WorkspaceTest, ProblemsAreCollectedNotThrown) {
  TestProjectDir p;
  write_js_project(p);
  p.write("stacks/broken.js", "stack('broken')\ncomponent('x', 'modules/x', {inputs: {a: nope}})\n");
  auto ws = open_workspace(options_for(p));
  ValidationReport report = validate(*ws);
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.errors, 1u);
  EXPECT_EQ(report.stacks, 1u);  // dev loaded
  EXPECT_THROW(ws->throw_if_errors(), Error);
}

}  // namespace
}  // namespace strata::workspace

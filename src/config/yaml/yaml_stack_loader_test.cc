#include "config/yaml/yaml_stack_loader.h"

#include <gtest/gtest.h>

#include "config/test_project_dir.h"

namespace strata::yaml {
namespace {

using config::TestProjectDir;

std::string json(const Value& v) { return to_json_text(v, -1); }

struct Loaded {
  std::map<std::string, Stack> stacks;
  Diagnostics diagnostics;
};

Loaded load(const std::string& root, const std::map<std::string, std::string>& env = {}) {
  Loaded out;
  YamlLoadOptions options;
  options.environment = &env;
  load_yaml_stacks(root, Settings{}, options, out.stacks, out.diagnostics);
  return out;
}

TEST(YamlStacks, LeavesBecomeComponentsOfTheFolderAbove) {
  TestProjectDir dir;
  dir.write(".komposconfig.yaml",
            "komposconfig:\n  terraform:\n    local_path: ./compositions/terraform\n"
            "  compositions:\n    system_keys:\n      terraform: [provider, terraform]\n"
            "    config_keys:\n      excluded:\n        network: [cluster]\n");
  dir.write("compositions/terraform/aws/network/main.tf", "");
  dir.write("compositions/terraform/cluster/main.tf", "");
  dir.write("config/defaults.yaml",
            "cloud: {type: aws}\nprovider: {aws: {region: \"{{region.name}}\"}}\n"
            "terraform: {required_version: \">= 1.5\"}\n");
  dir.write("config/env=dev/env.yaml", "region: {name: us-east-1}\nenv: dev\n");
  dir.write("config/env=dev/cluster=c1/c.yaml",
            "cluster: {name: c1, full: \"{{env}}-{{cluster.name}}\"}\n");
  dir.write("config/env=dev/cluster=c1/composition=terraform/terraform=network/n.yaml",
            "net: {cidr: 10.0.0.0/16}\n");
  dir.write("config/env=dev/cluster=c1/composition=terraform/terraform=cluster/.keep", "");
  dir.write("config/env=dev/cluster=c1/composition=helmfile/helmfile=apps/h.yaml", "x: 1\n");

  Loaded l = load(dir.path());
  ASSERT_FALSE(l.diagnostics.has_errors()) << l.diagnostics.items()[0].render();
  ASSERT_EQ(l.stacks.size(), 1u);
  const Stack& s = l.stacks.at("env=dev/cluster=c1");
  EXPECT_EQ(s.kind, "yaml");
  EXPECT_EQ(s.source_file, "config/env=dev/cluster=c1");
  ASSERT_EQ(s.components.size(), 2u);

  const Component& cluster = s.components[0];
  EXPECT_EQ(cluster.name, "cluster");
  EXPECT_EQ(cluster.stack, "env=dev/cluster=c1");
  // cloud.type names a folder only for network; cluster falls back to <local_path>/cluster.
  EXPECT_EQ(cluster.source, "compositions/terraform/cluster");
  EXPECT_EQ(json(cluster.inputs),
            R"({"config":{"cloud":{"type":"aws"},"cluster":{"full":"dev-c1","name":"c1"},)"
            R"("env":"dev","region":{"name":"us-east-1"}}})");
  EXPECT_EQ(json(cluster.provider_json), R"({"provider":{"aws":{"region":"us-east-1"}},)"
                                         R"("terraform":{"required_version":">= 1.5"}})");

  const Component& network = s.components[1];
  EXPECT_EQ(network.source, "compositions/terraform/aws/network");
  // `cluster` is excluded for network by config_keys.excluded.network.
  EXPECT_EQ(json(network.inputs),
            R"({"config":{"cloud":{"type":"aws"},"env":"dev","net":{"cidr":"10.0.0.0/16"},)"
            R"("region":{"name":"us-east-1"}}})");
  EXPECT_EQ(network.origin.str(),
            "config/env=dev/cluster=c1/composition=terraform/terraform=network");
}

// composition=<type> leaves (newer Kompos): a type routed to terraform by
// compositions.order.terraform is a component; other types are not; a composition=<type>
// folder holding terraform=… leaves is not a leaf itself.
TEST(YamlStacks, TypedCompositionFoldersRoutedToTerraformAreComponents) {
  TestProjectDir dir;
  dir.write(".komposconfig.yaml",
            "komposconfig:\n  compositions:\n    order:\n      terraform: [network, cluster, vpc]\n"
            "      helmfile: [apps]\n");
  dir.write("modules/network/main.tf", "");
  dir.write("modules/cluster/main.tf", "");
  dir.write("modules/vpc/main.tf", "");
  dir.write("config/env=dev/env.yaml", "env: dev\n");
  dir.write("config/env=dev/composition=cluster/c.yaml", "size: 3\n");
  dir.write("config/env=dev/composition=network/n.yaml", "cidr: 10.0.0.0/16\n");
  dir.write("config/env=dev/composition=apps/a.yaml", "replicas: 2\n");
  dir.write("config/env=dev/composition=terraform/terraform=vpc/v.yaml", "cidr: 10.1.0.0/16\n");
  dir.write("config/env=prod/composition=network/terraform=edge/e.yaml", "x: 1\n");
  dir.write("config/env=qa/composition=mystery/m.yaml", "x: 1\n");
  Loaded l = load(dir.path());
  ASSERT_FALSE(l.diagnostics.has_errors()) << l.diagnostics.items()[0].render();
  // A type no order list routes: probably a mistake, so said (once, where it is).
  ASSERT_EQ(l.diagnostics.items().size(), 1u) << l.diagnostics.items()[1].render();
  EXPECT_EQ(l.diagnostics.items()[0].render(),
            "config/env=qa/composition=mystery: warning: composition mystery is in no "
            "compositions.order list of .komposconfig.yaml, so Kompos routes it to no runner and "
            "strata does not run it\n"
            "  hint: add mystery to komposconfig.compositions.order.terraform to run it as a component");
  const Stack& dev = l.stacks.at("env=dev");
  std::vector<std::string> names;
  for (const auto& c : dev.components) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"cluster", "network", "vpc"}));
  const Component& cluster = *dev.find("cluster");
  EXPECT_EQ(cluster.origin.str(), "config/env=dev/composition=cluster");
  EXPECT_EQ(to_json_text(cluster.inputs, -1), R"({"config":{"env":"dev","size":3}})");
  ASSERT_EQ(cluster.depends_on.size(), 1u);  // compositions.order.terraform: network, then cluster
  EXPECT_EQ(cluster.depends_on[0].str(), "env=dev/network");
  EXPECT_EQ(l.stacks.count("env=prod"), 0u);
  EXPECT_EQ(l.stacks.count("env=qa"), 0u);
}

TEST(YamlStacks, CloudProviderSelectsTheModuleFolder) {
  TestProjectDir dir;
  dir.write(".komposconfig.yaml",
            "komposconfig:\n  compositions:\n    source: {local_path: mods, root_path: tf}\n");
  dir.write("mods/tf/gcp/vpc/main.tf", "");
  dir.write("config/a.yaml", "cloud: {provider: gcp}\n");
  dir.write("config/x=1/composition=terraform/terraform=vpc/a.yaml", "");
  Loaded l = load(dir.path());
  EXPECT_TRUE(l.diagnostics.empty());
  EXPECT_EQ(l.stacks.at("x=1").components.at(0).source, "mods/tf/gcp/vpc");
}

TEST(YamlStacks, WithoutKomposConfigModulesFolderIsUsedAndMissingOneIsAWarning) {
  TestProjectDir dir;
  dir.write("config/composition=terraform/terraform=app/a.yaml", "a: 1\n");
  Loaded l = load(dir.path());
  ASSERT_EQ(l.stacks.size(), 1u);
  const Component& c = l.stacks.at("default").components.at(0);
  EXPECT_EQ(c.source, "modules/app");
  EXPECT_TRUE(c.provider_json.is_null());
  ASSERT_EQ(l.diagnostics.items().size(), 1u);
  EXPECT_EQ(l.diagnostics.items()[0].severity, Severity::kWarning);
  EXPECT_EQ(l.diagnostics.items()[0].message,
            "module folder modules/app for component app does not exist");
}

TEST(YamlStacks, DisabledCompositionIsSkipped) {
  TestProjectDir dir;
  dir.write("modules/a/main.tf", "");
  dir.write("modules/b/main.tf", "");
  dir.write("config/s=1/composition=terraform/terraform=a/a.yaml", "composition: {enabled: off}\n");
  dir.write("config/s=1/composition=terraform/terraform=b/b.yaml",
            "composition: {enabled: \"yes\"}\n");
  Loaded l = load(dir.path());
  ASSERT_EQ(l.stacks.at("s=1").components.size(), 1u);
  EXPECT_EQ(l.stacks.at("s=1").components[0].name, "b");
}

TEST(YamlStacks, ABrokenLeafIsADiagnosticAndOthersStillLoad) {
  TestProjectDir dir;
  dir.write("modules/a/main.tf", "");
  dir.write("modules/b/main.tf", "");
  dir.write("config/s=1/composition=terraform/terraform=a/a.yaml", "x: \"{{missing.key}}\"\n");
  dir.write("config/s=1/composition=terraform/terraform=b/b.yaml", "x: fine\n");
  dir.write("config/s=2/composition=terraform/terraform=a/a.yaml", "x: [1\n");
  Loaded l = load(dir.path());
  ASSERT_EQ(l.diagnostics.items().size(), 2u);
  EXPECT_EQ(l.diagnostics.items()[0].render(),
            "config/s=1/composition=terraform/terraform=a/a.yaml:1:4: unresolved placeholder "
            "{{missing.key}} in `x`\n  hint: define `missing.key` in a layer at or above this "
            "folder, or write {{`{{missing.key}}`}} to keep it literal");
  EXPECT_EQ(l.diagnostics.items()[1].origin.path(),
            "config/s=2/composition=terraform/terraform=a/a.yaml");
  ASSERT_EQ(l.stacks.size(), 1u);
  EXPECT_EQ(l.stacks.at("s=1").components.at(0).name, "b");
}

TEST(YamlStacks, ListStrategyFromKomposConfigAndEnvFromOptions) {
  TestProjectDir dir;
  dir.write(".komposconfig.yaml", "strata:\n  list_merge_strategy: append_unique\n");
  dir.write("modules/a/main.tf", "");
  dir.write("config/a.yaml", "zones: [a, b]\n");
  dir.write("config/s=1/composition=terraform/terraform=a/a.yaml",
            "zones: [b, c]\nowner: \"{{env(TEAM)}}\"\n");
  Loaded l = load(dir.path(), {{"TEAM", "platform"}});
  EXPECT_TRUE(l.diagnostics.empty());
  EXPECT_EQ(json(l.stacks.at("s=1").components.at(0).inputs),
            R"({"config":{"owner":"platform","zones":["a","b","c"]}})");
}

TEST(YamlStacks, BadListStrategyPointsIntoKomposConfig) {
  TestProjectDir dir;
  dir.write(".komposconfig.yaml", "strata:\n  list_merge_strategy: replace\n");
  dir.write("config/s=1/composition=terraform/terraform=a/a.yaml", "");
  Loaded l = load(dir.path());
  ASSERT_EQ(l.diagnostics.items().size(), 1u);
  EXPECT_EQ(l.diagnostics.items()[0].origin.str(), ".komposconfig.yaml:2:24");
  EXPECT_EQ(l.diagnostics.items()[0].message, "unknown list merge strategy \"replace\"");
}

TEST(YamlStacks, CompositionOrderBecomesDependencies) {
  TestProjectDir dir;
  dir.write(".komposconfig.yaml",
            "komposconfig:\n  compositions:\n    order:\n      terraform:\n"
            "        - account\n        - network\n        - cluster\n");
  for (const char* m : {"account", "network", "cluster", "extra"})
    dir.write(std::string("modules/") + m + "/main.tf", "");
  for (const char* leaf :
       {"s=1/composition=terraform/terraform=account",
        "s=1/composition=terraform/terraform=cluster", "s=1/composition=terraform/terraform=extra",
        "s=2/composition=terraform/terraform=cluster",
        "s=2/composition=terraform/terraform=account"})
    dir.write(std::string("config/") + leaf + "/a.yaml", "");
  Loaded l = load(dir.path());
  // In s=1, network is absent: cluster follows account directly.
  const Stack& s1 = l.stacks.at("s=1");
  EXPECT_TRUE(s1.find("account")->depends_on.empty());
  ASSERT_EQ(s1.find("cluster")->depends_on.size(), 1u);
  const ComponentRef& dep = s1.find("cluster")->depends_on[0];
  EXPECT_EQ(dep.str() + " " + dep.origin.str(), "s=1/account .komposconfig.yaml:7:11");
  EXPECT_TRUE(s1.find("extra")->depends_on.empty());
  ASSERT_EQ(l.stacks.at("s=2").find("cluster")->depends_on.size(), 1u);
  EXPECT_EQ(l.stacks.at("s=2").find("cluster")->depends_on[0].str(), "s=2/account");
  // A component the order leaves out runs unordered, with a warning (Kompos would skip it).
  ASSERT_EQ(l.diagnostics.items().size(), 1u);
  EXPECT_EQ(l.diagnostics.items()[0].severity, Severity::kWarning);
  EXPECT_EQ(l.diagnostics.items()[0].render(),
            "config/s=1/composition=terraform/terraform=extra: warning: component extra is not in "
            "komposconfig.compositions.order.terraform, so it runs in no particular order "
            "(Kompos would skip it)\n  hint: add extra to compositions.order.terraform in "
            ".komposconfig.yaml");
}

TEST(YamlStacks, SystemKeysFromKomposConfigAndKomposconfigAlwaysLeaveTheTfvars) {
  TestProjectDir dir;
  dir.write(
      ".komposconfig.yaml",
      "komposconfig:\n  compositions:\n    system_keys:\n      terraform: [vault, provider]\n");
  dir.write("modules/a/main.tf", "");
  dir.write("config/a.yaml",
            "vault: {addr: x}\nprovider: {aws: {}}\nterraform: {required_version: \">= 1\"}\n"
            "komposconfig: {mine: 1}\nkeep: 1\n");
  dir.write("config/s=1/composition=terraform/terraform=a/a.yaml", "");
  Loaded l = load(dir.path());
  ASSERT_TRUE(l.diagnostics.empty()) << l.diagnostics.items()[0].render();
  const Component& c = l.stacks.at("s=1").components.at(0);
  // `terraform` is not a system key here, so it stays in the tfvars; provider.tf.json still
  // takes the provider and terraform blocks.
  EXPECT_EQ(json(c.inputs), R"({"config":{"keep":1,"terraform":{"required_version":">= 1"}}})");
  EXPECT_EQ(json(c.provider_json),
            R"({"provider":{"aws":{}},"terraform":{"required_version":">= 1"}})");
}

TEST(YamlStacks, VersionedModuleSourcesOffLeavesTfVersionedFilesAlone) {
  TestProjectDir dir;
  dir.write("modules/a/main.tf.versioned", "module \"m\" { source = \"x?ref={{v}}\" }\n");
  dir.write("modules/b/main.tf", "");
  dir.write("config/s=1/composition=terraform/terraform=a/a.yaml", "v: 1\n");
  dir.write("config/s=1/composition=terraform/terraform=b/b.yaml", "v: 1\n");
  for (bool on : {true, false}) {
    dir.write(".komposconfig.yaml", std::string("komposconfig:\n  terraform:\n"
                                                "    versioned_module_sources: ") +
                                        (on ? "true" : "false") + "\n");
    Diagnostics d;
    std::vector<YamlComponent> loaded = load_yaml_components(dir.path(), Settings{}, {}, d);
    ASSERT_EQ(loaded.size(), 2u);
    // b's module has no .tf.versioned file: nothing to render, no copy of the tree kept.
    EXPECT_TRUE(loaded[1].component.versioned_data.is_null());
    EXPECT_EQ(
        json(loaded[0].component.versioned_data),
        on ? R"({"komposconfig":{"terraform":{"versioned_module_sources":true}},"v":1})" : "null");
    EXPECT_EQ(json(loaded[0].versioned_data), json(loaded[0].component.versioned_data));
  }
}

TEST(YamlStacks, KomposConfigMistakesPointIntoTheFile) {
  struct Case {
    std::string text, expected;
  };
  const Case cases[] = {
      {"komposconfig:\n  terraform:\n    versioned_module_sources: sometimes\n",
       ".komposconfig.yaml:3:31: `komposconfig.terraform.versioned_module_sources` must be true "
       "or false"},
      {"komposconfig:\n  compositions:\n    order:\n      terraform: network\n",
       ".komposconfig.yaml:4:18: `komposconfig.compositions.order.terraform` must be a list of "
       "names, not a string"},
      {"komposconfig:\n  compositions:\n    order:\n      terraform: [a, {b: 1}]\n",
       ".komposconfig.yaml:4:22: `komposconfig.compositions.order.terraform` must hold names, "
       "not a map"},
      {"komposconfig:\n  compositions:\n    config_keys:\n      excluded: [a]\n",
       ".komposconfig.yaml:4:17: `komposconfig.compositions.config_keys.excluded` must be a map, "
       "not a list"},
      {"komposconfig:\n  terraform:\n    local_path: [a]\n",
       ".komposconfig.yaml:3:17: `komposconfig.terraform.local_path` must be a string, not a "
       "list"},
      {"komposconfig:\n  terraform:\n    versioned_extension: tf.versioned\n",
       ".komposconfig.yaml:3:26: `komposconfig.terraform.versioned_extension` must start with "
       "\".\" and name a file ending, not \"tf.versioned\""},
      {"komposconfig:\n  terraform:\n    versioned_extension: [.tf.versioned]\n",
       ".komposconfig.yaml:3:26: `komposconfig.terraform.versioned_extension` must be a string, "
       "not a list"},
      {"komposconfig: [\n", ""},
  };
  for (const Case& c : cases) {
    TestProjectDir dir;
    dir.write(".komposconfig.yaml", c.text);
    dir.write("config/s=1/composition=terraform/terraform=a/a.yaml", "");
    Loaded l = load(dir.path());
    ASSERT_EQ(l.diagnostics.items().size(), 1u) << c.text;
    const Diagnostic& d = l.diagnostics.items()[0];
    if (c.expected.empty()) {
      EXPECT_EQ(d.origin.str().substr(0, 21), ".komposconfig.yaml:2:") << d.render();
    } else {
      EXPECT_EQ(d.origin.str() + ": " + d.message, c.expected);
    }
    EXPECT_TRUE(l.stacks.empty());
  }
}

TEST(YamlStacks, VersionedExtensionMistakeSaysWhatToWrite) {
  TestProjectDir dir;
  dir.write(".komposconfig.yaml", "komposconfig:\n  terraform:\n    versioned_extension: \".\"\n");
  dir.write("config/s=1/composition=terraform/terraform=a/a.yaml", "");
  Loaded l = load(dir.path());
  ASSERT_EQ(l.diagnostics.items().size(), 1u) << l.diagnostics.items()[1].render();
  EXPECT_EQ(l.diagnostics.items()[0].render(),
            ".komposconfig.yaml:3:26: `komposconfig.terraform.versioned_extension` must start with "
            "\".\" and name a file ending, not \".\"\n"
            "  hint: write a file name ending that starts with a dot, such as .tf.versioned");
}

// terraform.versioned_extension: only modules with files of that ending keep the merged tree,
// and the components carry the ending to generation (`X<ext>` is rendered into `X.tf`).
TEST(YamlStacks, VersionedExtensionSelectsTheFilesRendered) {
  TestProjectDir dir;
  dir.write(".komposconfig.yaml",
            "komposconfig:\n  terraform:\n    versioned_extension: .tf.tmpl-versioned\n");
  dir.write("modules/a/main.tf.tmpl-versioned", "module \"m\" { source = \"x?ref={{v}}\" }\n");
  dir.write("modules/b/main.tf.versioned", "module \"m\" { source = \"x?ref={{v}}\" }\n");
  dir.write("config/s=1/composition=terraform/terraform=a/a.yaml", "v: 1\n");
  dir.write("config/s=1/composition=terraform/terraform=b/b.yaml", "v: 1\n");
  Loaded l = load(dir.path());
  ASSERT_TRUE(l.diagnostics.empty()) << l.diagnostics.items()[0].render();
  const Stack& s = l.stacks.at("s=1");
  ASSERT_EQ(s.components.size(), 2u);
  EXPECT_EQ(json(s.components[0].versioned_data),
            R"({"komposconfig":{"terraform":{"versioned_extension":".tf.tmpl-versioned"}},"v":1})");
  EXPECT_EQ(s.components[0].versioned_extension, ".tf.tmpl-versioned");
  // b has only a .tf.versioned file, which is not the configured ending: nothing to render.
  EXPECT_TRUE(s.components[1].versioned_data.is_null());
}

// Settings of Kompos's other runners: one warning each, in file order, only when asked.
TEST(KomposRunnerOnlySettings, OneWarningPerKeyWithWhatStrataDoesInstead) {
  TestProjectDir dir;
  dir.write(".komposconfig.yaml",
            "komposconfig:\n"
            "  tfe:\n"
            "    generation_config: {nested_subdir: tfe}\n"
            "    workspaces_config: {generate: true}\n"
            "  compositions:\n"
            "    build_order:\n"
            "      - {runner: external, type: ipam}\n"
            "      - {runner: terraform, type: account}\n"
            "      - {runner: terraform, type: cluster}\n"
            "    order:\n"
            "      terraform: [account, cluster]\n"
            "    properties:\n"
            "      cluster: {default_replicas: 3}\n"
            "  defaults:\n"
            "    base_dir: ./generated\n");
  KomposConfig config = read_kompos_config(dir.path());
  Diagnostics d;
  warn_runner_only_settings(config, "build/work", d);
  std::string all;
  for (const Diagnostic& item : d.items()) all += item.render() + "\n";
  EXPECT_EQ(all,
            ".komposconfig.yaml:3:24: warning: `komposconfig.tfe.generation_config` is not used "
            "by strata: it configures where and how Kompos's tfe runner generates composition "
            "files\n"
            "  hint: strata runs OpenTofu/Terraform itself in workdirs under the project's work_dir "
            "(strata.yaml `work_dir`: build/work) and writes no Terraform Enterprise files\n"
            ".komposconfig.yaml:4:24: warning: `komposconfig.tfe.workspaces_config` is not used "
            "by strata: it configures the workspace files Kompos's tfe runner writes\n"
            "  hint: strata runs OpenTofu/Terraform itself in workdirs under the project's work_dir "
            "(strata.yaml `work_dir`: build/work) and writes no Terraform Enterprise files\n"
            ".komposconfig.yaml:7:7: warning: `komposconfig.compositions.build_order` is not used "
            "by strata: it is the order Kompos's compile runner dispatches compositions in, "
            "across runners\n"
            "  hint: strata runs a stack's components in `compositions.order.terraform` order "
            "(each after the nearest earlier one present) and after the components they "
            "reference\n"
            ".komposconfig.yaml:15:15: warning: `komposconfig.defaults.base_dir` is not used by "
            "strata: Kompos's tfe and compile runners write their generated files under it\n"
            "  hint: strata writes workdirs like Kompos's terraform runner (which uses "
            ".kompos-runtime/), not there: under the project's work_dir (strata.yaml `work_dir`: "
            "build/work), one folder per stack and component\n");
}

TEST(KomposRunnerOnlySettings, BuildOrderAgainstTheTerraformOrderIsNamed) {
  TestProjectDir dir;
  dir.write(".komposconfig.yaml",
            "komposconfig:\n"
            "  compositions:\n"
            "    order:\n"
            "      terraform: [network, app, cluster]\n"
            "    build_order:\n"
            "      - {runner: terraform, type: network}\n"
            "      - {runner: helm, type: cluster}\n"
            "      - {runner: terraform, type: unlisted}\n"
            "      - {runner: terraform, type: cluster}\n"
            "      - {runner: terraform, type: app}\n");
  Diagnostics d;
  warn_runner_only_settings(read_kompos_config(dir.path()), ".strata", d);
  ASSERT_EQ(d.items().size(), 1u);
  EXPECT_EQ(d.items()[0].render(),
            ".komposconfig.yaml:9:35: warning: `komposconfig.compositions.build_order` is not "
            "used by strata: it is the order Kompos's compile runner dispatches compositions in, "
            "across runners; its terraform entries put cluster before app, which contradicts "
            "`compositions.order.terraform`\n"
            "  hint: strata follows `compositions.order.terraform` (app before cluster); make the "
            "two lists agree");
}

TEST(KomposRunnerOnlySettings, NoneWithoutThoseKeysAndBaseDirMustBeAString) {
  TestProjectDir dir;
  dir.write(".komposconfig.yaml",
            "komposconfig:\n  compositions:\n    order:\n      terraform: [a]\n");
  Diagnostics d;
  warn_runner_only_settings(read_kompos_config(dir.path()), ".strata", d);
  EXPECT_TRUE(d.empty());
  dir.write(".komposconfig.yaml", "komposconfig:\n  defaults:\n    base_dir: [generated]\n");
  try {
    read_kompos_config(dir.path());
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.render(),
              ".komposconfig.yaml:3:15: `komposconfig.defaults.base_dir` must be a string, not a "
              "list\n  hint: write a folder path such as \"./generated\"");
  }
}

TEST(YamlStacks, EmptyOrderEntryIsNoOrder) {
  TestProjectDir dir;
  dir.write(".komposconfig.yaml", "komposconfig:\n  compositions:\n    order:\n      terraform:\n");
  dir.write("modules/a/main.tf", "");
  dir.write("config/s=1/composition=terraform/terraform=a/a.yaml", "");
  Loaded l = load(dir.path());
  EXPECT_TRUE(l.diagnostics.empty());
  EXPECT_EQ(l.stacks.size(), 1u);
}

TEST(YamlFolders, MissingFolderIsAnError) {
  TestProjectDir dir;
  dir.write("config/a.yaml", "a: 1\n");
  Diagnostics d;
  resolve_folder(dir.path(), "config", "config/env=nope", {}, d);
  ASSERT_EQ(d.items().size(), 1u);
  EXPECT_EQ(d.items()[0].render(),
            "folder config/env=nope does not exist\n  hint: give a folder at or below config, "
            "such as config/env=dev");
}

TEST(YamlFolders, FolderOutsideTheConfigFolderIsAnError) {
  TestProjectDir dir;
  dir.write("config/a.yaml", "a: 1\n");
  dir.write("other/a.yaml", "a: 1\n");
  Diagnostics d;
  resolve_folder(dir.path(), "config", "other", {}, d);
  ASSERT_EQ(d.items().size(), 1u);
  EXPECT_EQ(d.items()[0].render(),
            "folder other is not inside the configuration folder config\n  hint: give a folder "
            "at or below config");
}

// Fuzzing (#18): .komposconfig.yaml `strata: {list_merge_strategy: "append_\xecuge_stnique"}`
// ended in std::terminate (nlohmann's type_error from quoting the value in the message). Bytes
// that are not UTF-8 are now an error in the file, where they are, in a layer as well.
TEST(YamlStacks, BytesThatAreNotUtf8AreDiagnosticsNotACrash) {
  TestProjectDir dir;
  dir.write(".komposconfig.yaml", "strata:\n  list_merge_strategy: append_\xecuge_stnique\n");
  dir.write("modules/a/main.tf", "");
  dir.write("config/s=1/composition=terraform/terraform=a/a.yaml", "");
  Loaded l = load(dir.path());
  ASSERT_EQ(l.diagnostics.items().size(), 1u);
  EXPECT_EQ(l.diagnostics.items()[0].render(),
            ".komposconfig.yaml:2:24: the file is not valid UTF-8: byte 0xEC (byte 8 of the value "
            "here) does not start or continue a character\n  hint: save the file as UTF-8");

  dir.write(".komposconfig.yaml", "");
  dir.write("config/s=1/s.yaml", "name: caf\xe9\n");
  l = load(dir.path());
  ASSERT_EQ(l.diagnostics.items().size(), 1u);
  EXPECT_EQ(l.diagnostics.items()[0].origin.str(), "config/s=1/s.yaml:1:7");
}

TEST(YamlStacks, NoConfigFolderNoStacks) {
  TestProjectDir dir;
  Loaded l = load(dir.path());
  EXPECT_TRUE(l.stacks.empty());
  EXPECT_TRUE(l.diagnostics.empty());
}

TEST(YamlStacks, ProjectOverloadReportsNameClash) {
  TestProjectDir dir;
  dir.write("modules/a/main.tf", "");
  dir.write("config/s=1/composition=terraform/terraform=a/a.yaml", "");
  Project project;
  Stack js;
  js.name = "s=1";
  js.source_file = "stacks/s.js";
  project.stacks["s=1"] = js;
  Diagnostics d;
  load_yaml_stacks(dir.path(), Settings{}, project, d);
  ASSERT_EQ(d.items().size(), 1u);
  EXPECT_EQ(d.items()[0].message,
            "stack 's=1' is declared twice: in stacks/s.js and in config/s=1");
}

}  // namespace
}  // namespace strata::yaml

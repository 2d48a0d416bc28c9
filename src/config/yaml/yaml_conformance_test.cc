// The Kompos and himl example trees from ../shared/conformance/kompos-himl/, loaded as strata
// would load a user's project. No authoritative merged outputs exist upstream (see the
// conformance README §7), so the expectations below are worked out by hand from the example
// files and himl's documented rules.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/yaml/yaml_stack_loader.h"
#include "generate/versioned_source.h"
#include "tests/support/conformance.h"
#include "tests/support/data_cases.h"

namespace strata::yaml {
namespace {

std::string json(const Value& v) { return to_json_text(v, -1); }

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string line_with(const std::string& text, const std::string& needle) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.find(needle) != std::string::npos) return line;
  return "";
}

std::string trimmed(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

TEST(KomposExamples, HierarchicalConfigStacksAndComponents) {
  STRATA_REQUIRE_CONFORMANCE(conf);
  std::string root = conf + "/kompos-himl/adobe-kompos/examples/01-hierarchical-config";
  std::map<std::string, Stack> stacks;
  Diagnostics d;
  load_yaml_stacks(root, Settings{}, YamlLoadOptions{}, stacks, d);
  ASSERT_TRUE(d.empty()) << d.items()[0].render();
  ASSERT_EQ(stacks.size(), 2u);
  const Stack& c1 = stacks.at("cloud=aws/env=dev/cluster=cluster1");
  const Stack& c2 = stacks.at("cloud=aws/env=dev/cluster=cluster2");
  ASSERT_EQ(c1.components.size(), 2u);
  EXPECT_EQ(c1.components[0].name, "cluster");
  EXPECT_EQ(c1.components[1].name, "network");
  EXPECT_EQ(c1.components[1].source, "compositions/terraform/network");
  EXPECT_EQ(json(c1.components[1].inputs),
            R"({"config":{"account":{"cloud_provider":{"aws":{"profile":"test_profile"}}},)"
            R"("cloud":{"type":"aws"},"cluster":{"name":"cluster1"},"env":{"name":"dev"},)"
            R"("project":{"prefix":"ee"},"region":{"location":"us-east-1","name":"va6"}}})");
  EXPECT_EQ(c2.components[0].inputs.find("config")->find("cluster")->find("name")->as_string(),
            "cluster2");
  // No provider or terraform keys in the data: no provider.tf.json.
  EXPECT_TRUE(c1.components[0].provider_json.is_null());
  // compositions.order.terraform is [account, network, cluster]: cluster runs after network
  // (the dependency points at the `- cluster` entry).
  for (const Stack* s : {&c1, &c2}) {
    EXPECT_TRUE(s->find("network")->depends_on.empty());
    ASSERT_EQ(s->find("cluster")->depends_on.size(), 1u);
    const ComponentRef& dep = s->find("cluster")->depends_on[0];
    EXPECT_EQ(dep.str() + " " + dep.origin.str(), s->name + "/network .komposconfig.yaml:11:11");
  }
}

// The newer layout: the tree lives in data/ and a leaf is `composition=<type>` (routed to the
// terraform runner by compositions.order.terraform), not composition=terraform/terraform=<name>.
TEST(KomposExamples, KomposconfigExampleTypedCompositionLeaf) {
  STRATA_REQUIRE_CONFORMANCE(conf);
  std::string root = conf + "/kompos-himl/adobe-kompos/examples/06-komposconfig";
  Settings settings;
  settings.config_dir = "data";
  std::map<std::string, Stack> stacks;
  Diagnostics d;
  load_yaml_stacks(root, settings, YamlLoadOptions{}, stacks, d);
  ASSERT_FALSE(d.has_errors()) << d.items()[0].render();
  ASSERT_EQ(stacks.size(), 1u);
  const Stack& s = stacks.at("cloud=aws/project=demo/env=dev/region=us-west-2/cluster=my-cluster");
  ASSERT_EQ(s.components.size(), 1u);
  const Component& c = s.components[0];
  EXPECT_EQ(c.name, "cluster");
  EXPECT_EQ(c.source, "compositions/terraform/aws/cluster");
  EXPECT_EQ(c.origin.str(), "data/cloud=aws/project=demo/env=dev/region=us-west-2/cluster=my-cluster/composition=cluster");
  const Value& config = *c.inputs.find("config");
  EXPECT_EQ(json(*config.find("composition")), R"({"instance":"my-cluster-dev-usw2","type":"cluster"})");
  EXPECT_EQ(json(*config.find("cluster")), R"({"fullName":"my-cluster-dev-usw2","name":"my-cluster"})");
  EXPECT_EQ(config.find("provider"), nullptr);  // a system key of the terraform runner
}

TEST(KomposExamples, KomposconfigExampleSettings) {
  STRATA_REQUIRE_CONFORMANCE(conf);
  KomposConfig k = read_kompos_config(conf + "/kompos-himl/adobe-kompos/examples/06-komposconfig");
  EXPECT_EQ(k.local_path + "|" + k.root_path, "./compositions/terraform|");
  ASSERT_EQ(k.terraform_order.size(), 2u);
  EXPECT_EQ(k.terraform_order[0].first + "," + k.terraform_order[1].first, "account,cluster");
  EXPECT_EQ(k.terraform_order[1].second.str(), ".komposconfig.yaml:25:11");
  EXPECT_EQ(k.system_keys, (std::vector<std::string>{"provider", "terraform"}));
  EXPECT_TRUE(k.versioned_module_sources);
  EXPECT_TRUE(k.excluded_keys.empty());
  EXPECT_EQ(k.list_merge, ListMerge::kAppend);
}

TEST(KomposExamples, ModuleVersionPinningRendersTheSourceLine) {
  STRATA_REQUIRE_CONFORMANCE(conf);
  std::string root = conf + "/kompos-himl/adobe-kompos/examples/02-module-version-pinning";
  Diagnostics d;
  std::vector<YamlComponent> loaded = load_yaml_components(root, Settings{}, {}, d);
  ASSERT_TRUE(d.empty()) << d.items()[0].render();
  ASSERT_EQ(loaded.size(), 1u);
  const YamlComponent& vpc = loaded[0];
  EXPECT_EQ(vpc.stack, "env=dev/cluster=cluster1");
  EXPECT_EQ(vpc.component.source, "compositions/terraform/aws/vpc");
  EXPECT_EQ(json(vpc.component.inputs),
            R"({"config":{"cloud":{"type":"aws"},"cluster":"cluster1","environment":"dev",)"
            R"("vpc":{"cidr_block":"10.0.0.0/16","module_version":"v2.0.0-rc",)"
            R"("tags":{"Cluster":"cluster1","Environment":"dev","ManagedBy":"kompos",)"
            R"("Project":"example"}}}})");
  ASSERT_FALSE(vpc.versioned_data.is_null());
  std::string dir = root + "/" + vpc.component.source;
  std::string rendered = render_versioned_source(read(dir + "/main.tf.versioned"),
                                                 vpc.versioned_data, "main.tf.versioned");
  std::string expected = trimmed(line_with(read(dir + "/main.tf"), "source ="));
  EXPECT_EQ(expected,
            "source = \"git::https://github.com/terraform-aws-modules/terraform-aws-vpc.git"
            "?ref=v2.0.0-rc\"");
  EXPECT_EQ(trimmed(line_with(rendered, "source =")), expected);
}

TEST(KomposExamples, HimlInterpolationPatterns) {
  STRATA_REQUIRE_CONFORMANCE(conf);
  std::string root = conf + "/kompos-himl/adobe-kompos/examples/02-himl-interpolation";
  Diagnostics d;
  YamlLoadOptions options;
  // komposconfig stays for interpolation ({{komposconfig.compositions.properties…}}); the
  // filter (applied after) drops it.
  options.filter = {"app", "cloud", "composition", "env", "project", "regions", "settings", "tags"};
  Value v = resolve_folder(root, "config", "config/cloud=aws/env=prod", options, d);
  ASSERT_TRUE(d.empty()) << d.items()[0].render();
  EXPECT_EQ(json(*v.find("cloud")),
            R"({"availability_zones":["us-west-2a","us-west-2b","us-west-2c"],)"
            R"("full_name":"aws-cloud","name":"aws","provider":"amazon","region":"us-west-2"})");
  EXPECT_EQ(json(*v.find("env")), R"({"full_type":"production","name":"prod",)"
                                  R"("type_mapping":{"dev":"development","prod":"production"}})");
  EXPECT_EQ(json(*v.find("settings")), R"({"output_dir":"applications","replicas":3})");
  EXPECT_EQ(json(*v.find("regions")),
            R"({"region_code":"or2","us-east-1":"va7","us-west-2":"or2"})");
  EXPECT_EQ(json(*v.find("project")),
            R"({"env_suffix":"prod-suffix","fqdn":"myproject.aws.prod.example.com",)"
            R"("full_fqdn":"myproject.or2.prod.aws.example.com","name":"myproject"})");
  EXPECT_EQ(
      json(*v.find("tags")),
      R"(["cloud:aws","env:prod","project:myproject","fqdn:myproject.aws.prod.example.com"])");
  EXPECT_EQ(json(*v.find("composition")), R"({"instance":"myproject-prod","type":"app"})");
  EXPECT_EQ(json(*v.find("app")),
            R"({"config":{"output_path":"generated/applications/myproject-prod","replicas":3},)"
            R"("endpoint":"webapp-or2-prod.myproject.aws.prod.example.com",)"
            R"("full_name":"webapp-or2-prod","name":"webapp"})");
  EXPECT_EQ(v.as_map().size(), 8u);  // the filter kept only the keys asked for
}

TEST(HimlExamples, ComplexClusterWithAppendUnique) {
  STRATA_REQUIRE_CONFORMANCE(conf);
  std::string root = conf + "/kompos-himl/adobe-himl/examples/complex";
  Diagnostics d;
  YamlLoadOptions options;
  options.list_merge = ListMerge::kAppendUnique;  // himl's own default
  Value v = resolve_folder(root, ".", "env=dev/region=us-east-1/cluster=cluster2", options, d);
  ASSERT_TRUE(d.empty()) << d.items()[0].render();
  EXPECT_EQ(json(*v.find("metrics")), R"(["cpu","memory","disk","exec"])");
  EXPECT_EQ(json(*v.find("myList")), R"(["id1","id4","id2","id3"])");
  EXPECT_EQ(v.find("cluster_metrics")->as_list().size(), 7u);
  EXPECT_EQ(v.find("cluster_info")->find("description")->as_string(),
            "This is cluster: cluster2. It is using c3.2xlarge instance type.");
  EXPECT_EQ(json(*v.find("env")) + json(*v.find("region")), R"("dev""us-east-1")");
  // Origins point into the layer that set the value.
  EXPECT_EQ(v.find("cluster")->origin().str(),
            "env=dev/region=us-east-1/cluster=cluster2/cluster.yaml:1:10");
  EXPECT_EQ(v.find("env")->origin().str(), "env=dev/env.yaml:1:6");
}

TEST(HimlExamples, ComplexClusterWithKomposAppend) {
  STRATA_REQUIRE_CONFORMANCE(conf);
  std::string root = conf + "/kompos-himl/adobe-himl/examples/complex";
  Diagnostics d;
  Value v = resolve_folder(root, ".", "env=dev/region=us-east-1/cluster=cluster2", {}, d);
  ASSERT_TRUE(d.empty());
  EXPECT_EQ(json(*v.find("metrics")), R"(["cpu","memory","disk","cpu","exec"])");
  EXPECT_EQ(json(*v.find("myList")), R"(["id1","id4","id1","id2","id3"])");
}

TEST(HimlExamples, EscapesEnvAndCwd) {
  STRATA_REQUIRE_CONFORMANCE(conf);
  std::string root = conf + "/kompos-himl/adobe-himl/examples/complex";
  std::map<std::string, std::string> env = {{"HOME", "/home/tester"}};
  YamlLoadOptions options;
  options.environment = &env;
  Diagnostics d;
  Value c1 = resolve_folder(root, ".", "env=dev/region=us-east-1/cluster=cluster1", options, d);
  ASSERT_TRUE(d.empty()) << d.items()[0].render();
  const std::string literal = "this is a {{ value }} that should not be interpolated";
  EXPECT_EQ(c1.find("skipInterpolation_key")->as_string(), literal);
  EXPECT_EQ(c1.find("skipInterpolation_key2")->as_string(), "before " + literal + " after");
  EXPECT_EQ(json(*c1.find("skipInterpolation_list")), "[\"" + literal + "\"]");
  EXPECT_EQ(c1.find("testkey")->as_string().substr(0, 20), "# Set to true to log");

  Value west = resolve_folder(root, ".", "env=dev/region=us-west-2/cluster=cluster1", options, d);
  EXPECT_EQ(west.find("home")->as_string(), "/home/tester");

  Value ireland =
      resolve_folder(root, ".", "env=prod/region=eu-west-2/cluster=ireland1", options, d);
  ASSERT_TRUE(d.empty());
  EXPECT_EQ(ireland.find("file")->as_string(),
            std::filesystem::absolute(root + "/env=prod/region=eu-west-2/cluster=ireland1")
                    .lexically_normal()
                    .string() +
                "/test.txt");
}

std::string himl_examples() {
  return strata::testing::conformance_dir() + "/kompos-himl/adobe-himl/examples";
}

// Every folder below the simple, complex and filters examples.
std::vector<strata::testing::DataCase> himl_example_folders() {
  std::vector<strata::testing::DataCase> out;
  for (const char* example : {"simple", "complex", "filters"}) {
    std::string root = himl_examples() + "/" + example;
    if (!std::filesystem::is_directory(root)) continue;
    for (auto c : strata::testing::data_cases(root, strata::testing::is_case_folder, true)) {
      c.name = strata::testing::data_case_identifier(std::string(example) + "/" + c.relative);
      c.relative = std::string(example) + "/" + c.relative;
      out.push_back(std::move(c));
    }
  }
  return out;
}

TEST(HimlExamples, TheExampleFoldersArePresent) {
  STRATA_REQUIRE_CONFORMANCE(conf);
  EXPECT_GE(himl_example_folders().size(), 10u);
}

// One test per folder: Cases/HimlExampleFolder.LoadsWithoutErrors/complex_env_dev.
class HimlExampleFolder : public ::testing::TestWithParam<strata::testing::DataCase> {};

TEST_P(HimlExampleFolder, LoadsWithoutErrors) {
  std::string relative = GetParam().relative;
  std::string root = himl_examples() + "/" + relative.substr(0, relative.find('/'));
  std::map<std::string, std::string> env = {{"HOME", "/h"}};
  YamlLoadOptions options;
  options.environment = &env;
  Diagnostics d;
  resolve_folder(root, ".", GetParam().path, options, d);
  EXPECT_TRUE(d.empty()) << GetParam().path << ": " << d.items()[0].render();
}

// No cases without the conformance folder; TheExampleFoldersArePresent then skips (or fails in CI).
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(HimlExampleFolder);
INSTANTIATE_TEST_SUITE_P(Cases, HimlExampleFolder, ::testing::ValuesIn(himl_example_folders()),
                         strata::testing::data_case_name);

}  // namespace
}  // namespace strata::yaml

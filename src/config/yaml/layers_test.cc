#include "config/yaml/layers.h"

#include <gtest/gtest.h>

#include "config/test_project_dir.h"
#include "config/yaml/yaml_reader.h"
#include "model/error.h"

namespace strata::yaml {
namespace {

using config::TestProjectDir;

std::string json(const Value& v) { return to_json_text(v, -1); }

Value merged(const std::string& a, const std::string& b, ListMerge lists = ListMerge::kAppend) {
  Value into = Value::map();
  merge_layer(into, parse_yaml(a, "a.yaml"), lists);
  merge_layer(into, parse_yaml(b, "b.yaml"), lists);
  return into;
}

TEST(Layers, MapsMergeDeeplyAndScalarsOverride) {
  EXPECT_EQ(json(merged("vpc: {cidr: 10.0.0.0/16, tags: {a: 1}}\nname: x\n",
                        "vpc: {tags: {b: 2}}\nname: y\n")),
            R"({"name":"y","vpc":{"cidr":"10.0.0.0/16","tags":{"a":1,"b":2}}})");
}

TEST(Layers, ListStrategies) {
  const std::string a = "l: [a, b]\n", b = "l: [b, c]\n";
  EXPECT_EQ(json(merged(a, b, ListMerge::kAppend)), R"({"l":["a","b","b","c"]})");
  EXPECT_EQ(json(merged(a, b, ListMerge::kAppendUnique)), R"({"l":["a","b","c"]})");
  EXPECT_EQ(json(merged(a, b, ListMerge::kPrepend)), R"({"l":["b","c","a","b"]})");
  EXPECT_EQ(json(merged(a, b, ListMerge::kOverride)), R"({"l":["b","c"]})");
  // Nested lists follow the same strategy.
  EXPECT_EQ(json(merged("m: {l: [1]}\n", "m: {l: [2]}\n")), R"({"m":{"l":[1,2]}})");
}

TEST(Layers, ParseListMergeNames) {
  EXPECT_EQ(parse_list_merge("append_unique"), ListMerge::kAppendUnique);
  EXPECT_EQ(parse_list_merge("override"), ListMerge::kOverride);
  EXPECT_EQ(parse_list_merge("replace"), std::nullopt);
}

TEST(Layers, NestedTypeChangeOverrides) {
  EXPECT_EQ(json(merged("m: {x: [1]}\n", "m: {x: {y: 1}}\n")), R"({"m":{"x":{"y":1}}})");
}

TEST(Layers, TopLevelScalarReplacesAnything) {
  EXPECT_EQ(json(merged("m: {x: 1}\n", "m: plain\n")), R"({"m":"plain"})");
}

TEST(Layers, TopLevelTypeMismatchNamesBothFiles) {
  try {
    merged("cluster: c1\n", "cluster:\n  name: c2\n");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.origin().str(), "b.yaml:2:3");
    EXPECT_EQ(e.message(),
              "top-level key `cluster` is a map in b.yaml:2:3 but a string in a.yaml:1:10");
  }
}

TEST(Layers, FoldersFromRootToTargetFilesSortedYamlOnly) {
  TestProjectDir dir;
  dir.write("config/b.yaml", "order: [root-b]\n");
  dir.write("config/a.yaml", "order: [root-a]\nlevel: root\n");
  dir.write("config/x.yml", "order: [ignored-yml]\n");
  dir.write("config/.hidden.yaml", "order: [ignored-hidden]\n");
  dir.write("config/env=dev/env.yaml", "order: [dev]\nlevel: dev\n");
  dir.write("config/env=dev/cluster=c1/c.yaml", "order: [c1]\n");
  dir.write("config/env=prod/env.yaml", "order: [prod]\n");
  LayeredLoader loader;
  EXPECT_EQ(json(loader.load(dir.file("config"), dir.file("config/env=dev/cluster=c1"))),
            R"({"level":"dev","order":["root-a","root-b","dev","c1"]})");
  // A sibling reuses the cached ancestors and does not see dev's files.
  EXPECT_EQ(json(loader.load(dir.file("config"), dir.file("config/env=prod"))),
            R"({"level":"root","order":["root-a","root-b","prod"]})");
}

TEST(Layers, CwdIsEachFilesFolder) {
  TestProjectDir dir;
  dir.write("config/a.yaml", "root_dir: \"{{cwd}}/x\"\n");
  dir.write("config/env=dev/b.yaml", "dev_dir: \"{{cwd}}\"\n");
  LayeredLoader loader;
  Value v = loader.load(dir.file("config"), dir.file("config/env=dev"));
  EXPECT_EQ(v.find("root_dir")->as_string(), dir.file("config") + "/x");
  EXPECT_EQ(v.find("dev_dir")->as_string(), dir.file("config/env=dev"));
}

TEST(Layers, TargetOutsideRootIsAnError) {
  TestProjectDir dir;
  dir.write("config/a.yaml", "a: 1\n");
  dir.write("other/a.yaml", "a: 1\n");
  LayeredLoader loader;
  EXPECT_THROW(loader.load(dir.file("config"), dir.file("other")), Error);
}

TEST(Layers, MismatchAcrossFoldersNamesFileAndLine) {
  TestProjectDir dir;
  dir.write("config/a.yaml", "tags: [a]\n");
  dir.write("config/env=dev/b.yaml", "\ntags: {x: 1}\n");
  LayeredLoader loader;
  try {
    loader.load(dir.file("config"), dir.file("config/env=dev"));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.origin().str(), dir.file("config/env=dev/b.yaml") + ":2:7");
    EXPECT_NE(e.message().find("a list in " + dir.file("config/a.yaml") + ":1:7"),
              std::string::npos)
        << e.message();
  }
}

}  // namespace
}  // namespace strata::yaml

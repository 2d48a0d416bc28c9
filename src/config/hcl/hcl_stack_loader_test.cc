// HCL stack definitions (stack.hcl) through the project loader: the stack, its one component,
// inputs evaluated with functions and env, hooks and policies kept, and exact error positions.
#include "config/hcl/hcl_stack_loader.h"

#include <gtest/gtest.h>

#include "config/project_loader.h"
#include "config/test_project_dir.h"

namespace strata::config {
namespace {

LoadedProject load(const TestProjectDir& dir) {
  LoadOptions o;
  o.start_dir = dir.path();
  o.inherit_process_env = false;
  o.environment = {{"TEAM", "platform"}};
  return load_project_with_diagnostics(o);
}

std::string errors(const Diagnostics& d) {
  std::string out;
  for (const auto& item : d.items()) out += item.render() + "\n";
  return out;
}

constexpr const char* kNetworkStack = R"hcl(
# The network of production.
stack "network-prod" {
  version  = "1.2.0"
  policies = ["no-public-buckets", "tagged"]

  variables {
    cidr  = "10.0.0.0/16"
    name  = "net-${env.TEAM}"
    zones = [for z in ["a", "b"] : "eu-west-1${z}"]
    size  = max(2, 3)
    tags  = { team = upper(env.TEAM) }
  }

  hooks {
    pre_plan   = ["./check.sh", "echo planning"]
    post_apply = ["echo applied"]
  }

  backend "local" {
    path = "state/network.tfstate"
  }
}
)hcl";

TEST(HclStacks, StackHclDeclaresAStackWhoseComponentIsTheModule) {
  TestProjectDir dir;
  dir.write("strata.yaml", "stacks_dir: stacks\n");
  dir.write("modules/network/main.tf", "variable \"cidr\" {}\n");
  dir.write("modules/network/stack.hcl", kNetworkStack);
  LoadedProject loaded = load(dir);
  ASSERT_FALSE(loaded.diagnostics.has_errors()) << errors(loaded.diagnostics);
  const Stack* s = loaded.project.find_stack("network-prod");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->kind, "hcl");
  EXPECT_EQ(s->version, "1.2.0");
  EXPECT_EQ(s->source_file, "modules/network/stack.hcl");
  EXPECT_EQ(s->origin.str(), "modules/network/stack.hcl:3:1");
  EXPECT_EQ(s->policies, (std::vector<std::string>{"no-public-buckets", "tagged"}));
  EXPECT_EQ(s->hooks.pre_plan, (std::vector<std::string>{"./check.sh", "echo planning"}));
  EXPECT_EQ(s->hooks.post_apply, (std::vector<std::string>{"echo applied"}));
  EXPECT_TRUE(s->hooks.pre_apply.empty());
  EXPECT_EQ(s->backend.type, "local");
  EXPECT_EQ(to_json_text(s->backend.config, -1), R"({"path":"state/network.tfstate"})");
  ASSERT_EQ(s->components.size(), 1u);
  const Component& c = s->components[0];
  EXPECT_EQ(c.name, "network");
  EXPECT_EQ(c.source, "modules/network");
  EXPECT_EQ(to_json_text(c.inputs, -1),
            R"({"cidr":"10.0.0.0/16","name":"net-platform","size":3,"tags":{"team":"PLATFORM"},)"
            R"("zones":["eu-west-1a","eu-west-1b"]})");
}

TEST(HclStacks, FoldersThatAreHiddenOrTheWorkDirAreNotSearched) {
  TestProjectDir dir;
  dir.write("modules/a/stack.hcl", "stack \"a\" {}\n");
  dir.write(".strata/a/a/stack.hcl", "stack \"copy\" {}\n");
  dir.write("node_modules/x/stack.hcl", "stack \"npm\" {}\n");
  LoadedProject loaded = load(dir);
  ASSERT_FALSE(loaded.diagnostics.has_errors()) << errors(loaded.diagnostics);
  EXPECT_EQ(loaded.project.stacks.size(), 1u);
  ASSERT_NE(loaded.project.find_stack("a"), nullptr);
  EXPECT_EQ(to_json_text(loaded.project.find_stack("a")->components[0].inputs, -1), "{}");
}

struct BadCase {
  const char* name;
  const char* text;
  const char* expected;  // the start of the first diagnostic, "file:line:col: message"
};

TEST(HclStacks, MistakesAreReportedWithFileLineAndColumn) {
  const BadCase cases[] = {
      {"syntax", "stack \"x\" {\n  version = \n}\n", "m/stack.hcl:2:"},
      {"no label", "stack {\n}\n", "m/stack.hcl:1:1: the stack block needs exactly one label"},
      {"unknown attribute", "stack \"x\" {\n  verison = \"1\"\n}\n",
       "m/stack.hcl:2:3: unknown attribute \"verison\" in the stack block"},
      {"unknown hook", "stack \"x\" {\n  hooks {\n    pre_palm = []\n  }\n}\n",
       "m/stack.hcl:3:5: unknown hook \"pre_palm\" in hooks"},
      {"hook not a list", "stack \"x\" {\n  hooks {\n    pre_plan = \"make\"\n  }\n}\n",
       "m/stack.hcl:3:16: pre_plan must be a list of strings, not string"},
      {"unknown function", "stack \"x\" {\n  variables {\n    a = nope(1)\n  }\n}\n", "m/stack.hcl:3:9: a: "},
      {"unknown env", "stack \"x\" {\n  variables {\n    a = env.MISSING\n  }\n}\n", "m/stack.hcl:3:"},
      {"two stacks", "stack \"x\" {}\nstack \"y\" {}\n", "m/stack.hcl:2:1: a second stack block"},
      {"no stack", "# empty\n", "m/stack.hcl:1:1: no stack block"},
      {"other block", "module \"x\" {}\n", "m/stack.hcl:1:1: unknown block \"module\""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    TestProjectDir dir;
    dir.write("m/stack.hcl", c.text);
    LoadedProject loaded = load(dir);
    ASSERT_TRUE(loaded.diagnostics.has_errors()) << "no error for: " << c.text;
    std::string first = loaded.diagnostics.items()[0].render();
    EXPECT_EQ(first.rfind(c.expected, 0), 0u) << first;
  }
}

TEST(HclStacks, EveryProblemInAFileIsReportedNotOnlyTheFirst) {
  TestProjectDir dir;
  dir.write("m/stack.hcl",
            "stack \"x\" {\n  verison = \"1\"\n  hooks {\n    pre_plan = \"make\"\n  }\n"
            "  variables {\n    a = nope(1)\n    b = env.MISSING\n  }\n}\n");
  LoadedProject loaded = load(dir);
  std::vector<std::string> where;
  for (const auto& d : loaded.diagnostics.items()) where.push_back(d.origin.str());
  EXPECT_EQ(where, (std::vector<std::string>{"m/stack.hcl:2:3", "m/stack.hcl:4:16", "m/stack.hcl:7:9",
                                             "m/stack.hcl:8:12"}))
      << errors(loaded.diagnostics);
  EXPECT_EQ(loaded.project.stacks.count("x"), 0u);
}

TEST(HclStacks, TheSameStackNameInJsAndHclIsAnErrorNamingBoth) {
  TestProjectDir dir;
  dir.write("strata.yaml", "stacks_dir: stacks\n");
  dir.write("stacks/dev.js", "stack('dev', {});\n");
  dir.write("modules/m/stack.hcl", "stack \"dev\" {}\n");
  LoadedProject loaded = load(dir);
  std::string all = errors(loaded.diagnostics);
  EXPECT_NE(all.find("stack 'dev' is declared twice"), std::string::npos) << all;
  EXPECT_NE(all.find("stacks/dev.js"), std::string::npos) << all;
  EXPECT_NE(all.find("modules/m/stack.hcl"), std::string::npos) << all;
}

}  // namespace
}  // namespace strata::config

// Stack files under tests/data/js/ run through the JavaScriptCore host; each test reads as
// "this file gives that model" or "this file gives that error at that position".
#include "config/js/stack_file_runner.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "model/error.h"

namespace strata::js {
namespace {

std::string data_root() {
  const char* src = std::getenv("STRATA_SOURCE_DIR");
  return std::string(src ? src : ".") + "/tests/data/js";
}

struct Logged {
  LogLevel level;
  std::string text;
  std::string where;
};

class RunnerTest : public ::testing::Test {
 protected:
  RunnerOptions options() {
    RunnerOptions o;
    o.root = data_root();
    o.environment = &env_;
    o.log = [this](LogLevel level, const std::string& text, const Origin& where) {
      logged_.push_back({level, text, where.str()});
    };
    return o;
  }
  std::optional<Stack> run(const std::string& file) {
    StackFileRunner runner(options());
    return runner.run_file(data_root() + "/" + file);
  }
  // The rendered error of a file that must fail.
  std::string error_of(const std::string& file, RunnerOptions o) {
    StackFileRunner runner(std::move(o));
    try {
      runner.run_file(data_root() + "/" + file);
    } catch (const Error& e) {
      return e.render();
    }
    ADD_FAILURE() << file << " loaded without an error";
    return {};
  }
  std::string error_of(const std::string& file) { return error_of(file, options()); }

  std::map<std::string, std::string> env_;
  std::vector<Logged> logged_;
};

TEST_F(RunnerTest, BasicStackGivesTheModel) {
  auto stack = run("stacks/basic.js");
  ASSERT_TRUE(stack);
  EXPECT_EQ(stack->name, "basic");
  EXPECT_EQ(stack->source_file, "stacks/basic.js");
  EXPECT_EQ(stack->origin.str(), "stacks/basic.js:2:11");
  EXPECT_EQ(to_json_text(stack->options, -1), R"({"opts":{"count":3,"org":"acme"},"region":"eu-west-1"})");
  ASSERT_EQ(stack->components.size(), 2u);
  const Component& vpc = stack->components[0];
  EXPECT_EQ(vpc.name, "vpc");
  EXPECT_EQ(vpc.stack, "basic");
  EXPECT_EQ(vpc.source, "modules/vpc");
  EXPECT_EQ(vpc.origin.str(), "stacks/basic.js:4:13");
  EXPECT_EQ(to_json_text(vpc.inputs, -1),
            R"({"cidr":"10.0.0.0/16","enabled":true,"name":"basic-vpc","nothing":null,"ratio":0.5,"zones":3})");
  const Component& db = stack->components[1];
  EXPECT_EQ(to_json_text(db.inputs, -1),
            R"({"label":"db in {{ (state \"basic\" \"vpc\").id }}","vpc_id":"{{ (state \"basic\" \"vpc\").id }}","vpc_name":"basic-vpc"})");
  EXPECT_EQ(to_json_text(db.providers, -1), R"({"aws":{"region":"eu-west-1"}})");
  ASSERT_EQ(db.depends_on.size(), 1u);
  EXPECT_EQ(db.depends_on[0].str(), "basic/vpc");
  EXPECT_EQ(db.depends_on[0].origin.str(), "stacks/basic.js:14:12");
  EXPECT_TRUE(vpc.depends_on.empty());
  EXPECT_EQ(stack->backend.type, "s3");
  EXPECT_EQ(to_json_text(stack->backend.config, -1),
            R"({"bucket":"state","key":"{{ .stack }}/{{ .component }}.tfstate"})");
  EXPECT_EQ(stack->backend.origin.str(), "stacks/basic.js:20:1");
  ASSERT_EQ(stack->provider_appends.size(), 1u);
  EXPECT_EQ(stack->provider_appends[0], R"(data "aws_caller_identity" "me" {})");
  EXPECT_EQ(to_json_text(stack->metadata, -1),
            R"({"description":"basic stack","owner":"platform","tags":["a","b"]})");
  ASSERT_EQ(logged_.size(), 1u);
  EXPECT_EQ(logged_[0].text, "db is db in {{ (state \"basic\" \"vpc\").id }}");
  EXPECT_EQ(logged_[0].where, "stacks/basic.js:23:1");
}

}  // namespace
}  // namespace strata::js

// Broken and hostile project files through the real binary (issue 18): strata never crashes on
// them, and every problem reads "file:line:col: text" with a text that says what is wrong.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include "tests/support/cli_runner.h"

namespace strata::testing {
namespace {

// A Kompos tree: .komposconfig.yaml, one leaf, and `layer` as config/a.yaml above it.
void write_kompos_tree(TestProject& p, const std::string& layer) {
  p.write(".komposconfig.yaml", "");
  p.write("modules/vpc/main.tf", "");
  p.write("config/a.yaml", layer);
  p.write("config/env=dev/composition=terraform/terraform=vpc/vpc.yaml", "vpc: {name: x}\n");
}

TEST(BadInputTest, MapThatCopiesItselfIsAnErrorNotACrash) {
  TestProject p;
  write_kompos_tree(p, "c: {d: \"{{c}}\"}\n");  // was SIGSEGV (stack overflow)
  CliResult r = p.run({"validate"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.substr(0, 42), "error: config/a.yaml:1:8: interpolating `c") << r.err;
  EXPECT_NE(r.err.find("` nests deeper than 1000 levels: whole-value placeholders copy maps or "
                       "lists into each other or into themselves\n"),
            std::string::npos)
      << r.err;
}

TEST(BadInputTest, ExponentialInterpolationSaysTheValueGrowsTooLarge) {
  TestProject p;
  std::string layer = "a00: xy\n";
  for (int i = 1; i <= 30; ++i) {
    char line[64];
    std::snprintf(line, sizeof line, "a%02d: \"{{a%02d}}{{a%02d}}\"\n", i, i - 1, i - 1);
    layer += line;
  }
  write_kompos_tree(p, layer);
  CliResult r = p.run({"validate"});
  EXPECT_EQ(r.exit_code, 1);
  // a20 is 2^21 characters, past the 1 MiB bound. There is no cycle, and none is claimed.
  EXPECT_EQ(r.err,
            "error: config/a.yaml:21:6: interpolating `a20` grows past 1048576 characters: its "
            "placeholders expand to too large a value\n"
            "  hint: placeholders that repeat other placeholders multiply in size (a: "
            "\"{{b}}{{b}}\", b: \"{{c}}{{c}}\", …), and placeholders that refer to each other grow "
            "on every pass: write such a value out, or break the cycle\n");
}

TEST(BadInputTest, SummaryOfManyUnresolvedPlaceholdersHasAPosition) {
  TestProject p;
  std::string layer;
  for (int i = 0; i < 60; ++i) layer += "k" + std::to_string(100 + i) + ": \"{{missing}}\"\n";
  write_kompos_tree(p, layer);
  CliResult r = p.run({"validate"});
  EXPECT_NE(r.err.find("error: config/a.yaml:51:7: 10 more unresolved placeholders, the first of "
                       "them here\n"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace strata::testing

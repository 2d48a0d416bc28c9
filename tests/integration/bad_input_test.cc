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

// A project with one stack file, stacks/a.js, holding `body` after its stack() call.
CliResult validate_stack_file(TestProject& p, const std::string& body,
                              const std::map<std::string, std::string>& env = {}) {
  p.write("strata.yaml", "");
  p.write("stacks/a.js", "stack('a', {});\n" + body);
  return p.run({"validate"}, env);
}

TEST(BadInputTest, ThrownStringNamesTheFileAndSaysItHasNoLine) {
  TestProject p;
  CliResult r = validate_stack_file(p, "throw 'boom';\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: stacks/a.js:1:1: uncaught exception: boom (thrown as a string, which carries "
            "no position: line 1 stands for the file)\n"
            "  hint: throw new Error(...) instead of a bare value to get the line it comes from\n");
  // `list` stops at the same problem, in the same words.
  CliResult list = p.run({"list"});
  EXPECT_EQ(list.exit_code, 1);
  EXPECT_NE(list.err.find("error: stacks/a.js:1:1: uncaught exception: boom (thrown as a string"),
            std::string::npos)
      << list.err;
}

TEST(BadInputTest, ThrownObjectsWithoutAStringFormAreShownAsJson) {
  TestProject p;
  CliResult r = validate_stack_file(p, "throw Object.create(null);\n");
  EXPECT_EQ(r.err,
            "error: stacks/a.js:1:1: uncaught exception: {} (thrown as an object that is not an "
            "Error, which carries no position: line 1 stands for the file)\n"
            "  hint: throw new Error(...) instead of a bare value to get the line it comes from\n");
  r = validate_stack_file(p, "throw Symbol('s');\n");
  EXPECT_NE(r.err.find("stacks/a.js:1:1: uncaught exception: Symbol(s) (thrown as a symbol"),
            std::string::npos)
      << r.err;
}

TEST(BadInputTest, ByteThatIsNotUtf8IsPointedAtInACommentOrAString) {
  TestProject p;
  // Before: JavaScriptCore turned the whole file into "" and the error had no text.
  CliResult r = validate_stack_file(p, "// caf\xe9 menu\ncomponent('vpc', 'modules/vpc', {});\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: stacks/a.js:2:7: the file is not valid UTF-8: byte 0xE9 does not start or "
            "continue a character here\n"
            "  hint: save the file as UTF-8 (comments and strings too)\n");
  r = validate_stack_file(p, "component('vpc', 'modules/vpc', {name: 'd\xc3\xa9j\xe0'});\n");
  EXPECT_NE(r.err.find("error: stacks/a.js:2:44: the file is not valid UTF-8: byte 0xE0"),
            std::string::npos)
      << r.err;
}

TEST(BadInputTest, SyntaxErrorsHaveALineAndAColumn) {
  TestProject p;
  CliResult r = validate_stack_file(p, "component('a', 'm', {});\nconst x = = 3;\n");
  EXPECT_EQ(r.err,
            "error: stacks/a.js:3:11: SyntaxError: Unexpected token '='\n"
            "  hint: fix the JavaScript syntax at this position\n");
  r = validate_stack_file(p, "const o = {a: 1,, b: 2};\n");
  EXPECT_EQ(
      r.err,
      "error: stacks/a.js:2:17: SyntaxError: Unexpected token ','. Expected a property name.\n"
      "  hint: fix the JavaScript syntax at this position\n");
}

TEST(BadInputTest, FileThatEndsTooEarlyIsReportedAtItsEnd) {
  TestProject p;
  // JavaScriptCore reports the line after the file (strata's wrapper closes it there).
  CliResult r = validate_stack_file(p, "const t = `abc\n\n");
  EXPECT_EQ(r.err,
            "error: stacks/a.js:2:15: SyntaxError: the file ends too early: a bracket, string, "
            "comment or expression is left open (JavaScriptCore: SyntaxError: Unexpected EOF)\n"
            "  hint: fix the JavaScript syntax at this position\n");
}

TEST(BadInputTest, DeepLiteralSaysItNestsTooDeeplyAndWhere) {
  TestProject p;
  std::string deep = "const x = " + std::string(10000, '[') + std::string(10000, ']') + ";\n";
  CliResult r = validate_stack_file(p, deep);
  EXPECT_EQ(r.exit_code, 1);
  // The column is where the parser ran out of stack, which depends on the stack's size: it is
  // inside the brackets.
  const std::string prefix = "error: stacks/a.js:2:";
  ASSERT_EQ(r.err.substr(0, prefix.size()), prefix) << r.err;
  int column = std::stoi(r.err.substr(prefix.size()));
  EXPECT_GT(column, 11);
  EXPECT_LE(column, 10011);
  EXPECT_NE(r.err.find(": the file nests too deeply for the JavaScript parser, which ran out of "
                       "stack here (RangeError: Maximum call stack size exceeded.)\n"
                       "  hint: fix the JavaScript syntax at this position\n"),
            std::string::npos)
      << r.err;
}

TEST(BadInputTest, DeepRecursionShowsEachFrameOnce) {
  TestProject p;
  CliResult r = validate_stack_file(p, "function f() { return f(); }\nf();\n");
  EXPECT_EQ(r.err,
            "error: stacks/a.js:2:23: RangeError: Maximum call stack size exceeded.\n"
            "  JS stack:\n"
            "    at f (stacks/a.js:2:23) (and 99 more times)\n"
            "  hint: fix the stack file at the position above\n");
}

TEST(BadInputTest, EndlessLoopIsStoppedAtThePositionLastRecorded) {
  TestProject p;
  CliResult r = validate_stack_file(p, "let i = 0;\nprint('start');\nwhile (true) { i++; }\n",
                                    {{"STRATA_JS_TIMEOUT", "0.3"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("error: stacks/a.js:3:1: stack file stacks/a.js was stopped after running "
                       "for 0.3 s (the position is the last one JavaScriptCore recorded: a loop is "
                       "at or after it)\n"),
            std::string::npos)
      << r.err;
}

TEST(BadInputTest, ThrownObjectWhoseGettersLoopIsStoppedToo) {
  TestProject p;
  // Reading the error runs the file's getters; this hung strata for ever.
  CliResult r = validate_stack_file(
      p, "throw {toString() { while (true) {} }, get stack() { while (true) {} }};\n",
      {{"STRATA_JS_TIMEOUT", "0.3"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("error: stacks/a.js:2:8: stack file stacks/a.js was stopped after running "
                       "for 0.3 s"),
            std::string::npos)
      << r.err;
}

// A Kompos tree: .komposconfig.yaml, one leaf, and `layer` as config/a.yaml above it.
void write_kompos_tree(TestProject& p, const std::string& layer) {
  p.write(".komposconfig.yaml", "");
  p.write("modules/vpc/main.tf", "");
  p.write("config/a.yaml", layer);
  p.write("config/env=dev/composition=terraform/terraform=vpc/vpc.yaml", "vpc: {name: x}\n");
}

TEST(BadInputTest, YamlLayerOverTheSizeLimitIsRefusedUnread) {
  TestProject p;
  write_kompos_tree(p, "");
  // 50 MB took 1.2 GB to parse; the file is sparse, so only its size is real.
  std::filesystem::resize_file(p.path("config/a.yaml"), 50'000'000);
  CliResult r = p.run({"validate"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: config/a.yaml: the YAML file is 47.7 MiB, more than the 16 MiB strata reads\n"
            "  hint: a layer this large is usually generated by mistake; if it is meant to be, "
            "raise the limit with STRATA_YAML_MAX_FILE_MB (in the environment, strata.yaml's "
            "env: or .env), e.g. STRATA_YAML_MAX_FILE_MB=48\n");
  EXPECT_NE(
      p.run({"--help"})
          .out.find("STRATA_YAML_MAX_FILE_MB        largest YAML file read, in MiB (default 16)\n"),
      std::string::npos);
}

TEST(BadInputTest, YamlSizeLimitIsSetInStrataYamlOrDotEnv) {
  TestProject p;
  std::string layer = "big:\n";
  for (int i = 0; i < 70'000; ++i) layer += "  key" + std::to_string(i) + ": value\n";  // 1.2 MiB
  write_kompos_tree(p, layer);
  p.write("strata.yaml", "env:\n  STRATA_YAML_MAX_FILE_MB: '1'\n");
  CliResult refused = p.run({"validate"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("error: config/a.yaml: the YAML file is 1.2 MiB, more than the 1 MiB "
                             "strata reads\n"),
            std::string::npos)
      << refused.err;
  p.write(".env.local", "STRATA_YAML_MAX_FILE_MB=2\n");
  CliResult raised = p.run({"validate"});
  EXPECT_EQ(raised.exit_code, 0) << raised.err;
  EXPECT_EQ(raised.out, "1 stacks, 1 components: ok\n");
  p.write(".env.local", "");  // the shell wins over strata.yaml's env:, not over .env.local
  CliResult bad = p.run({"validate"}, {{"STRATA_YAML_MAX_FILE_MB", "lots"}});
  EXPECT_NE(bad.err.find("error: STRATA_YAML_MAX_FILE_MB must be a positive number of MiB, not "
                         "'lots'"),
            std::string::npos)
      << bad.err;
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

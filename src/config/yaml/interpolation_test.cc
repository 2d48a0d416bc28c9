#include "config/yaml/interpolation.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "config/yaml/yaml_reader.h"

namespace strata::yaml {
namespace {

std::string json(const Value& v) { return to_json_text(v, -1); }

struct Result {
  Value data;
  Diagnostics diagnostics;
};

Result run(const std::string& yaml, InterpolationOptions options = {}) {
  static const std::map<std::string, std::string> kEnv = {{"HOME_REGION", "eu-west-1"}};
  if (!options.environment) options.environment = &kEnv;
  Result r{parse_yaml(yaml, "c.yaml"), {}};
  interpolate(r.data, options, r.diagnostics);
  return r;
}

TEST(Interpolation, PathThroughMapsInsideAString) {
  Result r = run("env: {name: dev}\nregion: {name: va6}\nfull: \"{{env.name}}-{{region.name}}\"\n");
  EXPECT_TRUE(r.diagnostics.empty());
  EXPECT_EQ(r.data.find("full")->as_string(), "dev-va6");
}

TEST(Interpolation, WholeValueKeepsTheType) {
  Result r =
      run("src: {m: {a: 1}, l: [1, 2], i: 5, b: true}\n"
          "m: \"{{src.m}}\"\nl: \"{{ src.l }}\"\ni: \"{{src.i}}\"\nb: \"{{src.b}}\"\n");
  EXPECT_TRUE(r.diagnostics.empty());
  EXPECT_EQ(
      json(r.data),
      R"({"b":true,"i":5,"l":[1,2],"m":{"a":1},"src":{"b":true,"i":5,"l":[1,2],"m":{"a":1}}})");
}

TEST(Interpolation, IntInsideAStringMakesTheWholeValueThatInt) {
  // himl's rule: a partial placeholder that resolves to an int or bool replaces the value.
  Result r = run("port: 80\nurl: \"http://host:{{port}}\"\nf: 1.5\nratio: \"x{{f}}\"\n");
  EXPECT_EQ(json(*r.data.find("url")), "80");
  EXPECT_EQ(json(*r.data.find("ratio")), R"("x1.5")");
}

TEST(Interpolation, NestedPlaceholdersByRepeatedPasses) {
  Result r =
      run("project: {name: blue}\n"
          "projects: {blue: {tagging: {team: b}}, red: {tagging: {team: r}}}\n"
          "tags: \"{{projects.{{project.name}}.tagging}}\"\n");
  EXPECT_TRUE(r.diagnostics.empty());
  EXPECT_EQ(json(*r.data.find("tags")), R"({"team":"b"})");
}

TEST(Interpolation, ChainsOfReferencesResolve) {
  Result r = run("a: \"{{b}}\"\nb: \"{{c.d}}-x\"\nc: {d: \"{{e}}\"}\ne: end\n");
  EXPECT_TRUE(r.diagnostics.empty());
  EXPECT_EQ(r.data.find("a")->as_string(), "end-x");
}

TEST(Interpolation, EnvWholeAndPartial) {
  Result r =
      run("r: \"{{env(HOME_REGION)}}\"\nmissing: \"{{env(NOPE_NOT_SET)}}\"\n"
          "p: \"at-{{env(HOME_REGION)}}\"\npm: \"at-{{env(NOPE_NOT_SET)}}-x\"\n");
  EXPECT_TRUE(r.diagnostics.empty());
  EXPECT_EQ(json(r.data), R"({"missing":null,"p":"at-eu-west-1","pm":"at--x","r":"eu-west-1"})");
}

TEST(Interpolation, EscapedPlaceholdersStayLiteral) {
  Result r = run("a: {b: x}\ns: \"{{`{{a.b}}`}} and {{a.b}}\"\nt: \"{{`{{not.defined}}`}}\"\n");
  EXPECT_TRUE(r.diagnostics.empty());
  EXPECT_EQ(r.data.find("s")->as_string(), "{{a.b}} and x");
  EXPECT_EQ(r.data.find("t")->as_string(), "{{not.defined}}");
}

TEST(Interpolation, ListsAreNotTraversedByPaths) {
  Result r = run("l: [a, b]\nx: \"{{l.0}}\"\n");
  ASSERT_EQ(r.diagnostics.items().size(), 1u);
  EXPECT_EQ(r.diagnostics.items()[0].render().substr(0, 32), "c.yaml:2:4: unresolved placehold");
}

TEST(Interpolation, UnresolvedNamesKeyPathPlaceholderAndPosition) {
  Result r = run("net:\n  subnets:\n    - name: \"{{vpc.name}}-a\"\n");
  ASSERT_EQ(r.diagnostics.items().size(), 1u);
  const Diagnostic& d = r.diagnostics.items()[0];
  EXPECT_EQ(d.origin.str(), "c.yaml:3:13");
  EXPECT_EQ(d.message, "unresolved placeholder {{vpc.name}} in `net.subnets[0].name`");
  EXPECT_NE(d.hint.find("define `vpc.name`"), std::string::npos);
}

TEST(Interpolation, CycleIsReportedNotLooped) {
  Result r = run("a: \"{{b}}\"\nb: \"{{a}}\"\ns: \"x{{s}}\"\nok: \"{{c}}\"\nc: fine\n");
  std::string all;
  for (const Diagnostic& d : r.diagnostics.items()) all += d.origin.str() + " " + d.message + "\n";
  const std::string cycle =
      ": it still changed after 16 passes, so placeholders refer to each "
      "other in a cycle (or through more steps than that)\n";
  EXPECT_EQ(all, "c.yaml:1:4 unresolved placeholder {{a}} in `a`" + cycle +
                     "c.yaml:2:4 unresolved placeholder {{a}} in `b`" + cycle +
                     "c.yaml:3:4 unresolved placeholder {{s}} in `s`" + cycle);
  EXPECT_EQ(r.diagnostics.items()[0].hint, "make one of the values in the cycle a plain value");
  EXPECT_EQ(r.data.find("ok")->as_string(), "fine");
}

TEST(Interpolation, MutuallyGrowingStringsStopAtTheBound) {
  // Each pass multiplies both strings by 8: unbounded, 8^16 copies.
  std::string eight_b, eight_a;
  for (int i = 0; i < 8; ++i) eight_b += "{{b}}", eight_a += "{{a}}";
  InterpolationOptions options;
  options.max_string_size = 4096;
  Result r = run("a: \"x" + eight_b + "\"\nb: \"y" + eight_a + "\"\n", options);
  ASSERT_FALSE(r.diagnostics.empty());
  EXPECT_EQ(r.diagnostics.items()[0].origin.str() + " " + r.diagnostics.items()[0].message,
            "c.yaml:1:4 interpolating `a` grows past 4096 characters: its placeholders expand to "
            "too large a value");
  EXPECT_LE(r.data.find("a")->as_string().size(), 4096u);
}

TEST(Interpolation, MutuallyCopyingMapsStopAtTheBound) {
  InterpolationOptions options;
  options.max_copied_values = 10'000;
  Result r =
      run("a: {p: \"{{b}}\", q: \"{{b}}\", r: \"{{b}}\", s: \"{{b}}\"}\n"
          "b: {p: \"{{a}}\", q: \"{{a}}\", r: \"{{a}}\", s: \"{{a}}\"}\n",
          options);
  ASSERT_FALSE(r.diagnostics.empty());
  const Diagnostic& d = r.diagnostics.items()[0];
  EXPECT_EQ(d.message.substr(d.message.find(" copies")),
            " copies more than 10000 values in all: whole-value placeholders expand to too large a "
            "tree");
}

TEST(Interpolation, ExponentialExpansionIsCalledTooLargeNotACycle) {
  // No cycle: each value repeats the one before twice (a12 is 8192 characters, a30 2^31).
  std::string doc = "a00: xy\n";
  for (int i = 1; i <= 30; ++i) {
    char line[64];
    std::snprintf(line, sizeof line, "a%02d: \"{{a%02d}}{{a%02d}}\"\n", i, i - 1, i - 1);
    doc += line;
  }
  InterpolationOptions options;
  options.max_string_size = 4096;
  Result r = run(doc, options);
  ASSERT_EQ(r.diagnostics.items().size(), 1u);
  const Diagnostic& d = r.diagnostics.items()[0];
  EXPECT_EQ(d.origin.str() + " " + d.message,
            "c.yaml:13:6 interpolating `a12` grows past 4096 characters: its placeholders expand "
            "to too large a value");
  EXPECT_EQ(d.message.find("cycle"), std::string::npos);
  EXPECT_NE(d.hint.find("multiply in size"), std::string::npos) << d.hint;
}

TEST(Interpolation, MapThatCopiesItselfStopsAtTheDepthBound) {
  // Each pass nests c inside c.d again, doubling the depth: this overflowed the stack.
  InterpolationOptions options;
  options.max_depth = 50;
  Result r = run("c: {d: \"{{c}}\"}\n", options);
  ASSERT_EQ(r.diagnostics.items().size(), 1u);
  const Diagnostic& d = r.diagnostics.items()[0];
  EXPECT_EQ(d.origin.str(), "c.yaml:1:8");
  EXPECT_EQ(d.message.substr(0, 20), "interpolating `c.d.d");
  EXPECT_NE(d.message.find("` nests deeper than 50 levels: whole-value placeholders copy maps or "
                           "lists into each other or into themselves"),
            std::string::npos)
      << d.message;
}

TEST(Interpolation, AValueThatRepeatsItselfBehindUnclosedOpeningsStopsAtTheBound) {
  // Found by yaml_layers_fuzz: each pass doubles `a`, and every copy brings one more `{{` that
  // no `}}` closes before the last one. Finding the placeholder was quadratic in the length, so
  // growing to the 1 MiB bound took minutes; now it is linear and this is one error at once.
  Result r = run("a: \"{{b}9\\0\\0xceptio{{a}}\"\n");
  ASSERT_EQ(r.diagnostics.items().size(), 1u);
  EXPECT_EQ(r.diagnostics.items()[0].origin.str() + " " + r.diagnostics.items()[0].message,
            "c.yaml:1:4 interpolating `a` grows past 1048576 characters: its placeholders expand "
            "to too large a value");
}

TEST(Interpolation, ManyGrowingValuesStopAtTheBoundOnTextInAll) {
  // Each value stays under the bound on one string, and together they would not fit in memory:
  // 1,000 such lines would hold a gigabyte.
  std::string doc;
  for (int i = 0; i < 20; ++i)
    doc += "k" + std::to_string(100 + i) + ": \"x{{k" + std::to_string(100 + i) + "}}\"\n";
  InterpolationOptions options;
  options.max_total_growth = 1 << 20;
  Result r = run(doc, options);
  ASSERT_EQ(r.diagnostics.items().size(), 1u) << r.diagnostics.items()[1].message;
  const Diagnostic& d = r.diagnostics.items()[0];
  EXPECT_EQ(d.message.substr(d.message.find("` ") + 2),
            "adds more than 1 MiB of text in all: its placeholders expand to too large values");
  size_t held = 0;
  for (const auto& [k, v] : r.data.as_map()) held += v.as_string().size();
  EXPECT_LE(held, (1u << 20) + 20 * (1u << 17));
}

TEST(Interpolation, NestedAndEscapedPlaceholdersAmongUnclosedOpenings) {
  // What the linear search must keep finding: the innermost placeholder before the first `}}`,
  // escapes skipped, and `{{` that nothing closes left as they are.
  Result r = run("n: {x: v}\nk: n\na: \"{{ {{`{{k}}`}} {{ {{n.x}} {{k}}\"\n");
  ASSERT_TRUE(r.diagnostics.empty()) << r.diagnostics.items()[0].message;
  EXPECT_EQ(r.data.find("a")->as_string(), "{{ {{k}} {{ v n");
}

TEST(Interpolation, ManyUnresolvedPlaceholdersEndInOneSummary) {
  std::string doc;
  for (int i = 0; i < 60; ++i) doc += "k" + std::to_string(100 + i) + ": \"{{nope}}\"\n";
  Result r = run(doc);
  ASSERT_EQ(r.diagnostics.items().size(), 51u);
  EXPECT_EQ(r.diagnostics.items()[49].message, "unresolved placeholder {{nope}} in `k149`");
  // The summary points at the first placeholder it stands for (line 51), not at the file.
  EXPECT_EQ(r.diagnostics.items()[50].render(),
            "c.yaml:51:7: 10 more unresolved placeholders, the first of them here\n  hint: fix the "
            "ones above first; the rest often follow from them");
}

TEST(Interpolation, MapInsideAStringIsAnError) {
  Result r = run("m: {a: 1}\ns: \"x-{{m}}\"\n");
  ASSERT_EQ(r.diagnostics.items().size(), 1u);
  EXPECT_EQ(r.diagnostics.items()[0].message,
            "placeholder {{m}} in `s` refers to a map, which cannot be put inside a string");
}

TEST(Interpolation, ExcludeBeforeFilterAfter) {
  InterpolationOptions options;
  options.exclude = {"secret_stuff"};
  options.filter = {"a", "b"};
  Result r = run("secret_stuff: {x: 1}\na: \"{{c}}\"\nb: 2\nc: three\n", options);
  EXPECT_TRUE(r.diagnostics.empty());
  EXPECT_EQ(json(r.data), R"({"a":"three","b":2})");
}

TEST(Interpolation, ExcludedKeyCannotBeReferenced) {
  InterpolationOptions options;
  options.exclude = {"hidden"};
  Result r = run("hidden: {x: 1}\na: \"{{hidden.x}}\"\n", options);
  EXPECT_EQ(r.diagnostics.items().size(), 1u);
}

class FakeSecrets : public SecretResolver {
 public:
  Value resolve(const std::string& ref, const Origin& where) override {
    if (ref == "sops://s.enc.yaml#/db/password") return Value("hunter2");
    throw Error("no such secret " + ref, where, "check the path");
  }
};

TEST(Interpolation, SecretReferencesGoThroughTheResolver) {
  FakeSecrets secrets;
  InterpolationOptions options;
  options.secrets = &secrets;
  Result r =
      run("db: {password: \"sops://s.enc.yaml#/db/password\"}\nbad: \"sops://nope\"\n", options);
  EXPECT_EQ(r.data.find("db")->find("password")->as_string(), "hunter2");
  EXPECT_TRUE(r.data.find("db")->find("password")->sensitive());
  ASSERT_EQ(r.diagnostics.items().size(), 1u);
  EXPECT_EQ(r.diagnostics.items()[0].origin.str(), "c.yaml:2:6");
  EXPECT_EQ(r.diagnostics.items()[0].message, "secret for `bad`: no such secret sops://nope");
}

TEST(Interpolation, SecretReferencesStayStringsWithoutResolver) {
  Result r = run("p: \"sops://s.enc.yaml#/db/password\"\n");
  EXPECT_TRUE(r.diagnostics.empty());
  EXPECT_EQ(r.data.find("p")->as_string(), "sops://s.enc.yaml#/db/password");
}

}  // namespace
}  // namespace strata::yaml

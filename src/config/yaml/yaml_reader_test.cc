#include "config/yaml/yaml_reader.h"

#include <gtest/gtest.h>

#include <tuple>
#include <vector>

#include "model/error.h"

namespace strata::yaml {
namespace {

std::string json(const Value& v) { return to_json_text(v, -1); }

// Fault campaign (#18): aliases that refer to what contains them crashed validate, list and
// secrets decrypt with SIGSEGV (the walk recursed forever); deep nesting said "bad file".
TEST(YamlReader, HostileDocumentsAreErrorsWithAPositionNeverACrash) {
  struct Case {
    std::string text, message;
  };
  const std::string deep = "a: " + std::string(10000, '[') + std::string(10000, ']') + "\n";
  for (const auto& c : std::vector<Case>{
           {"a: &a [*a]\n", "an alias refers to a map or list that contains it"},
           {"a: &a {b: *a}\n", "an alias refers to a map or list that contains it"},
           {"x: 1\na: &a\n  b:\n    c: [1, *a]\n", "an alias refers to a map or list that contains it"},
           {deep, "the document nests too deeply"},
           {"a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
            "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n",
            "expands to more than"},
       }) {
    try {
      parse_yaml(c.text, "f.yaml", 50000);
      ADD_FAILURE() << "no error for " << c.text.substr(0, 40);
    } catch (const Error& e) {
      EXPECT_NE(e.message().find(c.message), std::string::npos) << e.message();
      EXPECT_EQ(e.origin().path(), "f.yaml");
      EXPECT_GT(e.origin().line, 0) << e.render();
    }
  }
}

// Fuzzing (#18): a byte that is not UTF-8 went through yaml-cpp into a string, and the first
// JSON written from it (an error message, tfvars) threw nlohmann's type_error out of
// load_yaml_stacks, which promises diagnostics (the CLI called it an internal error).
TEST(YamlReader, BytesThatAreNotUtf8AreAnErrorAtTheirValue) {
  for (const auto& [text, origin, byte] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"a: 1\nb: caf\xe9\n", "u.yaml:2:4", "byte 0xE9 (byte 4 of the value here)"},
           {"ok: [x, \"\xc0\xaf\"]\n", "u.yaml:1:9", "byte 0xC0 (byte 1 of the value here)"},
           {"k\xff: 1\n", "u.yaml:1:1", "byte 0xFF (byte 2 of the value here)"},
           {"s: \xed\xa0\x80\n", "u.yaml:1:4", "byte 0xED"},  // a surrogate
       }) {
    try {
      parse_yaml(text, "u.yaml");
      ADD_FAILURE() << "no error for " << text;
    } catch (const Error& e) {
      EXPECT_EQ(e.origin().str(), origin) << e.render();
      EXPECT_NE(e.message().find("the file is not valid UTF-8: " + byte), std::string::npos)
          << e.message();
      EXPECT_EQ(e.hint(), "save the file as UTF-8");
    }
  }
  EXPECT_EQ(json(parse_yaml("s: \"caf\xc3\xa9 \xf0\x9f\x99\x82\"\n", "u.yaml")),
            "{\"s\":\"caf\xc3\xa9 \xf0\x9f\x99\x82\"}");
}

TEST(YamlReader, EmptyFileIsEmptyMap) {
  EXPECT_EQ(json(parse_yaml("", "a.yaml")), "{}");
  EXPECT_EQ(json(parse_yaml("# only a comment\n", "a.yaml")), "{}");
}

TEST(YamlReader, ScalarsAreTypedLikePyYaml) {
  Value v = parse_yaml(
      "s: hello\nq: \"42\"\ni: 42\nneg: -7\nf: 1.5\nfe: 1.0e+3\nb1: true\nb2: yes\nb3: Off\n"
      "n1: ~\nn2:\nn3: null\noct: 010\nhex: 0x1F\nexp_no_dot: 1e5\ninf: .inf\nver: 1.2.3\n",
      "a.yaml");
  EXPECT_EQ(json(v),
            R"({"b1":true,"b2":true,"b3":false,"exp_no_dot":"1e5","f":1.5,"fe":1.0e+3,"hex":31,)"
            R"("i":42,"inf":".inf","n1":null,"n2":null,"n3":null,"neg":-7,"oct":8,"q":"42",)"
            R"("s":"hello","ver":"1.2.3"})");
}

TEST(YamlReader, EveryNodeHasItsOrigin) {
  Value v = parse_yaml("top:\n  inner:\n    - x\n    - 2\n", "dir/a.yaml");
  EXPECT_EQ(v.origin().str(), "dir/a.yaml:1:1");
  EXPECT_EQ(v.find("top")->origin().str(), "dir/a.yaml:2:3");
  const Value& list = *v.find("top")->find("inner");
  EXPECT_EQ(list.origin().str(), "dir/a.yaml:3:5");
  EXPECT_EQ(list.as_list()[1].origin().str(), "dir/a.yaml:4:7");
}

TEST(YamlReader, AnchorsAndAliases) {
  Value v = parse_yaml("base: &b {x: 1, y: [a]}\ncopy: *b\nname: &n foo\nalso: *n\n", "a.yaml");
  EXPECT_EQ(json(*v.find("copy")), R"({"x":1,"y":["a"]})");
  EXPECT_EQ(json(*v.find("also")), R"("foo")");
}

TEST(YamlReader, MergeKeySingleMapExplicitKeysWin) {
  Value v = parse_yaml(
      "defaults: &d {size: small, zone: a}\n"
      "svc:\n  size: large\n  <<: *d\n",
      "a.yaml");
  EXPECT_EQ(json(*v.find("svc")), R"({"size":"large","zone":"a"})");
}

TEST(YamlReader, MergeKeyListEarlierMapsWin) {
  Value v = parse_yaml(
      "a: &a {k: from_a, only_a: 1}\n"
      "b: &b {k: from_b, only_b: 2}\n"
      "c:\n  <<: [*a, *b]\n  own: 3\n",
      "a.yaml");
  EXPECT_EQ(json(*v.find("c")), R"({"k":"from_a","only_a":1,"only_b":2,"own":3})");
}

TEST(YamlReader, QuotedMergeKeyIsAnOrdinaryKey) {
  Value v = parse_yaml("\"<<\": x\n", "a.yaml");
  EXPECT_EQ(json(v), R"({"<<":"x"})");
}

TEST(YamlReader, MergeKeyOfAScalarIsAnError) {
  try {
    parse_yaml("a:\n  <<: nope\n", "m.yaml");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.origin().str(), "m.yaml:2:7");
    EXPECT_NE(e.message().find("merge key"), std::string::npos);
  }
}

TEST(YamlReader, SyntaxErrorHasPosition) {
  try {
    parse_yaml("a: [1, 2\nb: 3\n", "bad.yaml");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.origin().path(), "bad.yaml");
    EXPECT_GT(e.origin().line, 0);
    EXPECT_NE(e.message().find("invalid YAML"), std::string::npos);
  }
}

TEST(YamlReader, TopLevelListIsAnError) {
  try {
    parse_yaml("- a\n- b\n", "l.yaml");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.render().substr(0, 10), "l.yaml:1:1");
    EXPECT_NE(e.message().find("not a list"), std::string::npos);
  }
}

TEST(YamlReader, AliasBombIsStopped) {
  std::string doc = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  std::string prev = "a";
  for (char c = 'b'; c <= 'i'; ++c) {
    std::string name(1, c);
    doc += name + ": &" + name + " [";
    for (int i = 0; i < 10; ++i) doc += (i ? ", *" : "*") + prev;
    doc += "]\n";
    prev = name;
  }
  // 10^9 values once expanded; a small bound keeps the test fast.
  try {
    parse_yaml(doc, "bomb.yaml", 10'000);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("more than 10000 values"), std::string::npos) << e.message();
  }
}

}  // namespace
}  // namespace strata::yaml

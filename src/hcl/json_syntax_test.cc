// JSON-syntax stories: a .tf.json file read into the same tree as native syntax, with positions,
// templates, blocks by schema, and a diagnostic with file:line:col for every kind of mistake.
#include "hcl/json_syntax.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "hcl/eval.h"
#include "hcl/module_inspector.h"
#include "hcl/parser.h"
#include "hcl/terraform_schema.h"
#include "hcl/variables.h"
#include "tests/support/conformance.h"

namespace strata::hcl {
namespace {

// "line:col" of a position, to keep expectations short.
std::string lc(const Pos& p) { return std::to_string(p.line) + ":" + std::to_string(p.column); }

// Every diagnostic as "line:col summary".
std::vector<std::string> diag_list(const File& f) {
  std::vector<std::string> out;
  for (const auto& d : f.diagnostics.items()) out.push_back(lc(d.subject.start) + " " + d.summary);
  return out;
}

Value eval_const(const Expr& e) {
  HclDiagnostics d;
  Value v = evaluate(e, nullptr, d);
  EXPECT_FALSE(d.has_errors());
  return v;
}

BodySchema schema_with(std::vector<BlockSchema> blocks) {
  return BodySchema{std::move(blocks), {}};
}

TEST(HclJsonSyntax, PropertiesAndValuesKeepTheirPositions) {
  File f = parse_json_config(
      "{\n  \"a\": 1.50,\n  \"b\": [true, null],\n  \"c\": {\"x\": \"y\"}\n}\n", "main.tf.json");
  ASSERT_TRUE(f.diagnostics.empty()) << diag_list(f)[0];
  ASSERT_EQ(f.body.attributes.size(), 3u);
  const Attribute& a = f.body.attributes[0];
  EXPECT_EQ(a.name, "a");
  EXPECT_EQ(a.name_range.start, (Pos{2, 3, 4}));
  EXPECT_EQ(a.name_range.end, (Pos{2, 6, 7}));
  EXPECT_EQ(a.expr->range.start, (Pos{2, 8, 9}));
  EXPECT_EQ(a.expr->range.end, (Pos{2, 12, 13}));
  EXPECT_EQ(a.range, range_between(a.name_range, a.expr->range));
  EXPECT_EQ(a.expr->value.as_number().text(), "1.50");  // exact, as written
  const Attribute& b = f.body.attributes[1];
  ASSERT_EQ(b.expr->kind, ExprKind::kTuple);
  EXPECT_EQ(lc(b.expr->items[1]->range.start), "3:15");
  const Attribute& c = f.body.attributes[2];
  EXPECT_EQ(c.expr->kind, ExprKind::kObject);
  EXPECT_EQ(eval_const(*c.expr), Value(Value::Map{{"x", "y"}}));
  EXPECT_EQ(f.body.range.end, (Pos{5, 2, 55}));
}

TEST(HclJsonSyntax, StringsAreTemplatesWithReferencesAtTheirSourcePosition) {
  File f = parse_json_config(
      R"({"name": "${var.prefix}-\u00e9\"-${module.vpc.id}", "n": "${1 + 2}"})", "main.tf.json");
  ASSERT_TRUE(f.diagnostics.empty()) << diag_list(f)[0];
  const Attribute* name = f.body.find_attribute("name");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->expr->kind, ExprKind::kTemplate);
  std::vector<std::string> refs;
  for (const auto& v : expr_variables(*name->expr)) {
    refs.push_back(traversal_str(v.traversal) + " " + v.range.short_str());
  }
  // The \u00e9 and \" escapes are longer in the file than in the string: columns still match.
  EXPECT_EQ(refs, (std::vector<std::string>{"var.prefix 1:13-1:23", "module.vpc.id 1:36-1:49"}));
  EXPECT_EQ(name->expr->range.start.column, 10);  // the string, quotes included

  // An emoji with a skin-tone modifier is one column, as in native syntax.
  File emoji = parse_json_config("{\"b\": \"\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd${var.y}\"}", "x.json");
  ASSERT_TRUE(emoji.diagnostics.empty());
  auto vars = expr_variables(*emoji.body.attributes[0].expr);
  ASSERT_EQ(vars.size(), 1u);
  EXPECT_EQ(vars[0].range.short_str(), "1:11-1:16");

  // "${...}" alone unwraps to the expression's own value: a number, not a string.
  EvalContext ctx;
  HclDiagnostics d;
  EXPECT_EQ(evaluate(*f.body.find_attribute("n")->expr, &ctx, d), Value(3));
}

TEST(HclJsonSyntax, TemplateErrorsPointIntoTheJsonFile) {
  File f = parse_json_config("{\n  \"a\": \"x ${var.} y\"\n}", "main.tf.json");
  ASSERT_TRUE(f.diagnostics.has_errors());
  EXPECT_EQ(lc(f.diagnostics.first_error()->subject.start), "2:17");
}

TEST(HclJsonSyntax, BlocksWithZeroOneAndTwoLabels) {
  File f = parse_json_config(R"({
  "terraform": {"required_version": ">= 1.5"},
  "variable": {"region": {"default": "eu"}, "zone": {}},
  "resource": {"aws_vpc": {"main": {"cidr": "${var.cidr}"}, "peer": {}}}
})",
                             "main.tf.json", terraform_file_schema());
  ASSERT_TRUE(f.diagnostics.empty()) << diag_list(f)[0];
  ASSERT_EQ(f.body.blocks.size(), 5u);
  EXPECT_TRUE(f.body.attributes.empty());
  const Block& tf = f.body.blocks[0];
  EXPECT_EQ(tf.type, "terraform");
  EXPECT_TRUE(tf.labels.empty());
  EXPECT_EQ(lc(tf.type_range.start), "2:3");
  EXPECT_EQ(lc(tf.open_brace_range.start), "2:16");
  EXPECT_EQ(lc(tf.range().end), "2:46");
  EXPECT_EQ(f.body.blocks[1].labels, (std::vector<std::string>{"region"}));
  EXPECT_EQ(lc(f.body.blocks[1].label_ranges[0].start), "3:16");
  EXPECT_EQ(f.body.blocks[2].labels, (std::vector<std::string>{"zone"}));
  const Block& vpc = f.body.blocks[3];
  EXPECT_EQ(vpc.labels, (std::vector<std::string>{"aws_vpc", "main"}));
  ASSERT_EQ(vpc.label_ranges.size(), 2u);
  EXPECT_EQ(lc(vpc.label_ranges[1].start), "4:28");
  ASSERT_NE(vpc.body.find_attribute("cidr"), nullptr);
  EXPECT_EQ(f.body.blocks[4].labels, (std::vector<std::string>{"aws_vpc", "peer"}));
}

TEST(HclJsonSyntax, ArraysGiveRepeatedBlocksAtLabelAndBodyLevel) {
  BodySchema schema = schema_with({BlockSchema{"foo", {"a", "b"}, {}}});
  File f = parse_json_config(R"({"foo": [
  {"bar": {"baz": [{"v": 1}, {"v": 2}]}},
  {"bar": {"boz": {"v": 3}}, "x": {"y": {"v": 4}}}
]})",
                             "x.hcl.json", schema);
  ASSERT_TRUE(f.diagnostics.empty()) << diag_list(f)[0];
  std::vector<std::string> got;
  for (const auto& b : f.body.blocks) {
    got.push_back(b.labels[0] + "." + b.labels[1] + "=" +
                  eval_const(*b.body.find_attribute("v")->expr).as_number().text());
  }
  EXPECT_EQ(got, (std::vector<std::string>{"bar.baz=1", "bar.baz=2", "bar.boz=3", "x.y=4"}));
  // A block type given twice in one object is two definitions, in order.
  File twice = parse_json_config(R"({"foo": {"a": {"b": {}}}, "foo": {"c": {"d": {}}}})",
                                 "x.hcl.json", schema);
  ASSERT_TRUE(twice.diagnostics.empty());
  EXPECT_EQ(twice.body.blocks.size(), 2u);
  // An empty array or null is no block at all.
  File none = parse_json_config(R"({"foo": [], "bar": 1})", "x.hcl.json",
                                schema_with({BlockSchema{"foo", {}, {}}}));
  EXPECT_TRUE(none.diagnostics.empty());
  EXPECT_TRUE(none.body.blocks.empty());
}

TEST(HclJsonSyntax, CommentPropertiesAreIgnoredInBodiesOnly) {
  File f = parse_json_config(R"({"//": "top", "locals": {"//": "x", "a": {"//": "kept"}}})",
                             "main.tf.json", terraform_file_schema());
  ASSERT_TRUE(f.diagnostics.empty());
  EXPECT_TRUE(f.body.attributes.empty());
  ASSERT_EQ(f.body.blocks.size(), 1u);
  const Body& locals = f.body.blocks[0].body;
  ASSERT_EQ(locals.attributes.size(), 1u);
  EXPECT_EQ(eval_const(*locals.attributes[0].expr), Value(Value::Map{{"//", "kept"}}));
}

TEST(HclJsonSyntax, TerraformLiteralAndExpressionStrings) {
  File f = parse_json_config(R"J({"variable": {"v": {
  "type": "list(string)",
  "default": ["${not_a_template}"]
}}, "resource": {"a": {"b": {"depends_on": ["aws_vpc.main"]}}}})J",
                             "main.tf.json", terraform_file_schema());
  ASSERT_TRUE(f.diagnostics.empty()) << diag_list(f)[0];
  const Body& v = f.body.blocks[0].body;
  EXPECT_EQ(f.text(v.find_attribute("type")->expr->range), "list(string)");
  EXPECT_EQ(v.find_attribute("type")->expr->kind, ExprKind::kFunctionCall);
  EXPECT_EQ(eval_const(*v.find_attribute("default")->expr),
            Value(Value::List{Value("${not_a_template}")}));
  auto deps = expr_variables(*f.body.blocks[1].body.find_attribute("depends_on")->expr);
  ASSERT_EQ(deps.size(), 1u);
  EXPECT_EQ(traversal_str(deps[0].traversal), "aws_vpc.main");
  EXPECT_EQ(deps[0].range.short_str(), "4:46-4:58");
}

TEST(HclJsonSyntax, ExpressionStringErrorsPointIntoTheJsonFile) {
  File f = parse_json_config("{\"variable\": {\"v\": {\n  \"type\": \"map(\\\"x\\\" string)\"}}}",
                             "main.tf.json", terraform_file_schema());
  ASSERT_TRUE(f.diagnostics.has_errors());
  // `string` is column 9 of the decoded map("x" string) but column 22 in the file, after the
  // two escaped quotes.
  EXPECT_EQ(lc(f.diagnostics.first_error()->subject.start), "2:22");
}

TEST(HclJsonSyntax, StructuralErrorsSayWhereAndWhat) {
  File f = parse_json_config(R"({
  "variable": {"a": "oops"},
  "resource": {"aws_vpc": 3},
  "module": {},
  "x": 1,
  "x": 2,
  "m": {"k": 1, "k": 2}
})",
                             "main.tf.json", terraform_file_schema());
  EXPECT_EQ(diag_list(f), (std::vector<std::string>{
                              "2:21 Incorrect JSON value type",
                              "3:27 Incorrect JSON value type",
                              "4:13 Missing block label",
                              "6:3 Duplicate argument",
                              "7:17 Duplicate object attribute",
                          }));
  EXPECT_NE(f.diagnostics.items()[3].detail.find("main.tf.json:5:3"), std::string::npos);
  File root = parse_json_config("[1]", "x.json");
  EXPECT_EQ(diag_list(root), (std::vector<std::string>{"1:2 Incorrect JSON value type"}));
  File scalar = parse_json_config("\"a\"", "x.json");
  EXPECT_EQ(diag_list(scalar), (std::vector<std::string>{"1:1 Root value must be object"}));
}

struct SyntaxCase {
  const char* text;
  std::vector<std::string> diags;
};

TEST(HclJsonSyntax, EveryJsonSyntaxErrorHasItsPosition) {
  const SyntaxCase cases[] = {
      {"", {"1:1 Missing value"}},
      {"{\"a\": 1} x", {"1:10 Extraneous data after value"}},
      {"{\"a\": 1,}", {"1:8 Trailing comma in object"}},
      {"{\"a\": [1,]}", {"1:9 Trailing comma in array"}},
      {"{\"a\": 1", {"1:1 Unclosed object"}},
      {"{\"a\": [1", {"1:7 Unclosed array", "1:1 Unclosed object"}},
      {"{\"a\": 1]", {"1:8 Mismatched braces"}},
      {"{\"a\": [1}}", {"1:9 Mismatched brackets"}},
      {"{\"a\": 1\n \"b\": 2}", {"2:2 Missing comma"}},
      {"{\"a\" = 1}", {"1:6 Missing property value colon"}},
      {"{\"a\" 1}", {"1:6 Missing property value colon"}},
      {"{\"a\"}", {"1:5 Missing object value"}},
      {"{\"a\": }", {"1:7 Missing value"}},
      {"{a: 1}", {"1:2 Invalid object property name"}},
      {"{\"a\": 01}", {"1:7 Invalid JSON number"}},
      {"{\"a\": 1e99999}", {"1:7 Invalid JSON number"}},
      {"{\"a\": True}", {"1:7 Invalid JSON keyword"}},
      {"{\"a\": NaN}", {"1:7 Invalid JSON keyword"}},
      {"{\"a\": 'x'}", {"1:7 Invalid start of value"}},
      {"{// c\n\"a\": 1}", {"1:2 Invalid object property name"}},
      {"{\"a\": \"x\\qy\"}", {"1:9 Invalid escape sequence"}},
      {"{\"a\": \"\\u12G4\"}", {"1:8 Invalid escape sequence"}},
      {"{\"a\": \"x\ty\"}", {"1:9 Invalid character in string"}},
      {"{\"a\": \"x\xff\"}", {"1:9 Invalid character encoding"}},
      {"{\"a\": \"abc\n}", {"1:7 Unterminated string"}},
      // Several errors in one file: each is reported, the rest of the file still read.
      {"{\"a\": 01, \"b\": tru, \"c\" = 3, \"d\": 4}",
       {"1:7 Invalid JSON number", "1:16 Invalid JSON keyword",
        "1:25 Missing property value colon"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    File f = parse_json_config(c.text, "x.tf.json");
    EXPECT_EQ(diag_list(f), c.diags);
    for (const auto& d : f.diagnostics.items()) EXPECT_FALSE(d.detail.empty());
  }
  // The recovered file keeps what could be read.
  File f = parse_json_config("{\"a\": 01, \"b\": tru, \"c\" = 3, \"d\": 4}", "x.tf.json");
  ASSERT_NE(f.body.find_attribute("d"), nullptr);
  EXPECT_EQ(eval_const(*f.body.find_attribute("d")->expr), Value(4));
}

TEST(HclJsonSyntax, DiagnosticsBecomeFileLineColumnErrors) {
  File f = parse_json_config("{\n  \"a\": [1,]\n}", "main.tf.json");
  Diagnostics d = to_diagnostics(f.diagnostics, f.filename);
  ASSERT_TRUE(d.has_errors());
  EXPECT_EQ(d.items()[0].origin.str(), "main.tf.json:2:10");
}

TEST(HclJsonSyntax, DeepNestingIsADiagnosticNotACrash) {
  std::string deep = "{\"a\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
  File f = parse_json_config(deep, "deep.json");
  ASSERT_TRUE(f.diagnostics.has_errors());
  EXPECT_EQ(f.diagnostics.first_error()->summary, "Nesting too deep");
  EXPECT_EQ(f.diagnostics.size(), 1u);
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
  File g = parse_json_config(objects, "deep.json");
  EXPECT_EQ(g.diagnostics.first_error()->summary, "Nesting too deep");
  // Just inside the limit is fine.
  std::string ok = "{\"a\": " + std::string(200, '[') + std::string(200, ']') + "}";
  EXPECT_FALSE(parse_json_config(ok, "ok.json").diagnostics.has_errors());
}

TEST(HclJsonSyntax, BadInputNeverThrows) {
  for (std::string s : {"{", "[", "\"", "{\"", "{\"a\"", "{\"a\":", "{\"a\":[", "{\"a\":\"${",
                        "{\"a\":\"${x", "{\"a\":\"%{if}\"}", "\xef\xbb\xbf{}", "{\"a\":\"\\u\"}",
                        "{\"a\":-}", "}{", ",", "[{},{]}"}) {
    SCOPED_TRACE(s);
    EXPECT_NO_THROW(parse_json_config(s, "x.json", terraform_file_schema()));
  }
  EXPECT_TRUE(parse_json_config("\xef\xbb\xbf{}", "bom.json").diagnostics.empty());
}

// ---- the inspector: one module written in both syntaxes ----

// to_value(info) without the "at" positions, which differ between the two files.
Value without_positions(const Value& v) {
  if (v.is_list()) {
    Value::List out;
    for (const auto& e : v.as_list()) out.push_back(without_positions(e));
    return Value(std::move(out));
  }
  if (!v.is_map()) return v;
  Value::Map out;
  for (const auto& [k, e] : v.as_map()) {
    if (k != "at") out[k] = without_positions(e);
  }
  return Value(std::move(out));
}

TEST(HclJsonSyntax, InspectorSeesTheSameModuleInBothSyntaxes) {
  std::string data = ::strata::testing::source_dir() + "/tests/data/hcl/json";
  ModuleInfo native = inspect_module_dir(data + "/native");
  ModuleInfo json = inspect_module_dir(data + "/json");
  ASSERT_TRUE(native.diagnostics.empty());
  ASSERT_TRUE(json.diagnostics.empty()) << json.diagnostics.items()[0].render();
  EXPECT_EQ(to_json_text(without_positions(to_value(json))),
            to_json_text(without_positions(to_value(native))));
  std::vector<std::string> native_refs, json_refs;
  for (const auto& a : native.references) {
    for (const auto& r : a.refs) native_refs.push_back(a.address + " " + r.traversal);
  }
  for (const auto& a : json.references) {
    for (const auto& r : a.refs) json_refs.push_back(a.address + " " + r.traversal);
  }
  EXPECT_EQ(json_refs, native_refs);
  EXPECT_GT(json_refs.size(), 5u);
  // Positions point into the JSON file: a block at its opening brace, a reference at its name.
  ASSERT_FALSE(json.variables.empty());
  EXPECT_TRUE(json.variables[0].origin.str().ends_with("main.tf.json:18:13"))
      << json.variables[0].origin.str();
}

}  // namespace
}  // namespace strata::hcl

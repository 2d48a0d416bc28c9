// Parser stories: what a user writes, what tree and which diagnostics come back.
#include "hcl/parser.h"

#include <gtest/gtest.h>

namespace strata::hcl {
namespace {

TEST(HclParser, AttributesAndBlocksKeepTheirRanges) {
  File f =
      parse_config("a = 1 + 2\nresource \"aws_vpc\" \"main\" {\n  cidr = var.cidr\n}\n", "main.tf");
  ASSERT_TRUE(f.diagnostics.empty());
  ASSERT_EQ(f.body.attributes.size(), 1u);
  const Attribute& a = f.body.attributes[0];
  EXPECT_EQ(a.name, "a");
  EXPECT_EQ(a.range.start, (Pos{1, 1, 0}));
  EXPECT_EQ(a.range.end, (Pos{1, 10, 9}));
  EXPECT_STREQ(a.expr->kind_name(), "BinaryOpExpr");
  ASSERT_EQ(f.body.blocks.size(), 1u);
  const Block& b = f.body.blocks[0];
  EXPECT_EQ(b.type, "resource");
  EXPECT_EQ(b.labels, (std::vector<std::string>{"aws_vpc", "main"}));
  EXPECT_EQ(b.range().end.line, 4);
  const Attribute* cidr = b.body.find_attribute("cidr");
  ASSERT_NE(cidr, nullptr);
  EXPECT_EQ(traversal_str(cidr->expr->traversal), "var.cidr");
}

TEST(HclParser, CommaBetweenArgumentsIsAnErrorAtTheComma) {
  File f = parse_config("a = \"a value\", b = \"b value\"\n", "x.hcl");
  ASSERT_TRUE(f.diagnostics.has_errors());
  const HclDiagnostic* d = f.diagnostics.first_error();
  EXPECT_EQ(d->summary, "Unexpected comma after argument");
  EXPECT_EQ(d->subject.start, (Pos{1, 14, 13}));
}

TEST(HclParser, UnclosedBlockPointsAtItsBrace) {
  File f = parse_config("a {\n", "x.hcl");
  ASSERT_TRUE(f.diagnostics.has_errors());
  EXPECT_EQ(f.diagnostics.first_error()->summary, "Unclosed configuration block");
  EXPECT_EQ(f.diagnostics.first_error()->subject.start, (Pos{1, 3, 2}));
}

TEST(HclParser, ReportsSeveralErrorsInOneFile) {
  File f = parse_config("a { b = \"foo\", c = \"bar\" }\na { b = \"foo\"\n}\n", "x.hcl");
  EXPECT_EQ(f.diagnostics.size(), 2u);
}

TEST(HclParser, DeepNestingIsADiagnosticNotACrash) {
  std::string deep = "a = " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  File f = parse_config(deep, "deep.hcl");
  ASSERT_TRUE(f.diagnostics.has_errors());
  EXPECT_EQ(f.diagnostics.first_error()->summary, "Nesting too deep");
}

TEST(HclParser, DeepUnaryAndTemplateNestingAreDiagnostics) {
  File unary = parse_config("a = " + std::string(100000, '-') + "1\n", "deep.hcl");
  ASSERT_TRUE(unary.diagnostics.has_errors());
  EXPECT_EQ(unary.diagnostics.first_error()->summary, "Nesting too deep");
  std::string ifs;
  for (int i = 0; i < 5000; ++i) ifs += "%{if true}";
  File tmpl = parse_config("a = \"" + ifs + "\"\n", "deep.hcl");
  ASSERT_TRUE(tmpl.diagnostics.has_errors());
  EXPECT_EQ(tmpl.diagnostics.first_error()->summary, "Nesting too deep");
}

TEST(HclParser, AbsurdNumberLiteralIsRejected) {
  File f = parse_config("a = 1e999999999\n", "n.hcl");
  ASSERT_TRUE(f.diagnostics.has_errors());
  EXPECT_EQ(f.diagnostics.first_error()->summary, "Invalid number literal");
}

TEST(HclParser, TemplatesHeredocsAndSplats) {
  File f = parse_config(
      "s = \"x-${var.a}-%{ if b }y%{ endif }\"\n"
      "h = <<-EOT\n    one\n      two\n    EOT\n"
      "ids = aws_instance.web[*].id\n"
      "old = aws_instance.web.*.id\n"
      "m = { for k, v in var.m : k => v... if v != null }\n"
      "f = concat(var.a, var.b...)\n",
      "t.tf");
  ASSERT_TRUE(f.diagnostics.empty()) << f.diagnostics.first_error()->summary;
  EXPECT_STREQ(f.body.find_attribute("s")->expr->kind_name(), "TemplateExpr");
  EXPECT_STREQ(f.body.find_attribute("ids")->expr->kind_name(), "SplatExpr");
  EXPECT_STREQ(f.body.find_attribute("old")->expr->kind_name(), "SplatExpr");
  EXPECT_STREQ(f.body.find_attribute("m")->expr->kind_name(), "ForExpr");
  EXPECT_TRUE(f.body.find_attribute("m")->expr->group);
  EXPECT_TRUE(f.body.find_attribute("f")->expr->expand_final);
}

}  // namespace
}  // namespace strata::hcl

// Evaluator, function library and writer stories.
#include "hcl/eval.h"

#include <gtest/gtest.h>

#include "hcl/functions.h"
#include "hcl/parser.h"
#include "hcl/writer.h"

namespace strata::hcl {
namespace {

// Evaluates attribute `a` of `src` with var.* = vars and the standard functions.
Value eval_attr(const std::string& src, HclDiagnostics& d, Value vars = Value::map()) {
  static const FunctionTable kFunctions = standard_functions();
  File f = parse_config(src, "t.hcl");
  EXPECT_FALSE(f.diagnostics.has_errors());
  EvalContext ctx;
  ctx.variables.set("var", std::move(vars));
  ctx.functions = &kFunctions;
  return evaluate(*f.body.find_attribute("a")->expr, &ctx, d);
}

Value eval_ok(const std::string& src, Value vars = Value::map()) {
  HclDiagnostics d;
  Value v = eval_attr(src, d, std::move(vars));
  EXPECT_FALSE(d.has_errors()) << src << ": " << (d.has_errors() ? d.first_error()->detail : "");
  return v;
}

TEST(HclEval, ArithmeticIsExactDecimal) {
  EXPECT_EQ(eval_ok("a = 0.1 + 0.2\n").as_number().text(), "0.3");
  EXPECT_EQ(eval_ok("a = 3.14159265358979323846264338327950288419716939937510582097494459 + 1\n")
                .as_number()
                .text(),
            "4.14159265358979323846264338327950288419716939937510582097494459");
  EXPECT_EQ(eval_ok("a = -7 % 3\n").as_number().text(), "-1");
}

TEST(HclEval, VariablesFunctionsAndTemplates) {
  Value vars = Value::map();
  vars.set("env", "dev");
  vars.set("zones", Value(Value::List{"a", "b"}));
  EXPECT_EQ(eval_ok("a = \"vpc-${var.env}-${length(var.zones)}\"\n", vars).as_string(),
            "vpc-dev-2");
  EXPECT_EQ(eval_ok("a = join(\",\", [for z in var.zones : upper(z)])\n", vars).as_string(), "A,B");
  EXPECT_EQ(eval_ok("a = \"%{ for z in var.zones }${z};%{ endfor }\"\n", vars).as_string(), "a;b;");
  EXPECT_EQ(eval_ok("a = try(var.missing, \"fallback\")\n", vars).as_string(), "fallback");
  EXPECT_EQ(eval_ok("a = can(var.missing)\n", vars), Value(false));
  EXPECT_EQ(eval_ok("a = merge({x = 1}, {y = 2})\n").as_map().size(), 2u);
}

TEST(HclEval, SensitivityFollowsTheValue) {
  Value vars = Value::map();
  Value secret("hunter2");
  secret.set_sensitive();
  vars.set("password", secret);
  vars.set("user", "admin");
  EXPECT_TRUE(eval_ok("a = \"${var.user}:${var.password}\"\n", vars).sensitive());
  EXPECT_TRUE(eval_ok("a = upper(var.password)\n", vars).sensitive());
  EXPECT_FALSE(eval_ok("a = \"${var.user}\"\n", vars).sensitive());
  EXPECT_TRUE(eval_ok("a = [var.password]\n", vars).contains_sensitive());
}

TEST(HclEval, UnknownVariableAndFunctionAreDiagnostics) {
  HclDiagnostics d;
  eval_attr("a = var.nope\n", d);
  ASSERT_TRUE(d.has_errors());
  EXPECT_EQ(d.first_error()->summary, "Unsupported attribute");
  EXPECT_EQ(d.first_error()->subject.start.column, 8);
  HclDiagnostics d2;
  eval_attr("a = nosuchfn(1)\n", d2);
  ASSERT_TRUE(d2.has_errors());
  EXPECT_EQ(d2.first_error()->summary, "Call to unknown function");
}

TEST(HclWriter, ValuesReadBackUnchanged) {
  Value v = Value::map();
  v.set("region", "eu-west-1");
  v.set("tags", Value(Value::Map{{"Name", "x ${not} \"q\"\n"}, {"a b", true}}));
  v.set("zones", Value(Value::List{"a", "b"}));
  v.set("count", Value(Number("3.50")));
  std::string text = write_hcl_body(v.as_map(), {});
  EXPECT_EQ(text.substr(0, 10), "count = 3.");
  File f = parse_config(text, "gen.tf");
  ASSERT_FALSE(f.diagnostics.has_errors()) << text;
  for (const auto& [k, want] : v.as_map()) {
    HclDiagnostics d;
    Value got = evaluate(*f.body.find_attribute(k)->expr, nullptr, d);
    EXPECT_FALSE(d.has_errors()) << k;
    if (k == "count") {
      EXPECT_EQ(got.as_number().text(), "3.5");
    } else {
      EXPECT_EQ(got, want) << k << "\n" << text;
    }
  }
}

TEST(HclWriter, StringsEscapeEverythingHclInterprets) {
  EXPECT_EQ(write_hcl_string("a\"b\\c\nd"), R"("a\"b\\c\nd")");
  EXPECT_EQ(write_hcl_string("${not.interp} %{x}"), R"("$${not.interp} %%{x}")");
  EXPECT_EQ(write_hcl_string("cost: $5 50%"), R"("cost: $5 50%")");
  EXPECT_EQ(write_hcl_string(std::string("tab\t\x01")), R"("tab\t\u0001")");
}

TEST(HclWriter, BlocksWithLabelsAndSortedAttributes) {
  WriteBlock provider{"provider", {"aws"}, {{"region", "us-east-1"}, {"alias", "east"}}, {}};
  EXPECT_EQ(write_hcl_body({}, {provider}),
            "provider \"aws\" {\n  alias = \"east\"\n  region = \"us-east-1\"\n}\n");
}

}  // namespace
}  // namespace strata::hcl

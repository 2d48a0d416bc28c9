#include "model/value.h"

#include <gtest/gtest.h>

#include "model/error.h"

namespace strata {
namespace {

TEST(ValueTest, JsonTextKeepsExactNumbersAndSortsKeys) {
  Value v = parse_json_text(R"({"b": 0.10000000000000000001, "a": [1, -2, true, null, "x\"y"]})");
  EXPECT_EQ(to_json_text(v, -1), R"({"a":[1,-2,true,null,"x\"y"],"b":0.10000000000000000001})");
}

TEST(ValueTest, IndentedOutputMatchesTfvarsStyle) {
  Value v = Value::map();
  v.set("name", "vpc");
  v.set("cidrs", Value(Value::List{"10.0.0.0/16"}));
  v.set("empty", Value::map());
  EXPECT_EQ(to_json_text(v),
            "{\n  \"cidrs\": [\n    \"10.0.0.0/16\"\n  ],\n  \"empty\": {},\n  \"name\": \"vpc\"\n}");
}

TEST(ValueTest, BadJsonIsAnErrorWithOrigin) {
  try {
    parse_json_text("{\"a\": }", Origin("out.json", 1, 1));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.render().find("out.json:1:1: invalid JSON"), std::string::npos) << e.render();
  }
}

TEST(ValueTest, RedactionReplacesSensitiveLeaves) {
  Value v = Value::map();
  Value secret("hunter2");
  secret.set_sensitive();
  v.set("password", secret);
  v.set("user", "admin");
  EXPECT_TRUE(v.contains_sensitive());
  EXPECT_EQ(to_json_text(redacted(v), -1), R"j({"password":"(sensitive)","user":"admin"})j");
}

TEST(ValueTest, NumbersCompareByValue) {
  EXPECT_EQ(Value(Number("1.0")), Value(1.0));
  EXPECT_EQ(Number("10").as_int(), 10);
  EXPECT_FALSE(Number("1e3").is_integer());
  EXPECT_EQ(Number::from_double(0.5).text(), "0.5");
}

}  // namespace
}  // namespace strata

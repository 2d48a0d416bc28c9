// Tests for reading `output -json` documents.
#include "engine/output_json.h"

#include <gtest/gtest.h>

#include "model/error.h"

namespace strata {
namespace {

TEST(OutputJson, ReadsValuesTypesAndSensitivity) {
  auto outputs = parse_output_json(R"({
    "n": {"sensitive": false, "type": "number", "value": 3},
    "l": {"sensitive": false, "type": ["tuple", ["string", "string"]], "value": ["a", "b"]},
    "secret": {"sensitive": true, "type": ["list", "string"], "value": ["hunter2"]}
  })");
  ASSERT_EQ(outputs.size(), 3u);
  EXPECT_EQ(outputs.at("n").value.as_number().text(), "3");
  EXPECT_EQ(to_json_text(outputs.at("l").type, -1), R"(["tuple",["string","string"]])");
  EXPECT_FALSE(outputs.at("l").value.contains_sensitive());
  EXPECT_TRUE(outputs.at("secret").sensitive);
  EXPECT_TRUE(outputs.at("secret").value.sensitive());
  // An element read out of a sensitive output stays sensitive.
  EXPECT_TRUE(outputs.at("secret").value.as_list().at(0).sensitive());

  Value values = output_values(outputs);
  EXPECT_EQ(to_json_text(redacted(values), -1),
            R"js({"l":["a","b"],"n":3,"secret":"(sensitive)"})js");
}

TEST(OutputJson, KeepsExactNumberText) {
  auto outputs = parse_output_json(R"({"big": {"sensitive": false, "type": "number",
                                           "value": 12345678901234567890123}})");
  EXPECT_EQ(outputs.at("big").value.as_number().text(), "12345678901234567890123");
}

TEST(OutputJson, EmptyStateHasNoOutputs) { EXPECT_TRUE(parse_output_json("{}\n").empty()); }

TEST(OutputJson, RejectsOtherDocumentsWithWhere) {
  try {
    parse_output_json(R"({"x": {"sensitive": false}})", Origin("work/vpc/output.json"));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.render().find("work/vpc/output.json"), std::string::npos);
    EXPECT_NE(e.message().find("\"x\" has no value"), std::string::npos);
    EXPECT_EQ(e.kind(), ErrorKind::kEngineFailed);
  }
  EXPECT_THROW(parse_output_json("\"hello\""), Error);
  EXPECT_THROW(parse_output_json("Error: no state"), Error);
}

}  // namespace
}  // namespace strata

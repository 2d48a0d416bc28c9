// What a body may hold, for syntaxes that cannot tell blocks from attributes by themselves:
// in HCL's JSON syntax (json_syntax.h) `"variable": {"x": {...}}` is a block only because the
// schema says `variable` is a block type with one label. Names the schema does not list are
// attributes, so an empty schema reads every property as an attribute (HCL's JustAttributes).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace strata::hcl {

// How the JSON strings of an attribute's value are read.
enum class JsonStringMode {
  kTemplate,    // full expression mode: "${var.x}-a" is a template (the default)
  kLiteral,     // literal-only mode: the exact text, "${" included (Terraform's Value(nil) reads)
  kExpression,  // the text is a native-syntax expression: "list(string)", "aws.west"
};

struct BlockSchema;

struct BodySchema {
  std::vector<BlockSchema> blocks;
  // Attributes read in a mode other than kTemplate. For kExpression, object property names stay
  // literal strings and only values (and array elements) are parsed.
  std::map<std::string, JsonStringMode> string_modes;

  const BlockSchema* find_block(const std::string& type) const;
};

struct BlockSchema {
  std::string type;
  std::vector<std::string> labels;  // what each label names, e.g. {"type", "name"}
  BodySchema body;
};

inline const BlockSchema* BodySchema::find_block(const std::string& type) const {
  for (const auto& b : blocks) {
    if (b.type == type) return &b;
  }
  return nullptr;
}

}  // namespace strata::hcl

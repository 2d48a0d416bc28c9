// The JSON reader behind HCL's JSON syntax (json/spec.md): a tree of JSON values that keeps the
// source range of every value and property name, the exact text of numbers, and every property
// of an object in source order (duplicates included), which general JSON libraries do not.
// Errors become HCL diagnostics; parsing recovers at the next property or element where it can,
// and nesting deeper than kMaxNestingDepth is reported instead of exhausting the stack.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hcl/hcl_diagnostic.h"
#include "hcl/source_range.h"

namespace strata::hcl {

struct JsonProperty;

struct JsonNode {
  enum class Kind { kInvalid, kNull, kBool, kNumber, kString, kObject, kArray };
  Kind kind = Kind::kInvalid;  // kInvalid: a placeholder where a syntax error was
  Range range;                 // the whole value
  Range open_range;            // kObject, kArray: "{" or "["
  Range close_range;           // kObject, kArray: "}" or "]"
  bool boolean = false;        // kBool
  std::string text;            // kString: the decoded string; kNumber: the number as written
  std::vector<JsonProperty> properties;  // kObject, in source order, duplicates kept
  std::vector<JsonNode> elements;        // kArray
};

struct JsonProperty {
  std::string name;
  Range name_range;  // the quoted name
  JsonNode value;
};

// Parses one JSON value (the whole of source). Never throws; problems go to diags.
JsonNode parse_json_node(std::string_view source, HclDiagnostics& diags);

// For a JSON string token at `token` in source: the source position of each byte of its
// decoded text, plus one more entry for the closing quote. Lets a template parsed from the
// decoded text report ranges in the JSON file even where escapes changed the length.
std::vector<Pos> json_string_positions(std::string_view source, const Range& token);

}  // namespace strata::hcl

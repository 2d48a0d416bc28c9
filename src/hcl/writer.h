// Canonical HCL text for values and simple bodies, as generated files need it (for example
// providers_gen.tf): sorted keys, two-space indentation, strings escaped so that they read back
// as the same value ("${" and "%{" are doubled so nothing is interpolated).
#pragma once

#include <string>
#include <vector>

#include "model/value.h"

namespace strata::hcl {

// A value as an HCL expression. Multi-line values are indented for nesting level `indent`.
std::string write_hcl_value(const Value& v, int indent = 0);

// A quoted HCL string literal.
std::string write_hcl_string(const std::string& s);

// A block to write: type, labels, attributes (written sorted by key) and nested blocks.
struct WriteBlock {
  std::string type;
  std::vector<std::string> labels;
  Value::Map attributes;
  std::vector<WriteBlock> blocks;
};

// Attributes (sorted) then blocks (in the given order), separated by blank lines between blocks.
std::string write_hcl_body(const Value::Map& attributes, const std::vector<WriteBlock>& blocks,
                           int indent = 0);

}  // namespace strata::hcl

// Where each input of a component() call is written, so that a problem with an input (a
// template error, a value Terraform refuses) points at its own line instead of the call's. Read
// from the source text of the call: a literal config object `{ inputs: { a: 1, ... } }` or
// `{ a: 1, ... }`; keys of a config built elsewhere (a variable, a spread) are not found, and
// their values keep the call's position.
#pragma once

#include <map>
#include <string>

namespace strata::js {

struct SourcePosition {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in bytes
};

// The positions of the input keys of the component() call whose callee starts at (line,
// column) of `source`. Comments, strings and template literals are skipped; nested objects are
// not searched.
std::map<std::string, SourcePosition> component_input_positions(const std::string& source, int line, int column);

}  // namespace strata::js

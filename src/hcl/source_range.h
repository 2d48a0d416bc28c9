// Source positions and ranges for HCL nodes: every token, expression, attribute and block keeps
// the range it was written at (1-based line and column, 0-based byte offset), as HCL does.
#pragma once

#include <string>

#include "model/origin.h"

namespace strata::hcl {

struct Pos {
  int line = 1;
  int column = 1;
  int byte = 0;
  bool operator==(const Pos&) const = default;
};

struct Range {
  Pos start;
  Pos end;
  bool operator==(const Range&) const = default;
  // "line:col-line:col", the short form the oracle prints for traversals.
  std::string short_str() const;
};

// The range covering both a and b (a must start first).
inline Range range_between(const Range& a, const Range& b) { return Range{a.start, b.end}; }

// An Origin for a range's start, for strata::Error and strata::Diagnostics.
inline Origin origin_of(const std::shared_ptr<const std::string>& file, const Range& r) {
  return Origin(file, r.start.line, r.start.column);
}

}  // namespace strata::hcl

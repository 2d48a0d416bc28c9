// UTF-8 decoding and column counting shared by the native and JSON scanners. Columns count
// user-perceived characters (grapheme clusters), as HCL does: combining marks, variation
// selectors, emoji modifiers and ZWJ sequences do not start a new column.
#pragma once

#include <cstdint>
#include <string_view>

namespace strata::hcl {

// Length of the valid UTF-8 sequence at s[i], or 0 when it is malformed; *cp gets the code point.
inline size_t utf8_length(std::string_view s, size_t i, uint32_t* cp) {
  unsigned char c = s[i];
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  uint32_t v = n == 1 ? c : n == 2 ? (c & 0x1f) : n == 3 ? (c & 0x0f) : (c & 0x07);
  for (size_t k = 1; k < n; ++k) {
    unsigned char d = s[i + k];
    if ((d & 0xc0) != 0x80) return 0;
    v = (v << 6) | (d & 0x3f);
  }
  if (cp) *cp = v;
  return n;
}

// Feed it the code points of a line in order; it says which ones start a new column.
class ColumnCounter {
 public:
  // An ASCII character or a line break: always its own column, and it ends any sequence.
  void reset() {
    prev_zwj_ = false;
    prev_regional_ = false;
  }

  bool starts_column(uint32_t cp) {
    bool extend = (cp >= 0x300 && cp <= 0x36f) || (cp >= 0x1ab0 && cp <= 0x1aff) ||
                  (cp >= 0x1dc0 && cp <= 0x1dff) || (cp >= 0x20d0 && cp <= 0x20ff) ||
                  (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xfe20 && cp <= 0xfe2f) ||
                  (cp >= 0x1f3fb && cp <= 0x1f3ff) || (cp >= 0xe0100 && cp <= 0xe01ef) ||
                  cp == 0x200d;
    bool pictographic = cp >= 0x1f000 || (cp >= 0x2600 && cp <= 0x27bf);
    bool regional = cp >= 0x1f1e6 && cp <= 0x1f1ff;
    bool joins = extend || (prev_zwj_ && pictographic) || (regional && prev_regional_);
    prev_zwj_ = cp == 0x200d;
    prev_regional_ = regional && !prev_regional_;
    return !joins;
  }

 private:
  bool prev_zwj_ = false;       // the last code point was U+200D ZERO WIDTH JOINER
  bool prev_regional_ = false;  // an unpaired regional indicator (flag half) came last
};

}  // namespace strata::hcl

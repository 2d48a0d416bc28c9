// Decoding of HCL string literal text: backslash escapes in quoted strings, the "$${" and "%%{"
// template escapes, and NFC composition of the common Latin combining marks (HCL normalizes
// string literals to NFC).
#pragma once

#include <string>
#include <string_view>

#include "hcl/hcl_diagnostic.h"

namespace strata::hcl {

// Decodes a literal token's text. `quoted` enables backslash escapes. Bad escapes are reported
// against `range` (the token's range).
std::string decode_string_literal(std::string_view text, bool quoted, const Range& range,
                                  HclDiagnostics& diags);

// Composes base letter + combining mark pairs that have a precomposed Latin form.
std::string nfc_compose(std::string_view s);

// Appends the UTF-8 encoding of code point cp.
void append_utf8(std::string& out, uint32_t cp);

}  // namespace strata::hcl

// UTF-8 helpers for the template engine (Go strings are bytes; some functions count runes).
#pragma once

#include <cstdint>
#include <string>

namespace strata::tpl {

void append_utf8(std::string& out, uint32_t r);
// Decodes the rune at s[i]; sets len to its byte length. Returns -1 (len 1) on invalid bytes.
int32_t decode_utf8(const std::string& s, size_t i, size_t& len);
size_t utf8_count(const std::string& s);
// The first n runes of s.
std::string utf8_prefix(const std::string& s, size_t n);
// An approximation of Go's unicode.IsPrint for runes >= 0x20.
bool rune_printable(int32_t r);

}  // namespace strata::tpl

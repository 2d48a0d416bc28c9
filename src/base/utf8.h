// UTF-8 as JSON output and PyYAML take it: overlong forms, surrogates and code points past
// U+10FFFF are invalid.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace strata {

// The length (1-4) of the valid UTF-8 character that starts at byte `i` of `s`, or 0 when the
// bytes there are not one.
size_t utf8_sequence_length(std::string_view s, size_t i);

// The offset of the first byte of `s` that does not start or continue a valid UTF-8 character,
// or npos.
size_t invalid_utf8_at(std::string_view s);

// `s` with every byte that is not part of a valid UTF-8 character replaced by U+FFFD, and NUL
// too when `replace_nul` (text bound for a database that cannot hold it: an engine's log).
std::string to_valid_utf8(std::string_view s, bool replace_nul = false);

}  // namespace strata

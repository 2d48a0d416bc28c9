// Decoding the parts of a request target: percent-escapes in path segments and query strings.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace strata {

// `text` with each "%XX" replaced by its byte and, with `plus_is_space` (query strings), each
// '+' by a space. A '%' not followed by two hex digits is kept as it is.
std::string percent_decode(std::string_view text, bool plus_is_space);

// "a=1&b=x%20y&c" → {a: "1", b: "x y", c: ""}; a repeated name keeps its first value.
std::map<std::string, std::string, std::less<>> parse_query(std::string_view query);

}  // namespace strata

// Percent-escaping for URLs: one function, shared by the server (state keys) and its clients
// (path segments). Decoding is server/uri.h's.
#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace strata {

// `text` with every byte but ASCII letters, digits and "-_.~" written as %XX (upper-case hex):
// safe as one path segment or one query value ("infra/dev" → "infra%2Fdev").
inline std::string percent_escape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace strata

#include "hcl/string_literal.h"

#include <cstdint>

namespace strata::hcl {

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

struct Composition {
  char base;
  uint16_t mark;
  uint16_t composed;
};

// Precomposed Latin-1 letters: enough for the accents configuration files use.
constexpr Composition kCompositions[] = {
    {'A', 0x300, 0xC0}, {'A', 0x301, 0xC1}, {'A', 0x302, 0xC2}, {'A', 0x303, 0xC3},
    {'A', 0x308, 0xC4}, {'A', 0x30A, 0xC5}, {'C', 0x327, 0xC7}, {'E', 0x300, 0xC8},
    {'E', 0x301, 0xC9}, {'E', 0x302, 0xCA}, {'E', 0x308, 0xCB}, {'I', 0x300, 0xCC},
    {'I', 0x301, 0xCD}, {'I', 0x302, 0xCE}, {'I', 0x308, 0xCF}, {'N', 0x303, 0xD1},
    {'O', 0x300, 0xD2}, {'O', 0x301, 0xD3}, {'O', 0x302, 0xD4}, {'O', 0x303, 0xD5},
    {'O', 0x308, 0xD6}, {'U', 0x300, 0xD9}, {'U', 0x301, 0xDA}, {'U', 0x302, 0xDB},
    {'U', 0x308, 0xDC}, {'Y', 0x301, 0xDD}, {'a', 0x300, 0xE0}, {'a', 0x301, 0xE1},
    {'a', 0x302, 0xE2}, {'a', 0x303, 0xE3}, {'a', 0x308, 0xE4}, {'a', 0x30A, 0xE5},
    {'c', 0x327, 0xE7}, {'e', 0x300, 0xE8}, {'e', 0x301, 0xE9}, {'e', 0x302, 0xEA},
    {'e', 0x308, 0xEB}, {'i', 0x300, 0xEC}, {'i', 0x301, 0xED}, {'i', 0x302, 0xEE},
    {'i', 0x308, 0xEF}, {'n', 0x303, 0xF1}, {'o', 0x300, 0xF2}, {'o', 0x301, 0xF3},
    {'o', 0x302, 0xF4}, {'o', 0x303, 0xF5}, {'o', 0x308, 0xF6}, {'u', 0x300, 0xF9},
    {'u', 0x301, 0xFA}, {'u', 0x302, 0xFB}, {'u', 0x308, 0xFC}, {'y', 0x301, 0xFD},
    {'y', 0x308, 0xFF},
};

}  // namespace

std::string nfc_compose(std::string_view s) {
  // Fast path: combining marks U+0300..U+036F are encoded as 0xCC/0xCD lead bytes.
  if (s.find('\xcc') == std::string_view::npos && s.find('\xcd') == std::string_view::npos) {
    return std::string(s);
  }
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i + 2 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xfe) == 0xcc) {
      uint32_t mark = ((static_cast<unsigned char>(s[i + 1]) & 0x1f) << 6) |
                      (static_cast<unsigned char>(s[i + 2]) & 0x3f);
      bool done = false;
      for (const auto& comp : kCompositions) {
        if (comp.base == c && comp.mark == mark) {
          append_utf8(out, comp.composed);
          i += 2;
          done = true;
          break;
        }
      }
      if (done) continue;
    }
    out += c;
  }
  return out;
}

std::string decode_string_literal(std::string_view text, bool quoted, const Range& range,
                                  HclDiagnostics& diags) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted && c == '\\') {
      if (i + 1 >= text.size()) {
        diags.error(range, "Invalid escape sequence",
                    "Backslash must be followed by an escape sequence selector character.");
        break;
      }
      char e = text[++i];
      switch (e) {
        case 'n':
          out += '\n';
          continue;
        case 'r':
          out += '\r';
          continue;
        case 't':
          out += '\t';
          continue;
        case '"':
          out += '"';
          continue;
        case '\\':
          out += '\\';
          continue;
        case 'u':
        case 'U': {
          size_t n = e == 'u' ? 4 : 8;
          uint32_t cp = 0;
          bool ok = i + n < text.size();
          for (size_t k = 1; ok && k <= n; ++k) {
            int h = hex_value(text[i + k]);
            if (h < 0)
              ok = false;
            else
              cp = cp * 16 + h;
          }
          if (!ok || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            diags.error(range, "Invalid escape sequence",
                        "The \\u escape needs four hexadecimal digits and \\U eight, naming a "
                        "Unicode character.");
            continue;
          }
          append_utf8(out, cp);
          i += n;
          continue;
        }
        default:
          diags.error(range, "Invalid escape sequence",
                      std::string("The symbol \"") + e +
                          "\" is not a valid escape sequence "
                          "selector.");
          out += e;
          continue;
      }
    }
    if ((c == '$' || c == '%') && i + 2 < text.size() && text[i + 1] == c && text[i + 2] == '{') {
      out += c;
      out += '{';
      i += 2;
      continue;
    }
    out += c;
  }
  return nfc_compose(out);
}

}  // namespace strata::hcl

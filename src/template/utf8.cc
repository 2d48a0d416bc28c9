#include "template/utf8.h"

namespace strata::tpl {

void append_utf8(std::string& out, uint32_t r) {
  if (r >= 0xD800 && r <= 0xDFFF) r = 0xFFFD;
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xC0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else if (r < 0x10000) {
    out += static_cast<char>(0xE0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (r >> 18));
    out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  }
}

int32_t decode_utf8(const std::string& s, size_t i, size_t& len) {
  len = 1;
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return c;
  size_t need;
  uint32_t r, min;
  if ((c & 0xE0) == 0xC0) { need = 1; r = c & 0x1F; min = 0x80; }
  else if ((c & 0xF0) == 0xE0) { need = 2; r = c & 0x0F; min = 0x800; }
  else if ((c & 0xF8) == 0xF0) { need = 3; r = c & 0x07; min = 0x10000; }
  else return -1;
  if (i + need >= s.size()) return -1;
  for (size_t k = 1; k <= need; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return -1;
    r = (r << 6) | (b(i + k) & 0x3F);
  }
  if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) return -1;
  len = need + 1;
  return static_cast<int32_t>(r);
}

size_t utf8_count(const std::string& s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size();) {
    size_t len = 0;
    decode_utf8(s, i, len);
    i += len;
    ++n;
  }
  return n;
}

std::string utf8_prefix(const std::string& s, size_t n) {
  size_t i = 0;
  for (size_t k = 0; k < n && i < s.size(); ++k) {
    size_t len = 0;
    decode_utf8(s, i, len);
    i += len;
  }
  return s.substr(0, i);
}

bool rune_printable(int32_t r) {
  if (r < 0x20 || r == 0x7F) return false;
  if (r >= 0x80 && r <= 0xA0) return false;
  if (r == 0xAD) return false;
  if (r >= 0x2028 && r <= 0x202F) return false;
  if (r >= 0x200B && r <= 0x200F) return false;
  if (r == 0xFEFF) return false;
  if (r >= 0xE000 && r <= 0xF8FF) return false;
  return true;
}

}  // namespace strata::tpl

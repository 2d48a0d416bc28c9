#include "config/js/js_position.h"

#include <cctype>
#include <charconv>
#include <cstring>

namespace strata::js {

namespace {

bool parse_int(const std::string& s, int& out) {
  auto res = std::from_chars(s.data(), s.data() + s.size(), out);
  return res.ec == std::errc() && res.ptr == s.data() + s.size();
}

bool is_identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

}  // namespace

std::vector<Frame> parse_stack(const std::string& stack) {
  std::vector<Frame> frames;
  size_t start = 0;
  while (start < stack.size()) {
    size_t end = stack.find('\n', start);
    if (end == std::string::npos) end = stack.size();
    std::string line = stack.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    Frame f;
    size_t at = line.find('@');
    std::string location = line;
    if (at != std::string::npos) {
      f.function = line.substr(0, at);
      location = line.substr(at + 1);
    }
    if (f.function == "global code" || f.function == "module code") f.function.clear();
    // location = url:line:col (the url may hold colons itself)
    size_t c2 = location.rfind(':');
    size_t c1 =
        c2 == std::string::npos || c2 == 0 ? std::string::npos : location.rfind(':', c2 - 1);
    int l = 0, c = 0;
    if (c1 != std::string::npos && parse_int(location.substr(c1 + 1, c2 - c1 - 1), l) &&
        parse_int(location.substr(c2 + 1), c)) {
      f.file = location.substr(0, c1);
      f.line = l;
      f.column = c;
    } else {
      f.file = location;
    }
    if (f.user() && f.line == 1) {
      f.column = std::max(1, f.column - static_cast<int>(std::strlen(kModuleHeader)));
    }
    frames.push_back(std::move(f));
  }
  return frames;
}

int callee_start_column(const std::string& source_line, int column) {
  int i = column - 2;  // 0-based index of the character before the reported column
  if (i < 0 || i >= static_cast<int>(source_line.size())) return column;
  if (source_line[i + 1] != '(') return column;
  while (i >= 0 && std::isspace(static_cast<unsigned char>(source_line[i]))) --i;
  int end = i;
  while (i >= 0 && (is_identifier_char(source_line[i]) || source_line[i] == '.')) --i;
  if (i == end) return column;
  return i + 2;
}

std::string line_of(const std::string& text, int line) {
  size_t pos = 0;
  for (int n = 1; n < line; ++n) {
    pos = text.find('\n', pos);
    if (pos == std::string::npos) return {};
    ++pos;
  }
  size_t end = text.find('\n', pos);
  return text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
}

}  // namespace strata::js

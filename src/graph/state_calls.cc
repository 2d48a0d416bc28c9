#include "graph/state_calls.h"

#include <cctype>
#include <optional>

namespace strata {

namespace {

bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Reads a Go string literal ("..." with escapes, or `raw`) at `pos`; advances `pos` past it.
std::optional<std::string> read_string_literal(const std::string& s, size_t& pos, size_t end) {
  if (pos >= end) return std::nullopt;
  char quote = s[pos];
  if (quote != '"' && quote != '`') return std::nullopt;
  std::string out;
  size_t i = pos + 1;
  while (i < end) {
    char c = s[i];
    if (c == quote) {
      pos = i + 1;
      return out;
    }
    if (quote == '"' && c == '\\' && i + 1 < end) {
      char n = s[i + 1];
      switch (n) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        default:
          out += n;
          break;
      }
      i += 2;
      continue;
    }
    if (quote == '"' && c == '\n') return std::nullopt;
    out += c;
    ++i;
  }
  return std::nullopt;
}

void skip_spaces(const std::string& s, size_t& pos, size_t end) {
  while (pos < end && std::isspace(static_cast<unsigned char>(s[pos]))) ++pos;
}

// Scans one action body s[begin, end) for state calls.
void scan_action(const std::string& s, size_t begin, size_t end, const Origin& origin,
                 std::vector<ComponentRef>& out) {
  size_t i = begin;
  while (i < end) {
    char c = s[i];
    if (c == '"' || c == '`') {
      size_t p = i;
      if (!read_string_literal(s, p, end)) return;  // unterminated: nothing more to trust
      i = p;
      continue;
    }
    if (c == '\'') {  // rune literal such as '"'
      size_t close = s.find('\'', i + 2);
      i = close == std::string::npos || close >= end ? end : close + 1;
      continue;
    }
    bool starts_word =
        i == begin || (!is_ident_char(s[i - 1]) && s[i - 1] != '.' && s[i - 1] != '$');
    if (starts_word && s.compare(i, 5, "state") == 0 &&
        (i + 5 >= end || !is_ident_char(s[i + 5]))) {
      size_t p = i + 5;
      skip_spaces(s, p, end);
      auto stack = read_string_literal(s, p, end);
      if (stack) {
        skip_spaces(s, p, end);
        auto component = read_string_literal(s, p, end);
        if (component) {
          out.push_back({*stack, *component, origin});
          i = p;
          continue;
        }
      }
      i += 5;
      continue;
    }
    ++i;
  }
}

}  // namespace

std::vector<ComponentRef> find_state_calls(const std::string& text, const Origin& origin) {
  std::vector<ComponentRef> out;
  size_t pos = 0;
  while ((pos = text.find("{{", pos)) != std::string::npos) {
    size_t body = pos + 2;
    // A Go template comment {{/* ... */}} holds no calls.
    size_t probe = body;
    if (probe < text.size() && text[probe] == '-') ++probe;
    while (probe < text.size() && text[probe] == ' ') ++probe;
    if (text.compare(probe, 2, "/*") == 0) {
      size_t close = text.find("*/", probe + 2);
      if (close == std::string::npos) break;
      pos = close + 2;
      continue;
    }
    // Find the closing }} outside string literals.
    size_t i = body;
    size_t close = std::string::npos;
    while (i + 1 < text.size()) {
      char c = text[i];
      if (c == '"' || c == '`') {
        size_t p = i;
        if (!read_string_literal(text, p, text.size())) break;
        i = p;
        continue;
      }
      if (c == '}' && text[i + 1] == '}') {
        close = i;
        break;
      }
      ++i;
    }
    if (close == std::string::npos) break;
    scan_action(text, body, close, origin, out);
    pos = close + 2;
  }
  return out;
}

}  // namespace strata

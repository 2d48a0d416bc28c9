#include "config/js/input_positions.h"

#include <cctype>
#include <optional>
#include <vector>

namespace strata::js {

namespace {

class Scanner {
 public:
  explicit Scanner(const std::string& s) : s_(s) {}

  size_t size() const { return s_.size(); }
  char at(size_t i) const { return i < s_.size() ? s_[i] : '\0'; }

  // Past whitespace and comments.
  size_t trivia(size_t i) const {
    while (i < s_.size()) {
      if (std::isspace(static_cast<unsigned char>(s_[i]))) {
        ++i;
      } else if (s_.compare(i, 2, "//") == 0) {
        size_t nl = s_.find('\n', i);
        i = nl == std::string::npos ? s_.size() : nl + 1;
      } else if (s_.compare(i, 2, "/*") == 0) {
        size_t end = s_.find("*/", i + 2);
        i = end == std::string::npos ? s_.size() : end + 2;
      } else {
        break;
      }
    }
    return i;
  }

  // Past the string or template literal starting at i (its quote).
  size_t string_end(size_t i) const {
    char q = s_[i++];
    while (i < s_.size() && s_[i] != q) {
      if (s_[i] == '\\') {
        i += 2;
      } else if (q == '`' && s_.compare(i, 2, "${") == 0) {
        i = balanced_end(i + 1);
      } else {
        ++i;
      }
    }
    return i + 1;
  }

  // Past the bracketed group opening at i ("(", "[", "{").
  size_t balanced_end(size_t i) const {
    int depth = 0;
    while (i < s_.size()) {
      i = trivia(i);
      if (i >= s_.size()) break;
      char c = s_[i];
      if (c == '"' || c == '\'' || c == '`') {
        i = string_end(i);
        continue;
      }
      if (c == '(' || c == '[' || c == '{') ++depth;
      if (c == ')' || c == ']' || c == '}') {
        if (--depth == 0) return i + 1;
      }
      ++i;
    }
    return s_.size();
  }

  // Past one expression: up to a ',' or a closing bracket at its own level.
  size_t value_end(size_t i) const {
    while (i < s_.size()) {
      i = trivia(i);
      if (i >= s_.size()) break;
      char c = s_[i];
      if (c == ',' || c == ')' || c == ']' || c == '}') return i;
      if (c == '"' || c == '\'' || c == '`') {
        i = string_end(i);
      } else if (c == '(' || c == '[' || c == '{') {
        i = balanced_end(i);
      } else {
        ++i;
      }
    }
    return i;
  }

  struct Key {
    std::string name;
    size_t at = 0;
    std::optional<size_t> value;  // where `key: value` starts
  };
  // The keys of the object literal whose "{" is at i.
  std::vector<Key> object_keys(size_t i) const {
    std::vector<Key> out;
    ++i;
    while (true) {
      i = trivia(i);
      if (i >= s_.size() || s_[i] == '}') break;
      if (s_.compare(i, 3, "...") == 0) {
        i = value_end(i + 3);
      } else {
        Key k;
        k.at = i;
        char c = s_[i];
        if (c == '"' || c == '\'') {
          size_t end = string_end(i);
          k.name = s_.substr(i + 1, end - i - 2);
          i = end;
        } else if (c == '[') {
          i = balanced_end(i);  // a computed key: not known here
        } else {
          while (i < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i])) || s_[i] == '_' || s_[i] == '$')) ++i;
          k.name = s_.substr(k.at, i - k.at);
        }
        i = trivia(i);
        if (at(i) == ':') {
          k.value = trivia(i + 1);
          i = value_end(i + 1);
        } else if (at(i) != ',' && at(i) != '}') {
          i = value_end(i);  // a method or something else: skipped
          k.name.clear();
        }
        if (!k.name.empty() && k.name.find('\\') == std::string::npos) out.push_back(k);
      }
      i = trivia(i);
      if (at(i) == ',') {
        ++i;
      } else {
        break;
      }
    }
    return out;
  }

  // The position of `offset`, counted on from a known one (keys come in order: each count
  // starts where the last ended, so a call costs its own length, not the file's).
  SourcePosition advance(size_t& from, SourcePosition& pos, size_t offset) const {
    for (; from < offset && from < s_.size(); ++from) {
      if (s_[from] == '\n') {
        ++pos.line;
        pos.column = 1;
      } else {
        ++pos.column;
      }
    }
    return pos;
  }

 private:
  const std::string& s_;
};

}  // namespace

std::map<std::string, SourcePosition> component_input_positions(const std::string& source, int line, int column) {
  std::map<std::string, SourcePosition> out;
  if (line <= 0 || column <= 0) return out;
  size_t i = 0;
  for (int l = 1; l < line && i < source.size(); ++l) {
    size_t nl = source.find('\n', i);
    if (nl == std::string::npos) return out;
    i = nl + 1;
  }
  i += static_cast<size_t>(column - 1);
  Scanner s(source);
  size_t cursor = i;
  SourcePosition cursor_pos{line, column};
  // component ( name , source , {config} )
  while (i < s.size() && s.at(i) != '(' && s.at(i) != '\n') ++i;
  if (s.at(i) != '(') return out;
  ++i;
  for (int arg = 0; arg < 2; ++arg) {
    i = s.value_end(i);
    if (s.at(i) != ',') return out;
    ++i;
  }
  i = s.trivia(i);
  if (s.at(i) != '{') return out;  // a config built elsewhere
  std::vector<Scanner::Key> keys = s.object_keys(i);
  for (const auto& k : keys) {
    if (k.name == "inputs" && k.value && s.at(*k.value) == '{') {
      out.clear();
      for (const auto& input : s.object_keys(*k.value)) out[input.name] = s.advance(cursor, cursor_pos, input.at);
      return out;
    }
    out.emplace(k.name, s.advance(cursor, cursor_pos, k.at));
  }
  return out;
}

}  // namespace strata::js

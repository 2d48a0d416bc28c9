#include "hcl/json_parser.h"

#include "hcl/parser.h"
#include "hcl/utf8_columns.h"

namespace strata::hcl {
namespace {

// Stop after this many errors: the rest of a badly broken file would only add noise.
constexpr size_t kMaxErrors = 25;

// A position in the source. Columns count user-perceived characters, as in native syntax
// (utf8_columns.h); a JSON string cannot hold a raw newline, so lines only change in whitespace.
class Cursor {
 public:
  explicit Cursor(std::string_view src) : src_(src) {}
  Cursor(std::string_view src, Pos at) : src_(src), pos_(at) {}

  bool eof() const { return static_cast<size_t>(pos_.byte) >= src_.size(); }
  char peek() const { return eof() ? '\0' : src_[pos_.byte]; }
  char peek_at(size_t off) const {
    size_t i = static_cast<size_t>(pos_.byte) + off;
    return i < src_.size() ? src_[i] : '\0';
  }
  const Pos& pos() const { return pos_; }

  void advance(size_t n = 1) {
    for (size_t k = 0; k < n && !eof(); ++k) {
      unsigned char c = src_[pos_.byte];
      if (c == '\n') {
        ++pos_.line;
        pos_.column = 1;
        columns_.reset();
      } else if (c < 0x80) {
        ++pos_.column;
        columns_.reset();
      } else if ((c & 0xc0) != 0x80) {
        uint32_t cp = 0;
        if (utf8_length(src_, pos_.byte, &cp) == 0 || columns_.starts_column(cp)) ++pos_.column;
      }
      ++pos_.byte;
    }
  }

  // The length of the valid UTF-8 sequence at the cursor, or 0 (also for overlong forms and
  // surrogates, which the native scanner lets through but JSON text must not hold).
  size_t char_length() const {
    auto byte = [&](size_t off) { return static_cast<unsigned char>(peek_at(off)); };
    unsigned char c = byte(0);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || static_cast<size_t>(pos_.byte) + n > src_.size()) return 0;
    for (size_t k = 1; k < n; ++k) {
      if ((byte(k) & 0xc0) != 0x80) return 0;
    }
    uint32_t cp = n == 1 ? c : c & (0xff >> (n + 1));
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (byte(k) & 0x3f);
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return n;
  }

  // The range of the code point (or single bad byte) at the cursor.
  Range char_range() const {
    Cursor c = *this;
    c.advance(std::max<size_t>(char_length(), 1));
    return Range{pos_, c.pos_};
  }

 private:
  std::string_view src_;
  Pos pos_;
  ColumnCounter columns_;
};

void append_utf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads the four hex digits after "\u" (the cursor is on the backslash); -1 if malformed.
int read_u_escape(const Cursor& c, size_t off) {
  int v = 0;
  for (size_t k = 0; k < 4; ++k) {
    int d = hex_digit(c.peek_at(off + k));
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

// Decodes the JSON string whose opening quote is at the cursor, leaving the cursor after the
// closing quote (or at the end of the line when there is none). `positions`, when given, gets
// the source position of every decoded byte. Returns false after reporting to diags (if given).
bool decode_string(Cursor& c, std::string* out, std::vector<Pos>* positions,
                   HclDiagnostics* diags) {
  Range open = c.char_range();
  c.advance();
  bool ok = true;
  auto fail = [&](const Range& r, std::string summary, std::string detail) {
    ok = false;
    if (diags) diags->error(r, std::move(summary), std::move(detail));
  };
  // Every byte an escape decodes to sits at the escape's backslash.
  auto emit = [&](const Pos& at) {
    if (positions) positions->resize(out->size(), at);
  };
  for (;;) {
    if (c.eof() || c.peek() == '\n' || c.peek() == '\r') {
      fail(open, "Unterminated string",
           "This string has no closing quote on its line. Add a \" at the end of the string "
           "(JSON strings cannot span lines; write a newline as \\n).");
      return ok;
    }
    char ch = c.peek();
    Pos at = c.pos();
    if (ch == '"') {
      c.advance();
      return ok;
    }
    if (ch == '\\') {
      char e = c.peek_at(1);
      static constexpr std::string_view kSimple = "\"\\/bfnrt";
      static constexpr std::string_view kDecoded = "\"\\/\b\f\n\r\t";
      if (size_t k = kSimple.find(e); e != '\0' && k != std::string_view::npos) {
        out->push_back(kDecoded[k]);
        emit(at);
        c.advance(2);
        continue;
      }
      if (e == 'u') {
        int v = read_u_escape(c, 2);
        if (v < 0) {
          Cursor end = c;
          end.advance(2);
          fail(Range{at, end.pos()}, "Invalid escape sequence",
               "\\u must be followed by exactly four hexadecimal digits, like \\u00e9.");
          c.advance(2);
          continue;
        }
        size_t len = 6;
        uint32_t cp = static_cast<uint32_t>(v);
        if (cp >= 0xd800 && cp <= 0xdbff && c.peek_at(6) == '\\' && c.peek_at(7) == 'u') {
          int lo = read_u_escape(c, 8);
          if (lo >= 0xdc00 && lo <= 0xdfff) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (static_cast<uint32_t>(lo) - 0xdc00);
            len = 12;
          }
        }
        if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;  // a lone surrogate, as Go's decoder does
        append_utf8(cp, out);
        emit(at);
        c.advance(len);
        continue;
      }
      Cursor end = c;
      end.advance(2);
      fail(Range{at, end.pos()}, "Invalid escape sequence",
           std::string("\"\\") + (e ? std::string(1, e) : "") +
               "\" is not a JSON escape. Use one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX, "
               "or write \\\\ for a backslash.");
      c.advance(e ? 2 : 1);
      continue;
    }
    if (static_cast<unsigned char>(ch) < 0x20) {
      fail(c.char_range(), "Invalid character in string",
           "Control characters must be escaped in JSON strings; write a tab as \\t.");
      c.advance();
      continue;
    }
    size_t n = c.char_length();
    if (n == 0) {
      fail(c.char_range(), "Invalid character encoding",
           "All input files must be UTF-8 encoded. Ensure that UTF-8 encoding is selected in "
           "your editor.");
      c.advance();
      continue;
    }
    for (size_t k = 0; k < n; ++k) {
      out->push_back(c.peek_at(k));
      if (positions) positions->push_back(Pos{at.line, at.column, at.byte + static_cast<int>(k)});
    }
    c.advance(n);
  }
}

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool valid_json_number(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

class JsonReader {
 public:
  JsonReader(std::string_view src, HclDiagnostics& diags) : src_(src), c_(src), diags_(diags) {}

  JsonNode document() {
    skip_space();
    size_t before = errors_;
    JsonNode root = value();
    skip_space();
    if (!stopped() && errors_ == before && !c_.eof()) {
      error(c_.char_range(), "Extraneous data after value",
            "Extra characters appear after the JSON value. A file holds exactly one JSON value; "
            "remove the extra text or wrap the values in an array.");
    }
    return root;
  }

 private:
  bool stopped() const { return too_deep_ || errors_ >= kMaxErrors; }

  void error(const Range& r, std::string summary, std::string detail) {
    ++errors_;
    diags_.error(r, std::move(summary), std::move(detail));
  }

  void skip_space() {
    while (!c_.eof()) {
      char ch = c_.peek();
      if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r') break;
      c_.advance();
    }
  }

  // After an error: skip to the next ',' '}' or ']' outside nested values and strings (or to the
  // end), so the enclosing object or array can go on with its next item.
  void skip_to_separator() {
    int depth = 0;
    while (!c_.eof()) {
      char ch = c_.peek();
      if (depth == 0 && (ch == ',' || ch == '}' || ch == ']')) return;
      if (ch == '{' || ch == '[') ++depth;
      if ((ch == '}' || ch == ']') && depth > 0) --depth;
      if (ch == '"') {
        std::string ignored;
        decode_string(c_, &ignored, nullptr, nullptr);
        continue;
      }
      c_.advance();
    }
  }

  JsonNode invalid_at(const Range& r) {
    JsonNode n;
    n.range = r;
    return n;
  }

  // Does not consume ',' '}' ']' or the end, so the enclosing object or array can recover.
  JsonNode value() {
    if (stopped()) return invalid_at(Range{c_.pos(), c_.pos()});
    char ch = c_.peek();
    if (c_.eof()) {
      error(c_.char_range(), "Missing value",
            "The JSON data ends prematurely. Complete the value or remove the dangling comma or "
            "colon.");
      return invalid_at(c_.char_range());
    }
    if (ch == '{' || ch == '[') return ch == '{' ? object() : array();
    if (ch == '"') {
      JsonNode n;
      n.kind = JsonNode::Kind::kString;
      Pos start = c_.pos();
      if (!decode_string(c_, &n.text, nullptr, &diags_)) ++errors_;
      n.range = Range{start, c_.pos()};
      return n;
    }
    if (ch == '-' || (ch >= '0' && ch <= '9')) return number();
    if (is_word_char(ch)) return keyword();
    if (ch == '}' || ch == ']' || ch == ',') {
      error(c_.char_range(), "Missing value",
            std::string("A JSON value is expected before this \"") + ch +
                "\". Write a value (for example null) or remove the extra separator.");
      return invalid_at(Range{c_.pos(), c_.pos()});
    }
    Range r = c_.char_range();
    std::string detail =
        "A JSON value must start with a brace, a bracket, a number, a string, or a keyword.";
    if (ch == '/') {
      detail += " JSON has no comments; in an HCL body, write a \"//\" property instead.";
    } else if (ch == '\'') {
      detail += " Use double quotes (\") to enclose strings.";
    }
    error(r, "Invalid start of value", detail);
    c_.advance(std::max<size_t>(c_.char_length(), 1));
    return invalid_at(r);
  }

  JsonNode number() {
    JsonNode n;
    Pos start = c_.pos();
    while (!c_.eof()) {
      char ch = c_.peek();
      if (!(is_word_char(ch) || ch == '.' || ch == '-' || ch == '+')) break;
      c_.advance();
    }
    n.range = Range{start, c_.pos()};
    n.text = std::string(src_.substr(start.byte, c_.pos().byte - start.byte));
    if (!valid_json_number(n.text)) {
      error(n.range, "Invalid JSON number",
            "\"" + n.text +
                "\" is not a JSON number: JSON allows no leading zeros, \"+\" signs, hex or a "
                "dot without digits on both sides. Write it like 0.5, -12 or 1e6, or quote it.");
      return n;
    }
    n.kind = JsonNode::Kind::kNumber;
    return n;
  }

  JsonNode keyword() {
    JsonNode n;
    Pos start = c_.pos();
    while (is_word_char(c_.peek())) c_.advance();
    n.range = Range{start, c_.pos()};
    std::string word(src_.substr(start.byte, c_.pos().byte - start.byte));
    if (word == "true" || word == "false") {
      n.kind = JsonNode::Kind::kBool;
      n.boolean = word == "true";
    } else if (word == "null") {
      n.kind = JsonNode::Kind::kNull;
    } else {
      std::string lower;
      for (char ch : word) lower += static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
      std::string detail = "\"" + word + "\" is not a JSON keyword.";
      if (lower == "true" || lower == "false" || lower == "null") {
        detail += " Did you mean \"" + lower + "\"? JSON keywords are lowercase.";
      } else {
        detail += " Put strings in double quotes, like \"" + word + "\".";
      }
      error(n.range, "Invalid JSON keyword", detail);
    }
    return n;
  }

  bool enter() {
    if (++depth_ <= kMaxNestingDepth) return true;
    if (!too_deep_) {
      too_deep_ = true;
      diags_.error(c_.char_range(), "Nesting too deep",
                   "This file nests objects or arrays more than " +
                       std::to_string(kMaxNestingDepth) + " levels deep. Flatten the structure.");
    }
    return false;
  }

  // After an item: consumes a ',' (true: another item follows) or the closing bracket (false).
  // Reports a missing comma, a trailing comma, the wrong closing bracket or a missing one.
  bool next_item(JsonNode& n, char close, const char* what) {
    skip_space();
    if (stopped()) {
      n.range = Range{n.open_range.start, c_.pos()};
      return false;
    }
    char ch = c_.peek();
    if (ch == ',') {
      Range comma = c_.char_range();
      c_.advance();
      skip_space();
      if (c_.peek() == close) {
        error(comma, std::string("Trailing comma in ") + what,
              std::string("JSON does not permit a comma after the last ") +
                  (close == '}' ? "property" : "element") + "; remove it.");
        finish(n);
        return false;
      }
      return true;
    }
    if (ch == close) {
      finish(n);
      return false;
    }
    if (c_.eof()) {
      error(n.open_range, std::string("Unclosed ") + what,
            std::string("No closing ") + (close == '}' ? "brace" : "bracket") +
                " was found for this JSON " + what + ". Add a \"" + close + "\" where it ends.");
      n.range = Range{n.open_range.start, c_.pos()};
      return false;
    }
    if (ch == '}' || ch == ']') {
      error(c_.char_range(), close == '}' ? "Mismatched braces" : "Mismatched brackets",
            std::string("This JSON ") + what + " must be closed with \"" + close + "\", not \"" +
                ch + "\".");
      finish(n);
      return false;
    }
    error(c_.char_range(), "Missing comma",
          std::string("A comma must appear between each ") +
              (close == '}' ? "property definition in an object" : "value in an array") +
              "; add a \",\" before this.");
    if (close == '}' && ch == '"') return true;  // most likely the next property: go on with it
    skip_to_separator();
    return next_item(n, close, what);
  }

  // Consumes the closing bracket at the cursor.
  void finish(JsonNode& n) {
    n.close_range = c_.char_range();
    c_.advance();
    n.range = Range{n.open_range.start, n.close_range.end};
  }

  // Starts an object or array at its opening bracket: false when nesting is too deep (n is
  // then invalid). Either way the caller ends with --depth_.
  bool open(JsonNode& n, JsonNode::Kind kind) {
    n.kind = kind;
    n.open_range = c_.char_range();
    if (!enter()) {
      n.kind = JsonNode::Kind::kInvalid;
      n.range = n.open_range;
      return false;
    }
    c_.advance();
    skip_space();
    return true;
  }

  JsonNode object() {
    JsonNode n;
    if (open(n, JsonNode::Kind::kObject)) {
      if (c_.peek() == '}') {
        finish(n);
      } else {
        for (bool more = true; more;) more = property(n) && next_item(n, '}', "object");
      }
    }
    --depth_;
    return n;
  }

  // Reads `"name": value` into n; false when the object cannot go on (too deep, too many errors).
  bool property(JsonNode& n) {
    skip_space();
    if (stopped()) return false;
    if (c_.peek() != '"') {
      Range r = c_.char_range();
      if (c_.eof()) return true;  // next_item reports the missing brace
      if (c_.peek() == ',' || c_.peek() == '}' || c_.peek() == ']') {
        error(r, "Missing property", "A property name in double quotes is expected here.");
      } else {
        error(r, "Invalid object property name",
              "A JSON object property name must be a string in double quotes, like \"name\".");
      }
      skip_to_separator();
      return true;
    }
    JsonProperty p;
    Pos start = c_.pos();
    size_t before = errors_;
    if (!decode_string(c_, &p.name, nullptr, &diags_)) ++errors_;
    p.name_range = Range{start, c_.pos()};
    skip_space();
    if (c_.peek() != ':') {
      Range r = c_.char_range();
      if (c_.peek() == '=') {
        error(r, "Missing property value colon",
              "JSON uses a colon as its name/value delimiter, not an equals sign; write "
              "\"name\": value.");
      } else if (c_.eof() || c_.peek() == ',' || c_.peek() == '}') {
        error(r, "Missing object value",
              "A JSON object property must have a value, introduced by a colon, like "
              "\"" +
                  p.name + "\": value.");
      } else {
        error(r, "Missing property value colon",
              "A colon must appear between an object property's name and its value.");
      }
      skip_to_separator();
      return true;
    }
    c_.advance();
    skip_space();
    p.value = value();
    if (errors_ > before) skip_to_separator();
    n.properties.push_back(std::move(p));
    return true;
  }

  JsonNode array() {
    JsonNode n;
    if (open(n, JsonNode::Kind::kArray)) {
      if (c_.peek() == ']') {
        finish(n);
      } else {
        for (bool more = true; more && !stopped();) {
          skip_space();
          size_t before = errors_;
          n.elements.push_back(value());
          if (errors_ > before) skip_to_separator();
          more = next_item(n, ']', "array");
        }
      }
    }
    --depth_;
    return n;
  }

  std::string_view src_;
  Cursor c_;
  HclDiagnostics& diags_;
  size_t errors_ = 0;
  int depth_ = 0;
  bool too_deep_ = false;
};

}  // namespace

JsonNode parse_json_node(std::string_view source, HclDiagnostics& diags) {
  return JsonReader(source, diags).document();
}

std::vector<Pos> json_string_positions(std::string_view source, const Range& token) {
  Cursor c(source, token.start);
  std::string text;
  std::vector<Pos> positions;
  decode_string(c, &text, &positions, nullptr);
  Pos close = c.pos();  // after the closing quote
  if (close.byte > token.start.byte && source[close.byte - 1] == '"') {
    --close.byte;
    --close.column;
  }
  positions.push_back(close);
  return positions;
}

}  // namespace strata::hcl

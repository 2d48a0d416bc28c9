#include "template/lexer.h"

#include <cstdio>

namespace strata::tpl {

namespace {

constexpr const char* kLeft = "{{";
constexpr const char* kRight = "}}";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_alnum(char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (static_cast<unsigned char>(c) >= 0x80);
}

std::string rune_desc(char c) {
  char buf[32];
  unsigned char u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) std::snprintf(buf, sizeof buf, "U+%04X '%c'", u, c);
  else std::snprintf(buf, sizeof buf, "U+%04X", u);
  return buf;
}

bool is_keyword(const std::string& w) {
  return w == "if" || w == "else" || w == "end" || w == "range" || w == "with" || w == "define" ||
         w == "template" || w == "block" || w == "break" || w == "continue";
}

class Lexer {
 public:
  explicit Lexer(const std::string& text) : s_(text) {}

  std::vector<Token> run() {
    while (pos_ < s_.size()) lex_text();
    emit(Tok::kEOF, pos_, "");
    return std::move(out_);
  }

 private:
  bool at(size_t p, const char* lit) const { return s_.compare(p, std::char_traits<char>::length(lit), lit) == 0; }

  void emit(Tok t, size_t pos, std::string text) {
    out_.push_back(Token{t, std::move(text), pos, space_});
    space_ = false;
  }

  // Text up to the next action; handles the left trim marker and comments.
  void lex_text() {
    size_t open = s_.find(kLeft, pos_);
    if (open == std::string::npos) {
      emit(Tok::kText, pos_, s_.substr(pos_));
      pos_ = s_.size();
      return;
    }
    size_t text_end = open;
    bool left_trim = open + 3 < s_.size() && s_[open + 2] == '-' && is_space(s_[open + 3]);
    if (left_trim)
      while (text_end > pos_ && is_space(s_[text_end - 1])) --text_end;
    if (text_end > pos_) emit(Tok::kText, pos_, s_.substr(pos_, text_end - pos_));
    size_t p = open + 2 + (left_trim ? 2 : 0);
    // Comments: "{{/*" ... "*/}}", with optional trim markers.
    if (at(p, "/*")) {
      size_t close = s_.find("*/", p + 2);
      if (close == std::string::npos) throw SyntaxError(open, "unclosed comment");
      size_t q = close + 2;
      bool right_trim = false;
      if (q + 3 <= s_.size() && is_space(s_[q]) && at(q + 1, "-}}")) {
        right_trim = true;
        q += 2;
      }
      if (!at(q, kRight)) throw SyntaxError(open, "comment ends before closing delimiter");
      pos_ = q + 2;
      if (right_trim)
        while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
      return;
    }
    emit(Tok::kLeftDelim, open, kLeft);
    pos_ = p;
    lex_action(open);
  }

  void lex_action(size_t open) {
    int parens = 0;
    for (;;) {
      if (pos_ >= s_.size()) throw SyntaxError(s_.size(), "unclosed action");
      char c = s_[pos_];
      if (is_space(c)) {
        if (at(pos_ + 1, "-}}")) {
          if (parens > 0) throw SyntaxError(pos_, "unclosed left paren");
          emit(Tok::kRightDelim, pos_ + 2, kRight);
          pos_ += 4;
          while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
          return;
        }
        while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
        space_ = true;
        continue;
      }
      if (at(pos_, kRight)) {
        if (parens > 0) throw SyntaxError(pos_, "unclosed left paren");
        emit(Tok::kRightDelim, pos_, kRight);
        pos_ += 2;
        return;
      }
      size_t start = pos_;
      if (c == '"') { lex_quote(); continue; }
      if (c == '`') {
        size_t close = s_.find('`', pos_ + 1);
        if (close == std::string::npos) throw SyntaxError(start, "unterminated raw quoted string");
        emit(Tok::kRawString, start, s_.substr(start, close + 1 - start));
        pos_ = close + 1;
        continue;
      }
      if (c == '\'') { lex_char(); continue; }
      if (c == '$') {
        ++pos_;
        while (pos_ < s_.size() && is_alnum(s_[pos_])) ++pos_;
        emit(Tok::kVariable, start, s_.substr(start, pos_ - start));
        check_terminator();
        continue;
      }
      if (c == '.') {
        if (pos_ + 1 < s_.size() && s_[pos_ + 1] >= '0' && s_[pos_ + 1] <= '9') { lex_number(); continue; }
        ++pos_;
        if (pos_ < s_.size() && is_alnum(s_[pos_])) {
          while (pos_ < s_.size() && is_alnum(s_[pos_])) ++pos_;
          emit(Tok::kField, start, s_.substr(start, pos_ - start));
          check_terminator();
        } else {
          emit(Tok::kDot, start, ".");
        }
        continue;
      }
      if (c == '+' || c == '-' || (c >= '0' && c <= '9')) { lex_number(); continue; }
      if (is_alnum(c)) {
        while (pos_ < s_.size() && is_alnum(s_[pos_])) ++pos_;
        std::string w = s_.substr(start, pos_ - start);
        if (w == "true" || w == "false") emit(Tok::kBool, start, w);
        else if (w == "nil") emit(Tok::kNil, start, w);
        else if (is_keyword(w)) emit(Tok::kKeyword, start, w);
        else emit(Tok::kIdentifier, start, w);
        check_terminator();
        continue;
      }
      ++pos_;
      switch (c) {
        case '|': emit(Tok::kPipe, start, "|"); break;
        case '(': emit(Tok::kLeftParen, start, "("); ++parens; break;
        case ')':
          // An unmatched ')' is reported by the parser, as Go does ("unexpected ")" in command").
          --parens;
          emit(Tok::kRightParen, start, ")");
          break;
        case ',': emit(Tok::kComma, start, ","); break;
        case '=': emit(Tok::kAssign, start, "="); break;
        case ':':
          if (pos_ < s_.size() && s_[pos_] == '=') {
            ++pos_;
            emit(Tok::kDeclare, start, ":=");
          } else {
            throw SyntaxError(start, "expected :=");
          }
          break;
        default:
          throw SyntaxError(start, "unrecognized character in action: " + rune_desc(c));
      }
    }
    (void)open;
  }

  void check_terminator() {
    if (pos_ >= s_.size()) return;
    char c = s_[pos_];
    if (is_space(c) || c == '.' || c == ',' || c == '|' || c == ':' || c == ')' || c == '(' ||
        c == '=' || at(pos_, kRight))
      return;
    throw SyntaxError(pos_, "bad character " + rune_desc(c));
  }

  void lex_quote() {
    size_t start = pos_++;
    for (;;) {
      if (pos_ >= s_.size() || s_[pos_] == '\n') throw SyntaxError(start, "unterminated quoted string");
      char c = s_[pos_++];
      if (c == '\\') {
        if (pos_ >= s_.size() || s_[pos_] == '\n') throw SyntaxError(start, "unterminated quoted string");
        ++pos_;
      } else if (c == '"') {
        break;
      }
    }
    emit(Tok::kString, start, s_.substr(start, pos_ - start));
  }

  void lex_char() {
    size_t start = pos_++;
    for (;;) {
      if (pos_ >= s_.size() || s_[pos_] == '\n') throw SyntaxError(start, "unterminated character constant");
      char c = s_[pos_++];
      if (c == '\\') {
        if (pos_ >= s_.size() || s_[pos_] == '\n') throw SyntaxError(start, "unterminated character constant");
        ++pos_;
      } else if (c == '\'') {
        break;
      }
    }
    emit(Tok::kChar, start, s_.substr(start, pos_ - start));
  }

  void lex_number() {
    size_t start = pos_;
    if (s_[pos_] == '+' || s_[pos_] == '-') ++pos_;
    std::string digits = "0123456789_";
    if (pos_ + 1 < s_.size() && s_[pos_] == '0' && (s_[pos_ + 1] == 'x' || s_[pos_ + 1] == 'X')) {
      pos_ += 2;
      digits = "0123456789abcdefABCDEF_";
    } else if (pos_ + 1 < s_.size() && s_[pos_] == '0' && (s_[pos_ + 1] == 'o' || s_[pos_ + 1] == 'O')) {
      pos_ += 2;
      digits = "01234567_";
    } else if (pos_ + 1 < s_.size() && s_[pos_] == '0' && (s_[pos_ + 1] == 'b' || s_[pos_ + 1] == 'B')) {
      pos_ += 2;
      digits = "01_";
    }
    auto run = [&](const std::string& set) {
      while (pos_ < s_.size() && set.find(s_[pos_]) != std::string::npos) ++pos_;
    };
    run(digits);
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      run(digits);
    }
    bool hex = digits.size() > 16;
    if (pos_ < s_.size() && ((!hex && (s_[pos_] == 'e' || s_[pos_] == 'E')) || (hex && (s_[pos_] == 'p' || s_[pos_] == 'P')))) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      run("0123456789_");
    }
    if (pos_ < s_.size() && s_[pos_] == 'i') ++pos_;
    if (pos_ < s_.size() && is_alnum(s_[pos_])) {
      ++pos_;
      throw SyntaxError(start, "bad number syntax: \"" + s_.substr(start, pos_ - start) + "\"");
    }
    emit(Tok::kNumber, start, s_.substr(start, pos_ - start));
  }

  const std::string& s_;
  size_t pos_ = 0;
  bool space_ = false;
  std::vector<Token> out_;
};

}  // namespace

std::vector<Token> lex_template(const std::string& text) { return Lexer(text).run(); }

}  // namespace strata::tpl

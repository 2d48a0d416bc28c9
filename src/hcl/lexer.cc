// The HCL native-syntax scanner. It keeps a stack of modes because the same characters mean
// different things inside a quoted string, a heredoc, a template interpolation and plain code.
#include <cstdint>

#include "hcl/token.h"
#include "hcl/utf8_columns.h"

namespace strata::hcl {
namespace {

bool is_ident_start_ascii(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_ident_continue_ascii(unsigned char c) {
  return is_ident_start_ascii(c) || (c >= '0' && c <= '9') || c == '-';
}
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}
  // A bare template (HCL's ParseTemplate): the whole input is template text, as inside a heredoc
  // that never closes.
  static Lexer bare_template(std::string_view src) {
    Lexer l(src);
    l.stack_.push_back({Frame::kHeredoc, {}, false});
    return l;
  }

  std::vector<Token> run() {
    out_.reserve(src_.size() / 4 + 8);
    for (;;) {
      if (!stack_.empty() && stack_.back().kind == Frame::kQuoted) {
        lex_quoted();
        continue;
      }
      if (!stack_.empty() && stack_.back().kind == Frame::kHeredoc) {
        lex_heredoc();
        continue;
      }
      if (!lex_normal()) break;
    }
    return std::move(out_);
  }

 private:
  struct Frame {
    enum Kind { kBrace, kInterp, kQuoted, kHeredoc } kind;
    std::string_view marker;  // heredoc only; empty for a bare template
    bool line_start = false;  // heredoc only: next byte starts a line
  };

  Pos pos() const { return Pos{line_, col_, static_cast<int>(i_)}; }
  bool at(size_t off, char c) const { return i_ + off < src_.size() && src_[i_ + off] == c; }

  // Columns count user-perceived characters (see utf8_columns.h).
  void advance(size_t n) {
    for (size_t k = 0; k < n && i_ < src_.size(); ++k, ++i_) {
      unsigned char c = src_[i_];
      if (c == '\n') {
        ++line_;
        col_ = 1;
        columns_.reset();
      } else if (c < 0x80) {
        ++col_;
        columns_.reset();
      } else if ((c & 0xc0) != 0x80) {
        uint32_t cp = 0;
        if (utf8_length(src_, i_, &cp) == 0 || columns_.starts_column(cp)) ++col_;
      }
    }
  }

  void emit(TokenType t, size_t start, Pos start_pos) {
    out_.push_back(Token{t, src_.substr(start, i_ - start), Range{start_pos, pos()}});
  }
  void emit_n(TokenType t, size_t n) {
    size_t start = i_;
    Pos p = pos();
    advance(n);
    emit(t, start, p);
  }

  // Returns false after emitting EOF.
  bool lex_normal() {
    while (i_ < src_.size() &&
           (src_[i_] == ' ' || src_[i_] == '\t' || (src_[i_] == '\r' && !at(1, '\n')))) {
      advance(1);
    }
    if (i_ >= src_.size()) {
      emit_n(TokenType::kEOF, 0);
      return false;
    }
    unsigned char c = src_[i_];
    switch (c) {
      case '\n':
        emit_n(TokenType::kNewline, 1);
        return true;
      case '\r':
        emit_n(TokenType::kNewline, 2);
        return true;
      case '#':
        line_comment();
        return true;
      case '/':
        if (at(1, '/')) {
          line_comment();
        } else if (at(1, '*')) {
          block_comment();
        } else {
          emit_n(TokenType::kSlash, 1);
        }
        return true;
      case '{':
        stack_.push_back({Frame::kBrace, {}, false});
        emit_n(TokenType::kOBrace, 1);
        return true;
      case '}':
        if (!stack_.empty() && stack_.back().kind == Frame::kInterp) {
          stack_.pop_back();
          emit_n(TokenType::kTemplateSeqEnd, 1);
        } else {
          if (!stack_.empty() && stack_.back().kind == Frame::kBrace) stack_.pop_back();
          emit_n(TokenType::kCBrace, 1);
        }
        return true;
      case '~':
        if (at(1, '}') && !stack_.empty() && stack_.back().kind == Frame::kInterp) {
          stack_.pop_back();
          emit_n(TokenType::kTemplateSeqEnd, 2);
        } else {
          emit_n(TokenType::kBitwiseNot, 1);
        }
        return true;
      case '"':
        stack_.push_back({Frame::kQuoted, {}, false});
        emit_n(TokenType::kOQuote, 1);
        return true;
      case '<':
        if (at(1, '<') && heredoc_open()) return true;
        emit_n(at(1, '=') ? TokenType::kLessThanEq : TokenType::kLessThan, at(1, '=') ? 2 : 1);
        return true;
      case '>':
        emit_n(at(1, '=') ? TokenType::kGreaterThanEq : TokenType::kGreaterThan,
               at(1, '=') ? 2 : 1);
        return true;
      case '=':
        if (at(1, '=')) {
          emit_n(TokenType::kEqualOp, 2);
        } else if (at(1, '>')) {
          emit_n(TokenType::kFatArrow, 2);
        } else {
          emit_n(TokenType::kEqual, 1);
        }
        return true;
      case '!':
        emit_n(at(1, '=') ? TokenType::kNotEqual : TokenType::kBang, at(1, '=') ? 2 : 1);
        return true;
      case '&':
        emit_n(at(1, '&') ? TokenType::kAnd : TokenType::kBitwiseAnd, at(1, '&') ? 2 : 1);
        return true;
      case '|':
        emit_n(at(1, '|') ? TokenType::kOr : TokenType::kBitwiseOr, at(1, '|') ? 2 : 1);
        return true;
      case '^':
        emit_n(TokenType::kBitwiseXor, 1);
        return true;
      case '*':
        emit_n(TokenType::kStar, 1);
        return true;  // "**" is two stars, as in HCL
      case '+':
        emit_n(TokenType::kPlus, 1);
        return true;
      case '-':
        emit_n(TokenType::kMinus, 1);
        return true;
      case '%':
        emit_n(TokenType::kPercent, 1);
        return true;
      case '?':
        emit_n(TokenType::kQuestion, 1);
        return true;
      case ':':
        emit_n(TokenType::kColon, 1);
        return true;
      case ',':
        emit_n(TokenType::kComma, 1);
        return true;
      case '(':
        emit_n(TokenType::kOParen, 1);
        return true;
      case ')':
        emit_n(TokenType::kCParen, 1);
        return true;
      case '[':
        emit_n(TokenType::kOBrack, 1);
        return true;
      case ']':
        emit_n(TokenType::kCBrack, 1);
        return true;
      case '.':
        emit_n(at(1, '.') && at(2, '.') ? TokenType::kEllipsis : TokenType::kDot,
               at(1, '.') && at(2, '.') ? 3 : 1);
        return true;
      case ';':
        emit_n(TokenType::kSemicolon, 1);
        return true;
      case '\'':
        emit_n(TokenType::kApostrophe, 1);
        return true;
      case '`':
        emit_n(TokenType::kBacktick, 1);
        return true;
      default:
        break;
    }
    if (is_digit(c)) {
      number();
      return true;
    }
    if (is_ident_start_ascii(c) || c >= 0x80) {
      if (c >= 0x80) {
        uint32_t cp = 0;
        size_t n = utf8_length(src_, i_, &cp);
        if (n == 0) {
          emit_n(TokenType::kBadUtf8, 1);
          return true;
        }
        if (cp == 0x201c || cp == 0x201d || cp == 0xa0 || cp == 0x2028) {
          emit_n(TokenType::kInvalid, n);
          return true;
        }
      }
      ident();
      return true;
    }
    emit_n(TokenType::kInvalid, 1);
    return true;
  }

  void line_comment() {
    size_t start = i_;
    Pos p = pos();
    while (i_ < src_.size() && src_[i_] != '\n') advance(1);
    if (i_ < src_.size()) advance(1);  // the comment owns its newline, as in HCL
    emit(TokenType::kComment, start, p);
  }

  void block_comment() {
    size_t end = src_.find("*/", i_ + 2);
    if (end == std::string_view::npos) {
      emit_n(TokenType::kSlash, 1);  // unterminated: HCL sees a stray "/" here
      return;
    }
    size_t start = i_;
    Pos p = pos();
    advance(end + 2 - i_);
    emit(TokenType::kComment, start, p);
  }

  // HCL's number token: a digit, then digits, dots and exponents ("e5", "E-3"), ending in a
  // digit. Malformed ones such as "1.2.3" stay one token; the parser rejects their value.
  void number() {
    size_t start = i_;
    Pos p = pos();
    size_t j = i_ + 1, best = j;
    for (;;) {
      if (j < src_.size() && is_digit(src_[j])) {
        best = ++j;
      } else if (j < src_.size() && src_[j] == '.') {
        ++j;
      } else if (j < src_.size() && (src_[j] == 'e' || src_[j] == 'E')) {
        size_t k = j + 1;
        if (k < src_.size() && (src_[k] == '+' || src_[k] == '-')) ++k;
        if (k >= src_.size() || !is_digit(src_[k])) break;
        best = j = k + 1;
      } else {
        break;
      }
    }
    advance(best - i_);
    emit(TokenType::kNumberLit, start, p);
  }

  void ident() {
    size_t start = i_;
    Pos p = pos();
    for (;;) {
      if (i_ >= src_.size()) break;
      unsigned char c = src_[i_];
      if (is_ident_continue_ascii(c)) {
        advance(1);
        continue;
      }
      if (c >= 0x80) {
        uint32_t cp = 0;
        size_t n = utf8_length(src_, i_, &cp);
        if (n == 0 || cp == 0x201c || cp == 0x201d || cp == 0xa0 || cp == 0x2028) break;
        advance(n);
        continue;
      }
      break;
    }
    emit(TokenType::kIdent, start, p);
  }

  // "<<EOT\n" or "<<-EOT\n"; returns false (emitting nothing) when this is not a heredoc.
  bool heredoc_open() {
    size_t j = i_ + 2;
    if (j < src_.size() && src_[j] == '-') ++j;
    size_t name_start = j;
    if (j >= src_.size() || !is_ident_start_ascii(src_[j])) return false;
    while (j < src_.size() && is_ident_continue_ascii(src_[j])) ++j;
    std::string_view marker = src_.substr(name_start, j - name_start);
    if (j < src_.size() && src_[j] == '\r') ++j;
    if (j >= src_.size() || src_[j] != '\n') return false;
    ++j;
    emit_n(TokenType::kOHeredoc, j - i_);
    stack_.push_back({Frame::kHeredoc, marker, true});
    return true;
  }

  void lex_quoted() {
    size_t start = i_;
    Pos p = pos();
    auto flush = [&] {
      if (i_ > start) emit(TokenType::kQuotedLit, start, p);
    };
    while (i_ < src_.size()) {
      char c = src_[i_];
      if (c == '"') {
        flush();
        stack_.pop_back();
        emit_n(TokenType::kCQuote, 1);
        return;
      }
      if (c == '\n' || (c == '\r' && at(1, '\n'))) {
        // Reported by the parser; like HCL, the string goes on to the next line.
        flush();
        emit_n(TokenType::kQuotedNewline, c == '\n' ? 1 : 2);
        return;
      }
      if (c == '\\') {
        advance(at(1, '\n') ? 1 : 2);
        continue;
      }
      if ((c == '$' || c == '%') && at(1, c) && at(2, '{')) {
        advance(3);
        continue;
      }
      if ((c == '$' || c == '%') && at(1, '{')) {
        flush();
        open_template_seq(c);
        return;
      }
      if (static_cast<unsigned char>(c) >= 0x80) {
        size_t n = utf8_length(src_, i_, nullptr);
        if (n == 0) {
          flush();
          emit_n(TokenType::kBadUtf8, 1);
          return;
        }
        advance(n);
        continue;
      }
      advance(1);
    }
    flush();
    stack_.pop_back();  // unterminated: the parser reports the missing quote at EOF
  }

  void open_template_seq(char c) {
    size_t n = at(2, '~') ? 3 : 2;
    emit_n(c == '$' ? TokenType::kTemplateInterp : TokenType::kTemplateControl, n);
    stack_.push_back({Frame::kInterp, {}, false});
  }

  void lex_heredoc() {
    size_t fi = stack_.size() - 1;
    if (stack_[fi].line_start && !stack_[fi].marker.empty()) {
      stack_[fi].line_start = false;
      size_t j = i_;
      while (j < src_.size() && (src_[j] == ' ' || src_[j] == '\t')) ++j;
      std::string_view marker = stack_[fi].marker;
      if (src_.substr(j, marker.size()) == marker) {
        size_t e = j + marker.size();
        if (e == src_.size() || src_[e] == '\n' ||
            (src_[e] == '\r' && e + 1 < src_.size() && src_[e + 1] == '\n')) {
          stack_.pop_back();
          emit_n(TokenType::kCHeredoc, e - i_);
          return;
        }
      }
    }
    if (i_ >= src_.size()) {
      stack_.pop_back();  // unterminated heredoc
      return;
    }
    size_t start = i_;
    Pos p = pos();
    while (i_ < src_.size()) {
      char c = src_[i_];
      if (c == '\n') {
        advance(1);
        emit(TokenType::kStringLit, start, p);
        stack_[fi].line_start = true;
        return;
      }
      if ((c == '$' || c == '%') && at(1, c) && at(2, '{')) {
        advance(3);
        continue;
      }
      if ((c == '$' || c == '%') && at(1, '{')) {
        if (i_ > start) emit(TokenType::kStringLit, start, p);
        open_template_seq(c);
        return;
      }
      advance(1);
    }
    emit(TokenType::kStringLit, start, p);
  }

  std::string_view src_;
  size_t i_ = 0;
  int line_ = 1;
  int col_ = 1;
  ColumnCounter columns_;
  std::vector<Token> out_;
  std::vector<Frame> stack_;
};

}  // namespace

std::vector<Token> lex_config(std::string_view src) { return Lexer(src).run(); }

std::vector<Token> lex_template(std::string_view src) { return Lexer::bare_template(src).run(); }

}  // namespace strata::hcl

// The template lexer: splits text into text runs and action tokens with Go's rules for
// `{{- -}}` trimming, comments, quoted/raw strings, character constants and numbers.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "model/error.h"

namespace strata::tpl {

enum class Tok {
  kText, kLeftDelim, kRightDelim, kIdentifier, kKeyword, kField, kVariable, kDot, kString,
  kRawString, kChar, kNumber, kBool, kNil, kPipe, kLeftParen, kRightParen, kDeclare, kAssign,
  kComma, kEOF
};

struct Token {
  Tok type = Tok::kEOF;
  std::string text;  // source text (for kText: the text after trimming)
  size_t pos = 0;    // byte offset in the template
  bool space_before = false;
};

// A syntax error at a byte offset; the caller turns it into Go's "template: name:line: msg".
// A strata::Error (user input), so that one escaping the template API is still the user's error.
class SyntaxError : public Error {
 public:
  SyntaxError(size_t pos, const std::string& msg) : Error(msg), pos_(pos) {}
  size_t pos() const { return pos_; }

 private:
  size_t pos_;
};

// Lexes the whole text. Throws SyntaxError.
std::vector<Token> lex_template(const std::string& text);

}  // namespace strata::tpl

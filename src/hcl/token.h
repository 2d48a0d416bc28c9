// Tokens of HCL native syntax. The lexer turns source text into a flat token list (comments and
// newlines included); the parser decides which newlines matter.
#pragma once

#include <string_view>
#include <vector>

#include "hcl/source_range.h"

namespace strata::hcl {

enum class TokenType {
  kOBrace,
  kCBrace,
  kOBrack,
  kCBrack,
  kOParen,
  kCParen,
  kOQuote,
  kCQuote,
  kOHeredoc,
  kCHeredoc,
  kStar,
  kSlash,
  kPlus,
  kMinus,
  kPercent,
  kEqual,
  kEqualOp,
  kNotEqual,
  kLessThan,
  kLessThanEq,
  kGreaterThan,
  kGreaterThanEq,
  kAnd,
  kOr,
  kBang,
  kDot,
  kComma,
  kEllipsis,
  kFatArrow,
  kQuestion,
  kColon,
  kTemplateInterp,
  kTemplateControl,
  kTemplateSeqEnd,
  kQuotedLit,
  kStringLit,
  kNumberLit,
  kIdent,
  kComment,
  kNewline,
  kEOF,
  // Never valid; the parser reports them (HCL's checkInvalidTokens).
  kBitwiseAnd,
  kBitwiseOr,
  kBitwiseXor,
  kBitwiseNot,
  kStarStar,
  kApostrophe,
  kBacktick,
  kSemicolon,
  kQuotedNewline,
  kInvalid,
  kBadUtf8,
  kNil,  // no token (used for "no opposite bracket")
};

struct Token {
  TokenType type = TokenType::kNil;
  std::string_view bytes;
  Range range;
};

// Scans a whole file. The list always ends with one kEOF token.
std::vector<Token> lex_config(std::string_view src);

// Scans a bare template (no quotes or heredoc markers around it), as in a JSON string.
std::vector<Token> lex_template(std::string_view src);

}  // namespace strata::hcl

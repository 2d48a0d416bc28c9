// The HCL native-syntax parser: recursive descent over the token list, following the structure
// and the error recovery of HashiCorp's hclsyntax parser so that diagnostics land on the same
// ranges. Templates (quoted strings and heredocs) are parsed in two passes: first into parts,
// then into the if/for structure (template_parser.cc).
#include "hcl/parser.h"

#include "hcl/parser_state.h"
#include "hcl/string_literal.h"
#include "hcl/token.h"

namespace strata::hcl {

Token ParserState::scan(size_t* next_index) const {
  bool newlines = nl_stack_.back();
  for (size_t i = next_; i < toks_.size(); ++i) {
    const Token& t = toks_[i];
    if (t.type == TokenType::kComment) {
      // A line comment owns its newline; where newlines matter it acts as one.
      if (newlines && !t.bytes.empty() && t.bytes.back() == '\n') {
        *next_index = i + 1;
        return Token{TokenType::kNewline, t.bytes.substr(t.bytes.size() - 1), t.range};
      }
      continue;
    }
    if (t.type == TokenType::kNewline && !newlines) continue;
    *next_index = i + 1;
    return t;
  }
  *next_index = toks_.size();
  return toks_.back();
}

Token ParserState::peek() const {
  size_t idx;
  return scan(&idx);
}

Token ParserState::read() {
  size_t idx;
  Token t = scan(&idx);
  next_ = idx;
  return t;
}

Range ParserState::prev_range() const {
  if (next_ == 0) return peek().range;
  return toks_[next_ - 1].range;
}

size_t ParserState::error_count() const {
  size_t n = 0;
  for (const auto& d : diags_->items()) n += d.severity == Severity::kError;
  return n;
}

static TokenType opposite(TokenType t) {
  switch (t) {
    case TokenType::kOBrace:
      return TokenType::kCBrace;
    case TokenType::kOBrack:
      return TokenType::kCBrack;
    case TokenType::kOParen:
      return TokenType::kCParen;
    case TokenType::kOQuote:
      return TokenType::kCQuote;
    case TokenType::kOHeredoc:
      return TokenType::kCHeredoc;
    case TokenType::kCBrace:
      return TokenType::kOBrace;
    case TokenType::kCBrack:
      return TokenType::kOBrack;
    case TokenType::kCParen:
      return TokenType::kOParen;
    case TokenType::kCQuote:
      return TokenType::kOQuote;
    case TokenType::kCHeredoc:
      return TokenType::kOHeredoc;
    case TokenType::kTemplateControl:
      return TokenType::kTemplateSeqEnd;
    case TokenType::kTemplateInterp:
      return TokenType::kTemplateSeqEnd;
    case TokenType::kTemplateSeqEnd:
      return TokenType::kTemplateInterp;
    default:
      return TokenType::kNil;
  }
}

Token ParserState::recover(TokenType end) {
  TokenType start = opposite(end);
  recovery_ = true;
  int nest = 0;
  for (;;) {
    Token tok = read();
    TokenType ty = tok.type;
    if (end == TokenType::kTemplateSeqEnd && ty == TokenType::kTemplateControl) {
      ty = TokenType::kTemplateInterp;
    }
    if (ty == start) {
      ++nest;
    } else if (ty == end) {
      if (nest < 1) return tok;
      --nest;
    } else if (ty == TokenType::kEOF) {
      return tok;
    }
  }
}

void ParserState::recover_after_body_item() {
  recovery_ = true;
  std::vector<TokenType> open;
  for (;;) {
    Token tok = read();
    switch (tok.type) {
      case TokenType::kNewline:
        if (open.empty()) return;
        break;
      case TokenType::kEOF:
        return;
      case TokenType::kOBrace:
      case TokenType::kOBrack:
      case TokenType::kOParen:
      case TokenType::kOQuote:
      case TokenType::kOHeredoc:
      case TokenType::kTemplateInterp:
      case TokenType::kTemplateControl:
        open.push_back(tok.type);
        break;
      case TokenType::kCBrace:
      case TokenType::kCBrack:
      case TokenType::kCParen:
      case TokenType::kCQuote:
      case TokenType::kCHeredoc: {
        TokenType opener = opposite(tok.type);
        while (!open.empty() && open.back() != opener) open.pop_back();
        if (!open.empty()) open.pop_back();
        break;
      }
      case TokenType::kTemplateSeqEnd:
        while (!open.empty() && open.back() != TokenType::kTemplateInterp &&
               open.back() != TokenType::kTemplateControl) {
          open.pop_back();
        }
        if (!open.empty()) open.pop_back();
        break;
      default:
        break;
    }
  }
}

bool ParserState::enter_nesting() {
  if (++depth_ <= kMaxNestingDepth) return true;
  if (!too_deep_) {
    too_deep_ = true;
    diags_->error(peek().range, "Nesting too deep",
                  "This file nests blocks or expressions more than " +
                      std::to_string(kMaxNestingDepth) +
                      " levels deep. Flatten the structure, for example with locals.");
  }
  recovery_ = true;
  next_ = toks_.size() - 1;  // skip to EOF: nothing after this point can be trusted
  return false;
}

// ---------------------------------------------------------------------------------------------
// Bodies

void ParserState::parse_body(TokenType end, Body& body) {
  Range start_range = prev_range();
  Range end_range;
  if (!enter_nesting()) {
    --depth_;
    body.range = start_range;
    return;
  }
  for (;;) {
    Token next = peek();
    if (next.type == end) {
      end_range = next.range;
      read();
      break;
    }
    if (next.type == TokenType::kNewline) {
      read();
      continue;
    }
    if (next.type == TokenType::kIdent) {
      parse_body_item(body);
      continue;
    }
    Token bad = read();
    if (!recovery_) {
      if (bad.type == TokenType::kOQuote) {
        diags_->error(bad.range, "Invalid argument name", "Argument names must not be quoted.");
      } else if (bad.type == TokenType::kEOF) {
        if (end == TokenType::kCBrace) {
          diags_->error(start_range, "Unclosed configuration block",
                        "There is no closing brace for this block before the end of the file. "
                        "This may be caused by incorrect brace nesting elsewhere in this file.");
        } else {
          diags_->error(start_range, "Unclosed configuration body",
                        "Found end of file before the end of this configuration body.");
        }
      } else {
        diags_->error(bad.range, "Argument or block definition required",
                      "An argument or block definition is required here.");
      }
    }
    end_range = prev_range();
    recover(end);
    break;
  }
  --depth_;
  body.range = range_between(start_range, end_range);
}

void ParserState::add_attribute(Body& body, Attribute attr) {
  for (const auto& existing : body.attributes) {
    if (existing.name == attr.name) {
      diags_->error(attr.name_range, "Attribute redefined",
                    "The argument \"" + attr.name + "\" was already set at line " +
                        std::to_string(existing.name_range.start.line) +
                        ". Each argument may be set only once.");
      return;
    }
  }
  body.attributes.push_back(std::move(attr));
}

void ParserState::parse_body_item(Body& body) {
  Token ident = read();
  Token next = peek();
  switch (next.type) {
    case TokenType::kEqual:
      add_attribute(body, finish_attribute(ident, false));
      return;
    case TokenType::kOQuote:
    case TokenType::kOBrace:
    case TokenType::kIdent: {
      Block block;
      if (finish_block(ident, block)) body.blocks.push_back(std::move(block));
      return;
    }
    default:
      recover_after_body_item();
      diags_->error(ident.range, "Argument or block definition required",
                    "An argument or block definition is required here. To set an argument, use "
                    "the equals sign \"=\" to introduce the argument value.");
  }
}

Attribute ParserState::finish_attribute(const Token& ident, bool single_line) {
  read();  // "="
  size_t before = error_count();
  Attribute attr;
  attr.name = std::string(ident.bytes);
  attr.name_range = ident.range;
  attr.expr = parse_expression();
  Range end_range;
  if (recovery_ && error_count() > before) {
    end_range = prev_range();
    recover_after_body_item();
  } else {
    end_range = prev_range();
    if (!single_line) {
      Token end = peek();
      if (end.type != TokenType::kNewline && end.type != TokenType::kEOF) {
        if (!recovery_) {
          if (end.type == TokenType::kComma) {
            diags_->error(end.range, "Unexpected comma after argument",
                          "Argument definitions must be separated by newlines, not commas. An "
                          "argument definition must end with a newline.");
          } else {
            diags_->error(end.range, "Missing newline after argument",
                          "An argument definition must end with a newline.");
          }
        }
        end_range = prev_range();
        recover_after_body_item();
      } else {
        end_range = prev_range();
        read();
      }
    }
  }
  attr.range = range_between(ident.range, end_range);
  return attr;
}

bool ParserState::finish_block(const Token& ident, Block& block) {
  block.type = std::string(ident.bytes);
  block.type_range = ident.range;
  Token obrace;
  for (;;) {
    Token tok = peek();
    if (tok.type == TokenType::kOBrace) {
      obrace = read();
      break;
    }
    if (tok.type == TokenType::kOQuote) {
      Range r;
      block.labels.push_back(parse_quoted_string_literal(&r));
      block.label_ranges.push_back(r);
      continue;
    }
    if (tok.type == TokenType::kIdent) {
      read();
      block.labels.emplace_back(tok.bytes);
      block.label_ranges.push_back(tok.range);
      continue;
    }
    if (tok.type == TokenType::kEqual) {
      diags_->error(tok.range, "Invalid block definition",
                    "The equals sign \"=\" indicates an argument definition, and must not be "
                    "used when defining a block.");
    } else if (tok.type == TokenType::kNewline) {
      diags_->error(tok.range, "Invalid block definition",
                    "A block definition must have block content delimited by \"{\" and \"}\", "
                    "starting on the same line as the block header.");
    } else if (!recovery_) {
      diags_->error(tok.range, "Invalid block definition",
                    "Either a quoted string block label or an opening brace (\"{\") is expected "
                    "here.");
    }
    recover_after_body_item();
    block.open_brace_range = block.close_brace_range = ident.range;
    block.body.range = ident.range;
    return true;
  }
  block.open_brace_range = obrace.range;

  Token first = peek();
  if (first.type == TokenType::kNewline || first.type == TokenType::kEOF ||
      first.type == TokenType::kCBrace) {
    parse_body(TokenType::kCBrace, block.body);
  } else {
    // One-line block: "name { arg = value }". Its own errors come before the body's, as in HCL.
    HclDiagnostics body_diags;
    HclDiagnostics* outer = diags_;
    diags_ = &body_diags;
    parse_single_attr_body(block.body);
    diags_ = outer;
    Token after = peek();
    if (after.type == TokenType::kCBrace) {
      read();
    } else if (after.type == TokenType::kComma) {
      diags_->error(after.range, "Invalid single-argument block definition",
                    "Single-line block syntax can include only one argument definition. To "
                    "define multiple arguments, use the multi-line block syntax with one argument "
                    "definition per line.");
      recover(TokenType::kCBrace);
    } else if (after.type == TokenType::kNewline) {
      diags_->error(after.range, "Invalid single-argument block definition",
                    "An argument definition on the same line as its containing block creates a "
                    "single-line block definition, which must also be closed on the same line. "
                    "Place the block's closing brace immediately after the argument definition.");
      recover(TokenType::kCBrace);
    } else {
      if (!recovery_) {
        if (after.type == TokenType::kEOF) {
          diags_->error(obrace.range, "Unclosed configuration block",
                        "There is no closing brace for this block before the end of the file. "
                        "This may be caused by incorrect brace nesting elsewhere in this file.");
        } else {
          diags_->error(after.range, "Invalid single-argument block definition",
                        "A single-line block definition must end with a closing brace "
                        "immediately after its single argument definition.");
        }
      }
      recover(TokenType::kCBrace);
    }
    diags_->append(body_diags);
  }
  block.close_brace_range = prev_range();

  Token eol = peek();
  if (eol.type == TokenType::kNewline || eol.type == TokenType::kEOF) {
    read();
  } else {
    if (!recovery_) {
      diags_->error(eol.range, "Missing newline after block definition",
                    "A block definition must end with a newline.");
    }
    recover_after_body_item();
  }
  return true;
}

void ParserState::parse_single_attr_body(Body& body) {
  Token ident = read();
  if (ident.type != TokenType::kIdent) {
    recover_after_body_item();
    diags_->error(ident.range, "Argument or block definition required",
                  "An argument or block definition is required here.");
    return;
  }
  Token next = peek();
  if (next.type == TokenType::kEqual) {
    Attribute attr = finish_attribute(ident, true);
    body.range = attr.range;
    body.attributes.push_back(std::move(attr));
    return;
  }
  recover_after_body_item();
  if (next.type == TokenType::kOQuote || next.type == TokenType::kOBrace ||
      next.type == TokenType::kIdent) {
    diags_->error(range_between(ident.range, next.range), "Argument definition required",
                  "A single-line block definition can contain only a single argument. To define "
                  "a nested block, place it on a line of its own within its parent block.");
  } else {
    diags_->error(ident.range, "Argument or block definition required",
                  "An argument or block definition is required here. To set an argument, use "
                  "the equals sign \"=\" to introduce the argument value.");
  }
}

std::string ParserState::parse_quoted_string_literal(Range* out_range) {
  Token oquote = read();
  std::string ret;
  Range end_range = oquote.range;
  for (;;) {
    Token tok = read();
    if (tok.type == TokenType::kCQuote) {
      end_range = tok.range;
      break;
    }
    if (tok.type == TokenType::kQuotedLit) {
      ret += decode_string_literal(tok.bytes, true, tok.range, *diags_);
      continue;
    }
    if (tok.type == TokenType::kTemplateInterp || tok.type == TokenType::kTemplateControl) {
      char which = tok.type == TokenType::kTemplateControl ? '%' : '$';
      diags_->error(tok.range, "Invalid string literal",
                    std::string("Template sequences are not allowed in this string. To include "
                                "a literal \"") +
                        which + "\", double it (as \"" + which + which + "\") to escape it.");
      ret += which;
      ret += "{ ... }";
      recover(TokenType::kTemplateSeqEnd);
      continue;
    }
    if (tok.type == TokenType::kEOF) {
      diags_->error(tok.range, "Unterminated string literal",
                    "Unable to find the closing quote mark before the end of the file.");
      end_range = tok.range;
      break;
    }
    diags_->error(tok.range, "Invalid string literal", "Expecting a string literal here.");
    recover(TokenType::kCQuote);
    end_range = tok.range;
    break;
  }
  *out_range = range_between(oquote.range, end_range);
  return ret;
}

// ---------------------------------------------------------------------------------------------
// Entry points

namespace {

// HCL's checkInvalidTokens: characters that can never appear, reported once each (roughly).
void check_invalid_tokens(const std::vector<Token>& toks, HclDiagnostics& diags) {
  int bitwise = 0, exponent = 0, backtick = 0, apostrophe = 0, semicolon = 0, bad_utf8 = 0;
  for (const auto& t : toks) {
    switch (t.type) {
      case TokenType::kBitwiseAnd:
      case TokenType::kBitwiseOr:
      case TokenType::kBitwiseXor:
      case TokenType::kBitwiseNot:
        if (bitwise++ < 4) {
          diags.error(t.range, "Unsupported operator",
                      "Bitwise operators are not supported. Use \"&&\", \"||\" or \"!\" for "
                      "boolean logic.");
        }
        break;
      case TokenType::kStarStar:
        if (exponent++ < 1) {
          diags.error(t.range, "Unsupported operator",
                      "\"**\" is not a supported operator. Exponentiation is provided by the "
                      "pow function.");
        }
        break;
      case TokenType::kBacktick:
        if (backtick % 2 == 0) {
          diags.error(t.range, "Invalid character",
                      "The \"`\" character is not valid. To create a multi-line string, use the "
                      "\"heredoc\" syntax, like \"<<EOT\".");
        }
        if (backtick <= 2) ++backtick;
        break;
      case TokenType::kApostrophe:
        if (apostrophe % 2 == 0) {
          diags.error(t.range, "Invalid character",
                      "Single quotes are not valid. Use double quotes (\") to enclose strings.");
        }
        if (apostrophe <= 2) ++apostrophe;
        break;
      case TokenType::kSemicolon:
        if (semicolon++ < 1) {
          diags.error(t.range, "Invalid character",
                      "The \";\" character is not valid. Use newlines to separate arguments and "
                      "blocks, and commas to separate items in collection values.");
        }
        break;
      case TokenType::kBadUtf8:
        if (bad_utf8++ < 1) {
          diags.error(t.range, "Invalid character encoding",
                      "All input files must be UTF-8 encoded. Ensure that UTF-8 encoding is "
                      "selected in your editor.");
        }
        break;
      case TokenType::kQuotedNewline:
        diags.error(t.range, "Invalid multi-line string",
                    "Quoted strings may not be split over multiple lines. To produce a "
                    "multi-line string, either use the \\n escape to represent a newline "
                    "character or use the \"heredoc\" multi-line template syntax.");
        break;
      case TokenType::kInvalid:
        diags.error(t.range, "Invalid character",
                    "This character is not used within the language.");
        break;
      default:
        break;
    }
  }
}

}  // namespace

File parse_config(std::string source, const std::string& filename) {
  File file;
  file.filename = std::make_shared<const std::string>(filename);
  file.source = std::move(source);
  // A UTF-8 byte order mark is dropped; positions count from after it, as in HCL.
  if (file.source.compare(0, 3, "\xef\xbb\xbf") == 0) file.source.erase(0, 3);
  std::vector<Token> toks = lex_config(file.source);
  check_invalid_tokens(toks, file.diagnostics);
  ParserState p(toks, file.diagnostics);
  p.parse_body(TokenType::kEOF, file.body);
  return file;
}

ExprPtr parse_expression(const std::string& source, const std::string& filename,
                         HclDiagnostics& diags) {
  (void)filename;
  std::vector<Token> toks = lex_config(source);
  check_invalid_tokens(toks, diags);
  ParserState p(toks, diags);
  p.push_newlines(false);
  ExprPtr e = p.parse_expression();
  Token next = p.peek();
  if (next.type != TokenType::kEOF && !p.recovering()) {
    diags.error(next.range, "Extra characters after expression",
                "An expression was successfully parsed, but extra characters were found after "
                "it.");
  }
  p.pop_newlines();
  return e;
}

ExprPtr parse_template(const std::string& source, HclDiagnostics& diags) {
  std::vector<Token> toks = lex_template(source);
  check_invalid_tokens(toks, diags);
  ParserState p(toks, diags);
  return p.parse_bare_template();
}

const Attribute* Body::find_attribute(const std::string& name) const {
  for (const auto& a : attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

}  // namespace strata::hcl

// Template parsing for quoted strings and heredocs. Pass one reads the tokens into a flat list of
// parts (literals, interpolations, directive markers) applying strip markers (~) and heredoc
// flushing (<<-); pass two nests %{if}/%{for} directives into expression nodes.
#include <climits>

#include "hcl/parser.h"
#include "hcl/parser_state.h"
#include "hcl/string_literal.h"

namespace strata::hcl {
namespace {

struct TemplatePart {
  enum Kind { kLiteral, kInterp, kIf, kFor, kElse, kEndIf, kEndFor, kEnd } kind;
  std::string text;  // kLiteral
  ExprPtr expr;      // kInterp expression, kIf condition, kFor collection
  std::string key_var, val_var;
  Range range;
};

bool is_space_char(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
void trim_left(std::string& s) {
  size_t i = 0;
  while (i < s.size() && is_space_char(s[i])) ++i;
  s.erase(0, i);
}
void trim_right(std::string& s) {
  while (!s.empty() && is_space_char(s.back())) s.pop_back();
}

// Counts leading whitespace "characters" (spaces, tabs and Unicode spaces such as U+2003).
size_t leading_space(const std::string& s, size_t* bytes) {
  size_t i = 0, n = 0;
  for (;;) {
    if (i < s.size() && (s[i] == ' ' || s[i] == '\t')) {
      ++i;
      ++n;
      continue;
    }
    // U+2000..U+200A, U+3000, U+00A0 (the spaces heredocs meet in practice).
    if (i + 3 <= s.size() && s[i] == '\xe2' && s[i + 1] == '\x80' &&
        static_cast<unsigned char>(s[i + 2]) >= 0x80 &&
        static_cast<unsigned char>(s[i + 2]) <= 0x8a) {
      i += 3;
      ++n;
      continue;
    }
    if (i + 1 < s.size() && s[i] == '\xc2' && s[i + 1] == '\xa0') {
      i += 2;
      ++n;
      continue;
    }
    break;
  }
  *bytes = i;
  return n;
}

// <<- heredocs: remove the indentation common to all lines (blank lines do not count).
void flush_heredoc(std::vector<TemplatePart>& parts) {
  size_t min_spaces = SIZE_MAX;
  bool newline = true;
  std::vector<TemplatePart*> adjust;
  for (auto& p : parts) {
    if (newline) {
      newline = false;
      size_t spaces = SIZE_MAX;
      if (p.kind == TemplatePart::kLiteral) {
        size_t bytes;
        size_t n = leading_space(p.text, &bytes);
        bool only_space = true;
        for (char c : p.text) only_space = only_space && is_space_char(c);
        if (only_space && !p.text.empty() && p.text.back() == '\n') {
          spaces = SIZE_MAX;
        } else {
          spaces = n;
          adjust.push_back(&p);
        }
      } else if (p.kind == TemplatePart::kEnd) {
        break;
      } else {
        spaces = 0;
      }
      if (spaces < min_spaces) min_spaces = spaces;
    }
    if (p.kind == TemplatePart::kLiteral && !p.text.empty() && p.text.back() == '\n') {
      newline = true;
    }
  }
  if (min_spaces == SIZE_MAX) return;
  for (TemplatePart* p : adjust) {
    size_t i = 0;
    for (size_t k = 0; k < min_spaces; ++k) {
      if (i < p->text.size() && (p->text[i] == ' ' || p->text[i] == '\t')) {
        i += 1;
      } else if (i + 2 < p->text.size() && p->text[i] == '\xe2') {
        i += 3;
      } else if (i + 1 < p->text.size() && p->text[i] == '\xc2') {
        i += 2;
      } else if (i < p->text.size()) {
        i += 1;
      }
    }
    p->text.erase(0, i);
    p->range.start.column += static_cast<int>(min_spaces);
    p->range.start.byte += static_cast<int>(i);
  }
}

// Pass two: nest directives.
class TemplateNester {
 public:
  TemplateNester(std::vector<TemplatePart>& parts, HclDiagnostics& diags)
      : parts_(parts), diags_(diags) {}

  std::vector<ExprPtr> root() {
    std::vector<ExprPtr> out;
    while (parts_[pos_].kind != TemplatePart::kEnd) out.push_back(expr());
    return out;
  }

 private:
  static const char* name(TemplatePart::Kind k) {
    return k == TemplatePart::kElse ? "else" : k == TemplatePart::kEndIf ? "endif" : "endfor";
  }

  ExprPtr expr() {
    TemplatePart& p = parts_[pos_];
    switch (p.kind) {
      case TemplatePart::kLiteral:
        ++pos_;
        return make_literal(Value(std::move(p.text)), p.range);
      case TemplatePart::kInterp:
        ++pos_;
        return std::move(p.expr);
      case TemplatePart::kIf:
        return if_directive();
      case TemplatePart::kFor:
        return for_directive();
      case TemplatePart::kEnd:
        ++pos_;
        diags_.error(p.range, "Unexpected end of template",
                     "The control directives within this template are unbalanced.");
        return make_dynamic(p.range);
      default:
        ++pos_;
        diags_.error(p.range, std::string("Unexpected ") + name(p.kind) + " directive",
                     "The control directives within this template are unbalanced.");
        return make_dynamic(p.range);
    }
  }

  static ExprPtr template_of(std::vector<ExprPtr> items, const Range& empty_at) {
    if (items.empty()) items.push_back(make_literal(Value(std::string()), empty_at));
    auto t = std::make_unique<Expr>();
    t->kind = ExprKind::kTemplate;
    t->range = range_between(items.front()->range, items.back()->range);
    t->items = std::move(items);
    return t;
  }

  // Directives nested too deeply: report once and skip to the end of the template.
  bool too_deep(const TemplatePart& open) {
    if (depth_ < kMaxNestingDepth) return false;
    diags_.error(open.range, "Nesting too deep",
                 "Template directives are nested more than " + std::to_string(kMaxNestingDepth) +
                     " levels deep.");
    while (parts_[pos_].kind != TemplatePart::kEnd) ++pos_;
    return true;
  }

  ExprPtr if_directive() {
    TemplatePart& open = parts_[pos_++];
    if (too_deep(open)) return make_dynamic(open.range);
    ++depth_;
    ExprPtr e = if_body(open);
    --depth_;
    return e;
  }

  ExprPtr for_directive() {
    TemplatePart& open = parts_[pos_++];
    if (too_deep(open)) return make_dynamic(open.range);
    ++depth_;
    ExprPtr e = for_body(open);
    --depth_;
    return e;
  }

  ExprPtr if_body(TemplatePart& open) {
    std::vector<ExprPtr> then_items, else_items;
    std::vector<ExprPtr>* current = &then_items;
    Range endif_range;
    for (;;) {
      TemplatePart& next = parts_[pos_];
      if (next.kind == TemplatePart::kEnd) {
        diags_.error(next.range, "Unexpected end of template",
                     "The if directive at line " + std::to_string(open.range.start.line) +
                         " is missing its corresponding endif directive.");
        return make_dynamic(next.range);
      }
      if (next.kind == TemplatePart::kElse || next.kind == TemplatePart::kEndIf ||
          next.kind == TemplatePart::kEndFor) {
        ++pos_;
        if (next.kind == TemplatePart::kElse && current == &then_items) {
          current = &else_items;
          continue;
        }
        if (next.kind == TemplatePart::kEndIf) {
          endif_range = next.range;
          break;
        }
        diags_.error(next.range, std::string("Unexpected ") + name(next.kind) + " directive",
                     "Expecting an endif directive for the if started at line " +
                         std::to_string(open.range.start.line) + ".");
        return make_dynamic(next.range);
      }
      current->push_back(expr());
    }
    auto e = std::make_unique<Expr>();
    e->kind = ExprKind::kTemplateIf;
    e->range = range_between(open.range, endif_range);
    e->cond = std::move(open.expr);
    e->a = template_of(std::move(then_items), Range{open.range.end, open.range.end});
    e->b = template_of(std::move(else_items), Range{endif_range.start, endif_range.start});
    return e;
  }

  ExprPtr for_body(TemplatePart& open) {
    std::vector<ExprPtr> body;
    Range endfor_range;
    for (;;) {
      TemplatePart& next = parts_[pos_];
      if (next.kind == TemplatePart::kEnd) {
        diags_.error(next.range, "Unexpected end of template",
                     "The for directive at line " + std::to_string(open.range.start.line) +
                         " is missing its corresponding endfor directive.");
        return make_dynamic(next.range);
      }
      if (next.kind == TemplatePart::kElse || next.kind == TemplatePart::kEndIf ||
          next.kind == TemplatePart::kEndFor) {
        ++pos_;
        if (next.kind == TemplatePart::kEndFor) {
          endfor_range = next.range;
          break;
        }
        diags_.error(next.range, std::string("Unexpected ") + name(next.kind) + " directive",
                     "Expecting an endfor directive corresponding to the for directive at line " +
                         std::to_string(open.range.start.line) + ".");
        return make_dynamic(next.range);
      }
      body.push_back(expr());
    }
    auto e = std::make_unique<Expr>();
    e->kind = ExprKind::kTemplateFor;
    e->range = range_between(open.range, endfor_range);
    e->key_var = open.key_var;
    e->val_var = open.val_var;
    e->a = std::move(open.expr);
    e->c = template_of(std::move(body), Range{open.range.end, open.range.end});
    return e;
  }

  std::vector<TemplatePart>& parts_;
  HclDiagnostics& diags_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

ExprPtr ParserState::parse_bare_template() {
  return parse_template(Token{TokenType::kNil, {}, Range{}});
}

ExprPtr ParserState::parse_template(const Token& open) {
  // open is kNil for a bare template, which runs to the end of its input.
  TokenType end = open.type == TokenType::kOQuote     ? TokenType::kCQuote
                  : open.type == TokenType::kOHeredoc ? TokenType::kCHeredoc
                                                      : TokenType::kEOF;
  bool flush = open.type == TokenType::kOHeredoc && open.bytes.size() > 2 && open.bytes[2] == '-';
  std::vector<TemplatePart> parts;
  Range start_range = peek().range;
  Range end_range;
  bool ltrim_next = false, next_can_trim_prev = false;
  auto trim_prev = [&](const Token& t) {
    if (t.bytes.size() == 3 && t.bytes[2] == '~' && !parts.empty() &&
        parts.back().kind == TemplatePart::kLiteral) {
      trim_right(parts.back().text);
    }
  };
  for (;;) {
    Token next = read();
    if (next.type == end) {
      end_range = next.range;
      break;
    }
    bool ltrim = ltrim_next;
    ltrim_next = false;
    bool can_trim_prev = next_can_trim_prev;
    next_can_trim_prev = false;
    if (next.type == TokenType::kStringLit || next.type == TokenType::kQuotedLit) {
      TemplatePart p{TemplatePart::kLiteral, {}, nullptr, {}, {}, next.range};
      p.text = decode_string_literal(next.bytes, next.type == TokenType::kQuotedLit, next.range,
                                     *diags_);
      if (ltrim) trim_left(p.text);
      parts.push_back(std::move(p));
      next_can_trim_prev = true;
      continue;
    }
    if (next.type == TokenType::kTemplateInterp) {
      if (can_trim_prev) trim_prev(next);
      push_newlines(false);
      ExprPtr e = parse_expression();
      Token close = peek();
      if (close.type != TokenType::kTemplateSeqEnd) {
        if (!recovery_) {
          if (close.type == TokenType::kEOF ||
              ((close.type == TokenType::kCQuote || close.type == TokenType::kOQuote) &&
               end == TokenType::kCQuote)) {
            diags_->error(start_range, "Unclosed template interpolation sequence",
                          "There is no closing brace for this interpolation sequence before the "
                          "end of the quoted template. This might be caused by incorrect nesting "
                          "inside the given expression.");
          } else {
            diags_->error(close.range, "Extra characters after interpolation expression",
                          "Expected a closing brace to end the interpolation expression, but "
                          "found extra characters.");
          }
        }
        recover(TokenType::kTemplateSeqEnd);
      } else {
        read();
        if (close.bytes.size() == 2 && close.bytes[0] == '~') ltrim_next = true;
      }
      pop_newlines();
      TemplatePart p{
          TemplatePart::kInterp, {}, std::move(e), {}, {}, range_between(next.range, close.range)};
      parts.push_back(std::move(p));
      continue;
    }
    if (next.type == TokenType::kTemplateControl) {
      if (can_trim_prev) trim_prev(next);
      push_newlines(false);
      Token kw = peek();
      if (kw.type != TokenType::kIdent) {
        if (!recovery_) {
          diags_->error(kw.range, "Invalid template directive",
                        "A template directive keyword (\"if\", \"for\", etc) is expected at the "
                        "beginning of a %{ sequence.");
        }
        recover(TokenType::kTemplateSeqEnd);
        pop_newlines();
        continue;
      }
      read();
      TemplatePart p{TemplatePart::kLiteral, {}, nullptr, {}, {}, next.range};
      bool ok = true;
      if (kw.bytes == "if") {
        p.kind = TemplatePart::kIf;
        p.expr = parse_expression();
      } else if (kw.bytes == "else") {
        p.kind = TemplatePart::kElse;
      } else if (kw.bytes == "endif") {
        p.kind = TemplatePart::kEndIf;
      } else if (kw.bytes == "endfor") {
        p.kind = TemplatePart::kEndFor;
      } else if (kw.bytes == "for") {
        p.kind = TemplatePart::kFor;
        const char* problem = nullptr;
        if (peek().type != TokenType::kIdent) {
          problem = "For directive requires variable name after 'for'.";
        } else {
          p.val_var = std::string(read().bytes);
          if (peek().type == TokenType::kComma) {
            p.key_var = p.val_var;
            read();
            if (peek().type != TokenType::kIdent) {
              problem = "For directive requires value variable name after comma.";
            } else {
              p.val_var = std::string(read().bytes);
            }
          }
          if (!problem && !(peek().type == TokenType::kIdent && peek().bytes == "in")) {
            problem = "For directive requires 'in' keyword after names.";
          }
        }
        if (problem) {
          if (!recovery_) diags_->error(peek().range, "Invalid 'for' directive", problem);
          recover(TokenType::kTemplateSeqEnd);
          pop_newlines();
          continue;
        }
        read();  // "in"
        p.expr = parse_expression();
      } else {
        ok = false;
        if (!recovery_) {
          diags_->error(
              kw.range, "Invalid template control keyword",
              "\"" + std::string(kw.bytes) + "\" is not a valid template control keyword.");
        }
      }
      if (!ok) {
        recover(TokenType::kTemplateSeqEnd);
        pop_newlines();
        continue;
      }
      p.range = range_between(next.range, peek().range);
      Token close = peek();
      if (close.type != TokenType::kTemplateSeqEnd) {
        if (!recovery_) {
          diags_->error(close.range, "Extra characters in " + std::string(kw.bytes) + " marker",
                        "Expected a closing brace to end the sequence, but found extra "
                        "characters.");
        }
        recover(TokenType::kTemplateSeqEnd);
      } else {
        read();
        if (close.bytes.size() == 2 && close.bytes[0] == '~') ltrim_next = true;
      }
      pop_newlines();
      parts.push_back(std::move(p));
      continue;
    }
    if (!recovery_) {
      diags_->error(next.range, "Unterminated template string",
                    "No closing marker was found for the string.");
    }
    Token final_tok = recover(end);
    end_range = final_tok.range;
    break;
  }
  if (parts.empty()) {
    parts.push_back(
        {TemplatePart::kLiteral, {}, nullptr, {}, {}, Range{start_range.end, start_range.end}});
  }
  parts.push_back({TemplatePart::kEnd, {}, nullptr, {}, {}, end_range});
  if (flush) flush_heredoc(parts);

  bool passthru = parts.size() == 2 && parts[0].kind == TemplatePart::kInterp;
  TemplateNester nester(parts, *diags_);
  std::vector<ExprPtr> items = nester.root();
  Range whole = range_between(open.range, prev_range());
  auto e = std::make_unique<Expr>();
  e->range = whole;
  if (passthru) {
    e->kind = ExprKind::kTemplateWrap;
    e->a = std::move(items[0]);
  } else {
    e->kind = ExprKind::kTemplate;
    e->items = std::move(items);
  }
  return e;
}

}  // namespace strata::hcl

// Expression parsing: operators by precedence, terms, collections, function calls and for
// expressions (traversals are in parser_traversal.cc). Recovery mirrors hclsyntax.
#include "hcl/decimal.h"
#include "hcl/parser_state.h"

namespace strata::hcl {

ExprPtr make_literal(Value v, const Range& r) {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::kLiteral;
  e->value = std::move(v);
  e->range = r;
  return e;
}

ExprPtr make_expr(ExprKind kind, const Range& r) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->range = r;
  return e;
}

ExprPtr make_dynamic(const Range& r) {
  auto e = make_literal(Value(), r);
  e->dynamic = true;
  return e;
}

namespace {

bool is_keyword(const Token& t, std::string_view kw) {
  return t.type == TokenType::kIdent && t.bytes == kw;
}

// Precedence levels, loosest first.
Op binary_op(int level, TokenType t) {
  switch (level) {
    case 0:
      return t == TokenType::kOr ? Op::kOr : Op::kNone;
    case 1:
      return t == TokenType::kAnd ? Op::kAnd : Op::kNone;
    case 2:
      return t == TokenType::kEqualOp    ? Op::kEqual
             : t == TokenType::kNotEqual ? Op::kNotEqual
                                         : Op::kNone;
    case 3:
      return t == TokenType::kLessThan        ? Op::kLess
             : t == TokenType::kLessThanEq    ? Op::kLessEq
             : t == TokenType::kGreaterThan   ? Op::kGreater
             : t == TokenType::kGreaterThanEq ? Op::kGreaterEq
                                              : Op::kNone;
    case 4:
      return t == TokenType::kPlus ? Op::kAdd : t == TokenType::kMinus ? Op::kSub : Op::kNone;
    case 5:
      return t == TokenType::kStar      ? Op::kMul
             : t == TokenType::kSlash   ? Op::kDiv
             : t == TokenType::kPercent ? Op::kMod
                                        : Op::kNone;
    default:
      return Op::kNone;
  }
}
constexpr int kBinaryLevels = 6;

}  // namespace

Value ParserState::number_value(const Token& tok, bool* ok) {
  *ok = Decimal::parse(tok.bytes).has_value();
  if (!*ok) {
    diags_->error(tok.range, "Invalid number literal",
                  "Failed to recognize the value of this number literal.");
    return Value();
  }
  return Value(Number(std::string(tok.bytes)));
}

ExprPtr ParserState::parse_expression() {
  if (!enter_nesting()) {
    --depth_;
    return make_dynamic(peek().range);
  }
  ExprPtr e = parse_ternary();
  --depth_;
  return e;
}

ExprPtr ParserState::parse_ternary() {
  Range start_range = peek().range;
  size_t before = error_count();
  ExprPtr cond = parse_binary_ops(0);
  if (recovery_ && error_count() > before) return cond;
  if (peek().type != TokenType::kQuestion) return cond;
  read();
  before = error_count();
  ExprPtr then_e = parse_expression();
  if (recovery_ && error_count() > before) return cond;
  Token colon = peek();
  if (colon.type != TokenType::kColon) {
    diags_->error(colon.range, "Missing false expression in conditional",
                  "The conditional operator (...?...:...) requires a false expression, "
                  "delimited by a colon.");
    return cond;
  }
  read();
  before = error_count();
  ExprPtr else_e = parse_expression();
  if (recovery_ && error_count() > before) return cond;
  auto e = make_expr(ExprKind::kConditional, range_between(start_range, else_e->range));
  e->cond = std::move(cond);
  e->a = std::move(then_e);
  e->b = std::move(else_e);
  return e;
}

ExprPtr ParserState::parse_binary_ops(int level) {
  if (level >= kBinaryLevels) return parse_with_traversals();
  size_t before = error_count();
  ExprPtr lhs = parse_binary_ops(level + 1);
  if (recovery_ && error_count() > before) return lhs;
  Op operation = Op::kNone;
  ExprPtr rhs;
  for (;;) {
    Op op = binary_op(level, peek().type);
    if (op == Op::kNone) break;
    if (operation != Op::kNone) {
      auto e = make_expr(ExprKind::kBinaryOp, range_between(lhs->range, rhs->range));
      e->op = operation;
      e->a = std::move(lhs);
      e->b = std::move(rhs);
      lhs = std::move(e);
    }
    operation = op;
    read();
    before = error_count();
    rhs = parse_binary_ops(level + 1);
    if (recovery_ && error_count() > before) return lhs;
  }
  if (operation == Op::kNone) return lhs;
  auto e = make_expr(ExprKind::kBinaryOp, range_between(lhs->range, rhs->range));
  e->op = operation;
  e->a = std::move(lhs);
  e->b = std::move(rhs);
  return e;
}

ExprPtr ParserState::parse_with_traversals() { return parse_traversals(parse_term()); }

ExprPtr ParserState::parse_term() {
  Token start = peek();
  switch (start.type) {
    case TokenType::kOParen: {
      Token oparen = read();
      push_newlines(false);
      size_t before = error_count();
      ExprPtr inner = parse_expression();
      if (error_count() > before) {
        recover(TokenType::kCParen);
        pop_newlines();
        return inner;
      }
      Token close = peek();
      if (close.type != TokenType::kCParen) {
        diags_->error(close.range, "Unbalanced parentheses",
                      "Expected a closing parenthesis to terminate the expression.");
        recovery_ = true;
      }
      Token cparen = read();
      pop_newlines();
      auto e = make_expr(ExprKind::kParentheses, range_between(oparen.range, cparen.range));
      e->a = std::move(inner);
      return e;
    }
    case TokenType::kNumberLit: {
      Token tok = read();
      bool ok;
      Value v = number_value(tok, &ok);
      return ok ? make_literal(std::move(v), tok.range) : make_dynamic(tok.range);
    }
    case TokenType::kIdent: {
      Token tok = read();
      if (peek().type == TokenType::kOParen) return parse_function_call(tok);
      if (tok.bytes == "true") return make_literal(Value(true), tok.range);
      if (tok.bytes == "false") return make_literal(Value(false), tok.range);
      if (tok.bytes == "null") return make_literal(Value(), tok.range);
      auto e = make_expr(ExprKind::kScopeTraversal, tok.range);
      TraverseStep root;
      root.kind = TraverseStep::Kind::kRoot;
      root.name = std::string(tok.bytes);
      root.range = tok.range;
      e->traversal.push_back(std::move(root));
      return e;
    }
    case TokenType::kOQuote:
    case TokenType::kOHeredoc: {
      Token open = read();
      return parse_template(open);
    }
    case TokenType::kMinus:
    case TokenType::kBang: {
      Token tok = read();
      if (!enter_nesting()) {
        --depth_;
        return make_dynamic(tok.range);
      }
      ExprPtr operand = parse_with_traversals();
      --depth_;
      auto e = make_expr(ExprKind::kUnaryOp, range_between(tok.range, operand->range));
      e->op = start.type == TokenType::kMinus ? Op::kNegate : Op::kNot;
      e->a = std::move(operand);
      return e;
    }
    case TokenType::kOBrack:
      return parse_tuple_cons();
    case TokenType::kOBrace:
      return parse_object_cons();
    default:
      break;
  }
  if (!recovery_) {
    if (start.type == TokenType::kEOF) {
      diags_->error(start.range, "Missing expression",
                    "Expected the start of an expression, but found the end of the file.");
    } else {
      diags_->error(start.range, "Invalid expression",
                    "Expected the start of an expression, but found an invalid expression "
                    "token.");
    }
  }
  recovery_ = true;
  return make_dynamic(start.range);
}

ExprPtr ParserState::parse_function_call(const Token& name) {
  Token open = read();
  auto call = make_expr(ExprKind::kFunctionCall, name.range);
  call->name = std::string(name.bytes);
  Token close = open;
  push_newlines(false);
  for (;;) {
    if (peek().type == TokenType::kCParen) {
      close = read();
      break;
    }
    size_t before = error_count();
    call->items.push_back(parse_expression());
    if (recovery_ && error_count() > before) {
      close = recover(TokenType::kCParen);
      break;
    }
    Token sep = read();
    if (sep.type == TokenType::kCParen) {
      close = sep;
      break;
    }
    if (sep.type == TokenType::kEllipsis) {
      call->expand_final = true;
      if (peek().type != TokenType::kCParen) {
        if (!recovery_) {
          diags_->error(sep.range, "Missing closing parenthesis",
                        "An expanded function argument (with ...) must be immediately followed "
                        "by closing parentheses.");
        }
        close = recover(TokenType::kCParen);
      } else {
        close = read();
      }
      break;
    }
    if (sep.type != TokenType::kComma) {
      if (sep.type == TokenType::kEOF) {
        diags_->error(range_between(name.range, open.range), "Unterminated function call",
                      "There is no closing parenthesis for this function call before the end of "
                      "the file. This may be caused by incorrect parenthesis nesting elsewhere "
                      "in this file.");
      } else {
        diags_->error(sep.range, "Missing argument separator",
                      "A comma is required to separate each function argument from the next.");
      }
      close = recover(TokenType::kCParen);
      break;
    }
    if (peek().type == TokenType::kCParen) {
      close = read();
      break;
    }
  }
  pop_newlines();
  call->range = range_between(name.range, close.range);
  return call;
}

ExprPtr ParserState::parse_tuple_cons() {
  Token open = read();
  push_newlines(false);
  if (is_keyword(peek(), "for")) {
    ExprPtr e = finish_for_expr(open);
    pop_newlines();
    return e;
  }
  auto tuple = make_expr(ExprKind::kTuple, open.range);
  Token close = open;
  for (;;) {
    if (peek().type == TokenType::kCBrack) {
      close = read();
      break;
    }
    size_t before = error_count();
    tuple->items.push_back(parse_expression());
    if (recovery_ && error_count() > before) {
      close = recover(TokenType::kCBrack);
      break;
    }
    Token next = peek();
    if (next.type == TokenType::kCBrack) {
      close = read();
      break;
    }
    if (next.type != TokenType::kComma) {
      if (!recovery_) {
        if (next.type == TokenType::kEOF) {
          diags_->error(open.range, "Unterminated tuple constructor expression",
                        "There is no corresponding closing bracket before the end of the file. "
                        "This may be caused by incorrect bracket nesting elsewhere in this file.");
        } else {
          diags_->error(next.range, "Missing item separator",
                        "Expected a comma to mark the beginning of the next item.");
        }
      }
      close = recover(TokenType::kCBrack);
      break;
    }
    read();
  }
  pop_newlines();
  tuple->range = range_between(open.range, close.range);
  return tuple;
}

ExprPtr ParserState::parse_object_cons() {
  Token open = read();
  push_newlines(false);
  bool is_for = is_keyword(peek(), "for");
  pop_newlines();
  if (is_for) {
    push_newlines(false);
    ExprPtr e = finish_for_expr(open);
    pop_newlines();
    return e;
  }
  push_newlines(true);
  auto obj = make_expr(ExprKind::kObject, open.range);
  Token close = open;
  for (;;) {
    Token next = peek();
    if (next.type == TokenType::kNewline) {
      read();
      continue;
    }
    if (next.type == TokenType::kCBrace) {
      close = read();
      break;
    }
    bool force_non_literal = next.type == TokenType::kOParen;
    size_t before = error_count();
    ExprPtr key_inner = parse_expression();
    if (recovery_ && error_count() > before) {
      close = recover(TokenType::kCBrace);
      break;
    }
    auto key = make_expr(ExprKind::kObjectKey, key_inner->range);
    key->a = std::move(key_inner);
    key->force_non_literal = force_non_literal;
    next = peek();
    if (next.type != TokenType::kEqual && next.type != TokenType::kColon) {
      if (!recovery_) {
        if (next.type == TokenType::kNewline || next.type == TokenType::kComma) {
          diags_->error(next.range, "Missing attribute value",
                        "Expected an attribute value, introduced by an equals sign (\"=\").");
        } else if (next.type == TokenType::kIdent) {
          diags_->error(next.range, "Missing key/value separator",
                        "Expected an equals sign (\"=\") to mark the beginning of the attribute "
                        "value. If you intended to given an attribute name containing periods or "
                        "spaces, write the name in quotes to create a string literal.");
        } else if (next.type == TokenType::kEOF) {
          diags_->error(open.range, "Unterminated object constructor expression",
                        "There is no corresponding closing brace before the end of the file. "
                        "This may be caused by incorrect brace nesting elsewhere in this file.");
        } else {
          diags_->error(next.range, "Missing key/value separator",
                        "Expected an equals sign (\"=\") to mark the beginning of the attribute "
                        "value.");
        }
      }
      close = recover(TokenType::kCBrace);
      break;
    }
    read();
    before = error_count();
    ExprPtr value = parse_expression();
    if (recovery_ && error_count() > before) {
      close = recover(TokenType::kCBrace);
      break;
    }
    obj->items.push_back(std::move(key));
    obj->items.push_back(std::move(value));
    next = peek();
    if (next.type == TokenType::kCBrace) {
      close = read();
      break;
    }
    if (next.type != TokenType::kComma && next.type != TokenType::kNewline) {
      if (!recovery_) {
        if (next.type == TokenType::kEOF) {
          diags_->error(open.range, "Unterminated object constructor expression",
                        "There is no corresponding closing brace before the end of the file. "
                        "This may be caused by incorrect brace nesting elsewhere in this file.");
        } else {
          diags_->error(next.range, "Missing attribute separator",
                        "Expected a newline or comma to mark the beginning of the next "
                        "attribute.");
        }
      }
      close = recover(TokenType::kCBrace);
      break;
    }
    read();
  }
  pop_newlines();
  obj->range = range_between(open.range, close.range);
  return obj;
}

ExprPtr ParserState::finish_for_expr(const Token& open) {
  push_newlines(false);
  read();  // "for"
  bool make_obj = open.type == TokenType::kOBrace;
  TokenType close_type = make_obj ? TokenType::kCBrace : TokenType::kCBrack;
  auto fail = [&](const char* detail, bool report) {
    if (report && !recovery_) {
      diags_->error(peek().range, "Invalid 'for' expression", detail);
    }
    Token close = recover(close_type);
    pop_newlines();
    return make_dynamic(range_between(open.range, close.range));
  };
  if (peek().type != TokenType::kIdent) {
    return fail("For expression requires variable name after 'for'.", true);
  }
  auto e = make_expr(ExprKind::kFor, open.range);
  e->val_var = std::string(read().bytes);
  if (peek().type == TokenType::kComma) {
    e->key_var = e->val_var;
    read();
    if (peek().type != TokenType::kIdent) {
      return fail("For expression requires value variable name after comma.", true);
    }
    e->val_var = std::string(read().bytes);
  }
  if (!is_keyword(peek(), "in")) {
    return fail("For expression requires the 'in' keyword after its name declarations.", true);
  }
  read();
  size_t before = error_count();
  e->a = parse_expression();
  if (recovery_ && error_count() > before) return fail("", false);
  if (peek().type != TokenType::kColon) {
    return fail("For expression requires a colon after the collection expression.", true);
  }
  read();
  before = error_count();
  ExprPtr first = parse_expression();
  if (peek().type == TokenType::kFatArrow) {
    read();
    e->b = std::move(first);
    e->c = parse_expression();
  } else {
    e->c = std::move(first);
  }
  if (recovery_ && error_count() > before) return fail("", false);
  Range ellipsis_range;
  if (peek().type == TokenType::kEllipsis) {
    ellipsis_range = read().range;
    e->group = true;
  }
  if (is_keyword(peek(), "if")) {
    read();
    before = error_count();
    e->cond = parse_expression();
    if (recovery_ && error_count() > before) return fail("", false);
  }
  Token close;
  if (peek().type == close_type) {
    close = read();
  } else {
    if (!recovery_) {
      diags_->error(peek().range, "Invalid 'for' expression",
                    "Extra characters after the end of the 'for' expression.");
    }
    close = recover(close_type);
  }
  if (!make_obj) {
    if (e->b) {
      diags_->error(e->b->range, "Invalid 'for' expression",
                    "Key expression is not valid when building a tuple.");
    }
    if (e->group) {
      diags_->error(ellipsis_range, "Invalid 'for' expression",
                    "Grouping ellipsis (...) cannot be used when building a tuple.");
    }
  } else if (!e->b) {
    diags_->error(e->c->range, "Invalid 'for' expression",
                  "Key expression is required when building an object.");
  }
  e->range = range_between(open.range, close.range);
  pop_newlines();
  return e;
}

}  // namespace strata::hcl

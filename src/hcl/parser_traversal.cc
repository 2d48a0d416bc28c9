// Traversal parsing: attribute access (a.b), indexing (a[0], a["k"], a[expr]), the legacy
// forms a.0 and a.*.b, and full splats a[*].b. Literal keys become traversal steps so that
// references like var.list[0] stay static, as in hclsyntax.
#include "hcl/parser_state.h"

namespace strata::hcl {
namespace {

// Extends a traversal expression in place, or wraps any other expression.
ExprPtr make_relative_traversal(ExprPtr expr, TraverseStep step) {
  Range r = step.range;
  if (expr->kind == ExprKind::kScopeTraversal || expr->kind == ExprKind::kRelativeTraversal) {
    expr->traversal.push_back(std::move(step));
    expr->range = range_between(expr->range, r);
    return expr;
  }
  auto rel = make_expr(ExprKind::kRelativeTraversal, range_between(expr->range, r));
  rel->a = std::move(expr);
  rel->traversal.push_back(std::move(step));
  return rel;
}

TraverseStep index_step(Value key, const Range& r, bool unknown = false) {
  TraverseStep s;
  s.kind = TraverseStep::Kind::kIndex;
  s.key = std::move(key);
  s.key_unknown = unknown;
  s.range = r;
  return s;
}

TraverseStep attr_step(std::string name, const Range& r) {
  TraverseStep s;
  s.kind = TraverseStep::Kind::kAttr;
  s.name = std::move(name);
  s.range = r;
  return s;
}

}  // namespace

ExprPtr ParserState::parse_traversals(ExprPtr ret) {
  Range from_range = ret->range;
  for (;;) {
    Token next = peek();
    if (next.type == TokenType::kDot) {
      Token dot = read();
      Token attr = peek();
      if (attr.type == TokenType::kIdent) {
        read();
        ret = make_relative_traversal(
            std::move(ret),
            attr_step(std::string(attr.bytes), range_between(dot.range, attr.range)));
      } else if (attr.type == TokenType::kNumberLit) {
        // Legacy "foo.0" index form.
        Token num = read();
        Range r = range_between(dot.range, num.range);
        size_t dot_at = num.bytes.find('.');
        if (dot_at != std::string_view::npos) {
          diags_->error(num.range, "Invalid legacy index syntax",
                        "When using the legacy index syntax, chaining two indexes together is "
                        "not permitted. Use the proper index syntax instead, like [" +
                            std::string(num.bytes.substr(0, dot_at)) + "][" +
                            std::string(num.bytes.substr(dot_at + 1)) + "].");
          ret = make_relative_traversal(std::move(ret), index_step(Value(), r, true));
        } else {
          bool ok;
          ret = make_relative_traversal(std::move(ret), index_step(number_value(num, &ok), r));
        }
      } else if (attr.type == TokenType::kStar) {
        // Attribute-only splat "foo.*.bar".
        Token marker = read();
        Traversal trav;
        Range first_range = peek().range;
        Range last_range = marker.range;
        bool bad = false;
        while (peek().type == TokenType::kDot) {
          Token d = read();
          if (peek().type == TokenType::kNumberLit) {
            Token num = read();
            Range r = range_between(d.range, num.range);
            if (num.bytes.find('.') != std::string_view::npos) {
              diags_->error(attr.range, "Invalid legacy index syntax",
                            "When using the legacy index syntax, chaining two indexes together "
                            "is not permitted. Use the proper index syntax with a full splat "
                            "expression [*] instead.");
              trav.push_back(index_step(Value(), r, true));
            } else {
              bool ok;
              trav.push_back(index_step(number_value(num, &ok), r));
            }
            last_range = num.range;
            continue;
          }
          if (peek().type != TokenType::kIdent) {
            if (!recovery_) {
              if (peek().type == TokenType::kStar) {
                diags_->error(peek().range, "Nested splat expression not allowed",
                              "A splat expression (*) cannot be used inside another "
                              "attribute-only splat expression.");
              } else {
                diags_->error(attr.range, "Invalid attribute name",
                              "An attribute name is required after a dot.");
              }
            }
            recovery_ = true;
            bad = true;
            break;
          }
          Token name = read();
          trav.push_back(attr_step(std::string(name.bytes), range_between(d.range, name.range)));
          last_range = name.range;
        }
        if (bad) continue;
        auto item = make_expr(ExprKind::kAnonSymbol, range_between(dot.range, marker.range));
        ExprPtr each;
        if (trav.empty()) {
          each = std::move(item);
        } else {
          each = make_expr(ExprKind::kRelativeTraversal, range_between(first_range, last_range));
          each->a = std::move(item);
          each->traversal = std::move(trav);
        }
        auto splat = make_expr(ExprKind::kSplat, range_between(from_range, last_range));
        splat->a = std::move(ret);
        splat->b = std::move(each);
        ret = std::move(splat);
      } else {
        diags_->error(attr.range, "Invalid attribute name",
                      "An attribute name is required after a dot.");
        recovery_ = true;
      }
      continue;
    }
    if (next.type == TokenType::kOBrack) {
      Token open = read();
      if (peek().type == TokenType::kStar) {
        read();
        Token close = read();
        if (close.type != TokenType::kCBrack && !recovery_) {
          diags_->error(close.range, "Missing close bracket on splat index",
                        "The star for a full splat operator must be immediately followed by a "
                        "closing bracket (\"]\").");
          close = recover(TokenType::kCBrack);
        }
        auto item = make_expr(ExprKind::kAnonSymbol, range_between(open.range, close.range));
        ExprPtr each = parse_traversals(std::move(item));
        auto splat = make_expr(ExprKind::kSplat, range_between(from_range, each->range));
        splat->a = std::move(ret);
        splat->b = std::move(each);
        ret = std::move(splat);
        continue;
      }
      Token close;
      push_newlines(false);
      size_t before = error_count();
      ExprPtr key = parse_expression();
      if (recovery_ && error_count() > before) {
        close = recover(TokenType::kCBrack);
      } else {
        close = read();
        if (close.type != TokenType::kCBrack && !recovery_) {
          diags_->error(close.range, "Missing close bracket on index",
                        "The index operator must end with a closing bracket (\"]\").");
          close = recover(TokenType::kCBrack);
        }
      }
      pop_newlines();
      Range r = range_between(open.range, close.range);
      bool literal_key = key->kind == ExprKind::kLiteral;
      bool string_key = key->kind == ExprKind::kTemplate && key->items.size() == 1 &&
                        key->items[0]->kind == ExprKind::kLiteral &&
                        key->items[0]->value.is_string();
      if (literal_key) {
        ret = make_relative_traversal(std::move(ret), index_step(key->value, r, key->dynamic));
      } else if (string_key) {
        ret = make_relative_traversal(std::move(ret), index_step(key->items[0]->value, r));
      } else {
        auto idx = make_expr(ExprKind::kIndex, range_between(from_range, r));
        idx->a = std::move(ret);
        idx->b = std::move(key);
        ret = std::move(idx);
      }
      continue;
    }
    break;
  }
  return ret;
}

}  // namespace strata::hcl

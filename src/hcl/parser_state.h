// The parser's internal state: the token cursor (which hides comments, and hides newlines where
// they do not matter), the recovery flag and the diagnostics sink. Private to src/hcl.
#pragma once

#include <vector>

#include "hcl/ast.h"
#include "hcl/token.h"

namespace strata::hcl {

class ParserState {
 public:
  ParserState(const std::vector<Token>& toks, HclDiagnostics& diags)
      : toks_(toks), diags_(&diags) {}

  Token peek() const;
  Token read();
  Range prev_range() const;
  void push_newlines(bool include) { nl_stack_.push_back(include); }
  void pop_newlines() { nl_stack_.pop_back(); }
  bool recovering() const { return recovery_; }

  void parse_body(TokenType end, Body& body);
  ExprPtr parse_expression();
  ExprPtr parse_bare_template();  // the whole token list is one template (lex_template)

 private:
  Token scan(size_t* next_index) const;
  size_t error_count() const;
  Token recover(TokenType end);
  void recover_after_body_item();
  bool enter_nesting();

  void parse_body_item(Body& body);
  void add_attribute(Body& body, Attribute attr);
  Attribute finish_attribute(const Token& ident, bool single_line);
  bool finish_block(const Token& ident, Block& block);
  void parse_single_attr_body(Body& body);
  std::string parse_quoted_string_literal(Range* out_range);

  ExprPtr parse_ternary();
  ExprPtr parse_binary_ops(int level);
  ExprPtr parse_with_traversals();
  ExprPtr parse_traversals(ExprPtr from);
  ExprPtr parse_term();
  ExprPtr parse_function_call(const Token& name);
  ExprPtr parse_tuple_cons();
  ExprPtr parse_object_cons();
  ExprPtr finish_for_expr(const Token& open);
  ExprPtr parse_template(const Token& open);
  Value number_value(const Token& tok, bool* ok);

  const std::vector<Token>& toks_;
  size_t next_ = 0;
  std::vector<bool> nl_stack_{true};
  bool recovery_ = false;
  HclDiagnostics* diags_;
  int depth_ = 0;
  bool too_deep_ = false;
};

// Expression node helpers shared by the parser files.
ExprPtr make_expr(ExprKind kind, const Range& r);
ExprPtr make_literal(Value v, const Range& r);
ExprPtr make_dynamic(const Range& r);

}  // namespace strata::hcl

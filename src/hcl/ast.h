// The HCL native-syntax tree: a Body of Attributes and Blocks whose attribute values are
// Expression trees. Every node keeps its source range. The shapes mirror HCL's hclsyntax so the
// differential test can compare node kinds, ranges and traversals with HashiCorp's library.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hcl/hcl_diagnostic.h"
#include "hcl/source_range.h"
#include "model/value.h"

namespace strata::hcl {

// One step of a traversal such as var.list[0].name.
struct TraverseStep {
  enum class Kind { kRoot, kAttr, kIndex, kSplat };
  Kind kind = Kind::kRoot;
  std::string name;          // kRoot, kAttr
  Value key;                 // kIndex
  bool key_unknown = false;  // kIndex whose key could not be known (legacy "a.0.1" form)
  Range range;
};
using Traversal = std::vector<TraverseStep>;

// "module.vpc.id", "var.list[0]", "data.x[\"k\"]": the form the oracle prints.
std::string traversal_str(const Traversal& t);

enum class ExprKind {
  kLiteral,            // literal: value
  kTemplate,           // parts: items (literals, interpolations, kTemplateIf, kTemplateFor)
  kTemplateWrap,       // "${x}" alone: a
  kScopeTraversal,     // traversal
  kRelativeTraversal,  // a, then traversal
  kFunctionCall,       // name(items...), expand_final
  kConditional,        // cond ? a : b
  kBinaryOp,           // a op b
  kUnaryOp,            // op a
  kTuple,              // [items]
  kObject,             // {items[2i] = items[2i+1]}; keys are kObjectKey
  kObjectKey,          // a, force_non_literal
  kFor,                // [for key_var, val_var in a : b => c ... if cond] (b null for tuples)
  kIndex,              // a[b]
  kSplat,              // a[*] then b (b evaluated per element against kAnonSymbol)
  kAnonSymbol,         // the current splat element
  kParentheses,        // (a)
  kTemplateIf,         // %{if cond} a %{else} b %{endif}; a/b are kTemplate
  kTemplateFor,        // %{for key_var, val_var in a} c %{endfor}; c is kTemplate
};

enum class Op {
  kNone,
  kOr,
  kAnd,
  kEqual,
  kNotEqual,
  kLess,
  kLessEq,
  kGreater,
  kGreaterEq,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kNot,
  kNegate,
};

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  Range range;
  Value value;           // kLiteral
  bool dynamic = false;  // kLiteral placeholder left where a syntax error was
  Op op = Op::kNone;
  std::string name;                // kFunctionCall
  Traversal traversal;             // kScopeTraversal, kRelativeTraversal
  std::string key_var, val_var;    // kFor, kTemplateFor
  bool expand_final = false;       // kFunctionCall: last argument written with "..."
  bool group = false;              // kFor: "..." grouping
  bool force_non_literal = false;  // kObjectKey: key in parentheses
  std::unique_ptr<Expr> a, b, c, cond;
  std::vector<std::unique_ptr<Expr>> items;

  // The hclsyntax Go type name ("BinaryOpExpr", ...), for comparisons with the oracle.
  const char* kind_name() const;
};
using ExprPtr = std::unique_ptr<Expr>;

struct Block;

struct Attribute {
  std::string name;
  ExprPtr expr;
  Range range;  // name through end of expression
  Range name_range;
};

struct Body {
  std::vector<Attribute> attributes;  // source order (names are unique)
  std::vector<Block> blocks;          // source order
  Range range;

  const Attribute* find_attribute(const std::string& name) const;
};

struct Block {
  std::string type;
  std::vector<std::string> labels;
  std::vector<Range> label_ranges;
  Body body;
  Range type_range;
  Range open_brace_range;
  Range close_brace_range;
  Range range() const { return range_between(type_range, close_brace_range); }
};

// A parsed file: its text (the tree's ranges index into it), its body and what went wrong.
struct File {
  std::shared_ptr<const std::string> filename;
  std::string source;
  Body body;
  HclDiagnostics diagnostics;
  // The source text of a range.
  std::string_view text(const Range& r) const {
    return std::string_view(source).substr(r.start.byte, r.end.byte - r.start.byte);
  }
};

}  // namespace strata::hcl

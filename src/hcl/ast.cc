#include "hcl/ast.h"

#include <nlohmann/json.hpp>

namespace strata::hcl {

std::string traversal_str(const Traversal& t) {
  std::string out;
  for (const auto& s : t) {
    switch (s.kind) {
      case TraverseStep::Kind::kRoot:
        out += s.name;
        break;
      case TraverseStep::Kind::kAttr:
        out += "." + s.name;
        break;
      case TraverseStep::Kind::kSplat:
        out += "[*]";
        break;
      case TraverseStep::Kind::kIndex:
        if (s.key_unknown || !(s.key.is_string() || s.key.is_number())) {
          out += "[?]";
        } else if (s.key.is_string()) {
          out += "[" + nlohmann::json(s.key.as_string()).dump() + "]";
        } else {
          out += "[" + s.key.as_number().text() + "]";
        }
        break;
    }
  }
  return out;
}

const char* Expr::kind_name() const {
  switch (kind) {
    case ExprKind::kLiteral:
      return "LiteralValueExpr";
    case ExprKind::kTemplate:
      return "TemplateExpr";
    case ExprKind::kTemplateWrap:
      return "TemplateWrapExpr";
    case ExprKind::kScopeTraversal:
      return "ScopeTraversalExpr";
    case ExprKind::kRelativeTraversal:
      return "RelativeTraversalExpr";
    case ExprKind::kFunctionCall:
      return "FunctionCallExpr";
    case ExprKind::kConditional:
      return "ConditionalExpr";
    case ExprKind::kBinaryOp:
      return "BinaryOpExpr";
    case ExprKind::kUnaryOp:
      return "UnaryOpExpr";
    case ExprKind::kTuple:
      return "TupleConsExpr";
    case ExprKind::kObject:
      return "ObjectConsExpr";
    case ExprKind::kObjectKey:
      return "ObjectConsKeyExpr";
    case ExprKind::kFor:
      return "ForExpr";
    case ExprKind::kIndex:
      return "IndexExpr";
    case ExprKind::kSplat:
      return "SplatExpr";
    case ExprKind::kAnonSymbol:
      return "AnonSymbolExpr";
    case ExprKind::kParentheses:
      return "ParenthesesExpr";
    case ExprKind::kTemplateIf:
      return "ConditionalExpr";
    case ExprKind::kTemplateFor:
      return "TemplateJoinExpr";
  }
  return "?";
}

}  // namespace strata::hcl

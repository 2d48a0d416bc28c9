#include "hcl/variables.h"

#include <string>

namespace strata::hcl {
namespace {

class Walker {
 public:
  explicit Walker(std::vector<VariableRef>& out) : out_(out) {}

  void walk(const Expr* e) {
    if (!e) return;
    switch (e->kind) {
      case ExprKind::kScopeTraversal:
        if (!is_local(e->traversal[0].name)) {
          out_.push_back(
              {e->traversal, range_between(e->traversal.front().range, e->traversal.back().range)});
        }
        return;
      case ExprKind::kFor:
      case ExprKind::kTemplateFor:
        walk(e->a.get());
        scopes_.push_back(e->key_var);
        scopes_.push_back(e->val_var);
        walk(e->b.get());
        walk(e->c.get());
        walk(e->cond.get());
        scopes_.pop_back();
        scopes_.pop_back();
        return;
      case ExprKind::kObjectKey:
        // A bare name as an object key is the key itself, not a reference.
        if (!e->force_non_literal && e->a->kind == ExprKind::kScopeTraversal &&
            e->a->traversal.size() == 1) {
          return;
        }
        walk(e->a.get());
        return;
      case ExprKind::kConditional:
      case ExprKind::kTemplateIf:
        walk(e->cond.get());
        walk(e->a.get());
        walk(e->b.get());
        return;
      default:
        walk(e->a.get());
        walk(e->b.get());
        walk(e->c.get());
        walk(e->cond.get());
        for (const auto& item : e->items) walk(item.get());
    }
  }

 private:
  bool is_local(const std::string& name) const {
    for (const auto& s : scopes_) {
      if (!s.empty() && s == name) return true;
    }
    return false;
  }

  std::vector<VariableRef>& out_;
  std::vector<std::string> scopes_;
};

}  // namespace

std::vector<VariableRef> expr_variables(const Expr& expr) {
  std::vector<VariableRef> out;
  Walker(out).walk(&expr);
  return out;
}

}  // namespace strata::hcl

// The variables an expression refers to (HCL's Expression.Variables()): every traversal rooted
// in a name that is not a local 'for' iteration variable, in source walk order. Used for
// dependency discovery (var.x, module.m.out, data.terraform_remote_state.s.outputs.y).
#pragma once

#include <vector>

#include "hcl/ast.h"

namespace strata::hcl {

struct VariableRef {
  Traversal traversal;
  Range range;  // first step start to last step end
};

std::vector<VariableRef> expr_variables(const Expr& expr);

}  // namespace strata::hcl

// Evaluates HCL expressions to strata::Value. Variables come from an EvalContext (for example
// `var`, `local`, `env` maps) and functions from a FunctionTable; without a context, variables
// and function calls are errors, exactly as in HCL's Value(nil) — which is how constant values
// are folded. Problems become diagnostics on the expression's range, never crashes.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "hcl/ast.h"
#include "hcl/decimal.h"
#include "model/value.h"

namespace strata::hcl {

// Thrown by a function implementation; the evaluator turns it into a diagnostic on the call
// (or on argument `arg` when arg >= 0).
struct FunctionError {
  std::string message;
  int arg = -1;
};

using Function = std::function<Value(const std::vector<Value>& args)>;

class FunctionTable {
 public:
  void add(std::string name, Function f) { functions_[std::move(name)] = std::move(f); }
  const Function* find(const std::string& name) const {
    auto it = functions_.find(name);
    return it == functions_.end() ? nullptr : &it->second;
  }
  std::vector<std::string> names() const;

 private:
  std::map<std::string, Function> functions_;
};

struct EvalContext {
  Value variables = Value::map();            // root name -> value
  const FunctionTable* functions = nullptr;  // nullptr: function calls are errors
};

// Evaluates expr. ctx may be nullptr (constant folding). On error the result is null and at
// least one error is in diags.
Value evaluate(const Expr& expr, const EvalContext* ctx, HclDiagnostics& diags);

// Number helpers shared with the function library.
Decimal to_decimal(const Value& v);  // requires v.is_number()
Value from_decimal(const Decimal& d);

}  // namespace strata::hcl

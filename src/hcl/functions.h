// The HCL standard functions configuration files use (a subset of Terraform's library):
// strings, collections, numbers, encoding and type conversion, plus try() and can(), which the
// evaluator runs lazily because they must see their arguments' errors.
#pragma once

#include "hcl/eval.h"

namespace strata::hcl {

// A table with every function below; build once and share (it is immutable after creation).
FunctionTable standard_functions();

}  // namespace strata::hcl

// Parses HCL native syntax (hclsyntax/spec.md) into a File: a Body tree with source ranges plus
// HCL-style diagnostics. Parsing recovers where HCL does, so one file can report several errors;
// nesting deeper than kMaxNestingDepth is reported instead of exhausting the stack.
#pragma once

#include <string>

#include "hcl/ast.h"

namespace strata::hcl {

inline constexpr int kMaxNestingDepth = 256;

// Parses a whole configuration file. Never throws for bad input; see File::diagnostics.
File parse_config(std::string source, const std::string& filename);

// Parses a standalone expression (as in a .t file's result_type or a CLI -var).
ExprPtr parse_expression(const std::string& source, const std::string& filename,
                         HclDiagnostics& diags);

// Parses a bare template: the whole of source is template text with ${...} and %{...}
// sequences, as in a JSON-syntax string (HCL's ParseTemplate). Ranges count from line 1,
// column 1, byte 0 of source.
ExprPtr parse_template(const std::string& source, HclDiagnostics& diags);

}  // namespace strata::hcl

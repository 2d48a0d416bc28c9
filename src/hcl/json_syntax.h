// HCL's JSON syntax (json/spec.md), read into the same Body structure as native syntax. Without
// a schema, every property of the root object becomes an attribute whose expression is its
// literal value; nested objects stay values (blocks need a schema to be recognised).
#pragma once

#include <string>

#include "hcl/ast.h"

namespace strata::hcl {

File parse_json_config(std::string source, const std::string& filename);

}  // namespace strata::hcl

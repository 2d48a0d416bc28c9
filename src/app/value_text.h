// Variable values as cloudstation.hcl types them: a value as environment text, and a value made
// to fit a variable's type the way Terraform converts ("8080" for a number, 8080 for a string).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/value.h"

namespace strata::app {

// The type names `type = ...` may use; set and tuple read as list, object as map.
inline const std::vector<std::string> kVariableTypes = {
    "string", "number", "bool", "any", "list", "map", "set", "object", "tuple"};

// Strings as they are, numbers as written, bools as true/false; nullopt for lists, maps, null.
std::optional<std::string> scalar_text(const Value& v);

// `value` as a `type` ("string", "number", "bool", "list", "map", "any"); nullopt when it cannot
// be one (a null stays null).
std::optional<Value> convert_to_type(const Value& value, const std::string& type);

}  // namespace strata::app

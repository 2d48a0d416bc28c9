// Evaluation of the expressions tofu-sim understands, with Terraform's types: a value carries its
// type in the JSON form Terraform prints ("string", ["list","string"], ["object",{...}]), and
// whether it is unknown until apply or sensitive.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "model/error.h"
#include "model/value.h"
#include "sim_module.h"

namespace tofu_sim {

struct Typed {
  Value value;
  Value type = Value("dynamic");
  bool unknown = false;
  bool sensitive = false;
};

// What references resolve against: variables and the attributes of resources (by address).
struct EvalScope {
  std::map<std::string, Typed> variables;
  std::map<std::string, std::map<std::string, Typed>> resources;
};

// Evaluates `e`; reports a Terraform-like diagnostic and returns nullopt on a bad reference or
// an unsupported construct.
std::optional<Typed> evaluate(const Expr& e, const EvalScope& scope, strata::Diagnostics& diags);

// The implied type of a known value: literals give tuples and objects, as in Terraform.
Value implied_type(const Value& v);

// Reads a type constraint expression (string, list(number), map(any), object({a=string}), ...).
// nullopt = `any`.
std::optional<Value> type_constraint(const Expr& e, strata::Diagnostics& diags);

// Converts a value to a type constraint (nullopt = any); returns an error message on failure.
std::optional<Typed> convert(const Typed& in, const std::optional<Value>& type, std::string* err);

// A string form of a primitive for templates; nullopt for lists and maps.
std::optional<std::string> primitive_text(const Value& v);

}  // namespace tofu_sim

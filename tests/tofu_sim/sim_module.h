// The part of a Terraform module tofu-sim understands: variables, terraform_data/null_resource
// resources, outputs and the backend. It is read by a small, honest parser of an HCL subset
// (literals, lists, objects, references such as var.x or terraform_data.a.output, "${...}"
// templates of those, and type constraints such as list(string)); anything else inside a block
// the simulator models is reported as unsupported with its file:line:col. Blocks it does not
// model (provider, locals, data, module, ...) are skipped.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/error.h"
#include "model/origin.h"
#include "model/value.h"

namespace tofu_sim {

using strata::Origin;
using strata::Value;

struct Expr {
  enum class Kind { kLiteral, kTemplate, kList, kObject, kRef, kCall };
  Kind kind = Kind::kLiteral;
  Value literal;                    // kLiteral; kTemplate literal parts are kLiteral items
  std::vector<Expr> items;          // kTemplate parts, kList elements, kCall arguments
  std::vector<std::string> keys;    // kObject keys (items hold the values)
  std::vector<std::string> path;    // kRef: {"var","name"}, {"terraform_data","a","output"}
  std::string name;                 // kCall function name
  Origin origin;

  bool is_constant() const;
  // The references Terraform lists in `show -json` configuration ("var.x", "terraform_data.a").
  void collect_references(std::vector<std::string>& out) const;
};

struct Variable {
  std::string name;
  std::optional<Expr> type;
  std::optional<Expr> default_value;
  bool sensitive = false;
  Origin origin;
};

struct Provisioner {
  std::string type;     // "local-exec"
  std::string command;  // local-exec command (a plain string)
  std::string when;     // "" (create) or "destroy"
  Origin origin;
};

struct Resource {
  std::string type;  // "terraform_data", "null_resource"
  std::string name;
  std::map<std::string, Expr> attributes;
  std::vector<std::string> depends_on;  // addresses
  std::vector<Provisioner> provisioners;
  Origin origin;
  std::string address() const { return type + "." + name; }
};

struct Output {
  std::string name;
  Expr value;
  bool sensitive = false;
  Origin origin;
};

struct BackendBlock {
  std::string type;
  Value config = Value::map();
  Origin origin;
};

struct Module {
  std::map<std::string, Variable> variables;
  std::vector<Resource> resources;  // in file order
  std::map<std::string, Output> outputs;
  std::optional<BackendBlock> backend;

  const Resource* find_resource(const std::string& address) const;
};

// Reads every *.tf and *.tf.json file in `dir` (sorted by name). Problems go to `diags`.
Module load_module(const std::string& dir, strata::Diagnostics& diags);

// Parses one file's text into `module` (exposed for tests).
void parse_hcl(const std::string& text, const std::string& filename, Module& module,
               strata::Diagnostics& diags);
void parse_tf_json(const std::string& text, const std::string& filename, Module& module,
                   strata::Diagnostics& diags);

// Parses a standalone expression (a -var value, a TF_VAR_ value, a .tfvars attribute).
std::optional<Expr> parse_expression(const std::string& text, const Origin& origin,
                                     strata::Diagnostics& diags);

// Reads a .tfvars file (HCL attributes) into name -> expression.
std::map<std::string, Expr> parse_tfvars(const std::string& text, const std::string& filename,
                                         strata::Diagnostics& diags);

}  // namespace tofu_sim

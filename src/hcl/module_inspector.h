// What a Terraform module declares, read from its .tf and .tf.json files without running
// anything: the library behind `strata inspect MODULE_DIR` and behind dependency discovery
// (module calls, terraform_remote_state references). Values that are constants are folded;
// everything else is kept as source text plus the references it makes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hcl/ast.h"
#include "model/value.h"

namespace strata::hcl {

struct Reference {
  std::string traversal;           // "var.x", "module.vpc.id", "data.x.y[0].z"
  std::string root;                // "var"
  std::vector<std::string> parts;  // ["var", "x"]
  Origin origin;                   // file:line:col
};

struct AttributeReferences {
  std::string address;  // enclosing block types and labels, then the attribute: "output.id.value"
  std::vector<Reference> refs;
};

struct VariableInfo {
  std::string name;
  std::string type;                    // the type expression as written; empty = any
  std::optional<Value> default_value;  // folded constant; nullopt when absent or not constant
  bool has_default = false;
  std::string description;
  bool sensitive = false;
  std::optional<bool> nullable;
  int validations = 0;
  Origin origin;
};

struct OutputInfo {
  std::string name;
  std::string description;
  bool sensitive = false;
  std::vector<Reference> refs;
  Origin origin;
};

struct ProviderRequirement {
  std::string name;     // local name, e.g. "aws"
  std::string source;   // "hashicorp/aws"
  std::string version;  // constraint
};

struct ProviderConfig {
  std::string name;
  std::string alias;
  Origin origin;
};

struct ModuleCall {
  std::string name;
  std::string source;
  std::string version;
  std::vector<AttributeReferences> inputs;  // address = input name
  Origin origin;
};

struct ResourceInfo {
  std::string mode;  // "managed" or "data"
  std::string type;
  std::string name;
  Origin origin;
};

struct RemoteStateReference {
  std::string state;    // data.terraform_remote_state.<state>
  std::string output;   // .outputs.<output>, empty when the whole outputs map is used
  std::string used_at;  // attribute address
  Reference ref;
};

struct ModuleInfo {
  std::string required_core;  // terraform { required_version }
  std::vector<VariableInfo> variables;
  std::vector<OutputInfo> outputs;
  std::vector<ProviderRequirement> required_providers;
  std::vector<ProviderConfig> providers;
  std::vector<ModuleCall> module_calls;
  std::vector<ResourceInfo> resources;
  std::vector<RemoteStateReference> remote_state_refs;
  std::vector<AttributeReferences> references;  // every attribute of every file, in file order
  Diagnostics diagnostics;                      // parse errors, with file:line:col
};

struct SourceFile {
  std::string path;
  std::string text;
};

// Inspects already-read files (sorted by the caller); a path ending in ".json" is read as HCL's
// JSON syntax with Terraform's block structure. See inspect_module_dir for a folder.
ModuleInfo inspect_sources(const std::vector<SourceFile>& files);

// Reads every *.tf and *.tf.json file directly in dir (sorted by name). Throws strata::Error when
// dir cannot be read.
ModuleInfo inspect_module_dir(const std::string& dir);

// The JSON-like form `strata inspect --json` prints (sorted keys).
Value to_value(const ModuleInfo& info);

}  // namespace strata::hcl

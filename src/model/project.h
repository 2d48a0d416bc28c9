// The Project model: what every front-end (JS stacks, YAML layers, HCL) produces and every later
// stage (resolve, graph, generate, execute) consumes. Values here are unresolved: they may still
// hold templates ({{ }}), secret references (sops://) and component references.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/origin.h"
#include "model/value.h"

namespace strata {

// Names one component of one stack, e.g. a dependency or a state() reference target.
struct ComponentRef {
  std::string stack;
  std::string component;
  Origin origin;  // where the reference was written

  std::string str() const { return stack + "/" + component; }
  bool operator==(const ComponentRef& o) const {
    return stack == o.stack && component == o.component;
  }
  bool operator<(const ComponentRef& o) const {
    return stack != o.stack ? stack < o.stack : component < o.component;
  }
};

struct Backend {
  std::string type;  // "local", "s3", "gcs", ...; empty = none declared
  Value config;      // map; strings may hold templates
  Origin origin;
};

// Commands run around an engine phase (HCL stacks); kept even before anything enforces them.
struct Hooks {
  std::vector<std::string> pre_plan, post_plan, pre_apply, post_apply;
};

struct Component {
  std::string name;
  std::string stack;
  // Module path relative to the project root; "base//sub" copies base and runs in base/sub.
  std::string source;
  Value inputs = Value::map();     // tfvars; may hold templates and references
  Value providers = Value::map();  // provider name -> config map
  std::optional<Backend> backend;  // overrides the stack backend
  std::vector<ComponentRef> depends_on;  // explicit, plus references found by front-ends
  Value mock_outputs = Value::map();     // used by plan when a dependency has no state yet
  // Kompos-style extras: written as provider.tf.json / variables.tfvars.json when set, and the
  // merged config `.tf.versioned` files are rendered with (null = copy them as they are), and
  // the file ending that marks them (.komposconfig.yaml `terraform.versioned_extension`).
  Value provider_json;
  Value versioned_data;
  std::string versioned_extension = ".tf.versioned";
  Origin origin;

  ComponentRef ref() const { return {stack, name, origin}; }
};

struct Stack {
  std::string name;
  // Where the stack came from: the stack file, the config folder or the stack.hcl file.
  std::string source_file;
  std::string kind = "js";          // "js", "yaml" or "hcl"
  Value options = Value::map();     // merged at top level into template data
  Backend backend;
  std::map<std::string, std::string> env;  // applied to every engine run of this stack
  Value metadata = Value::map();
  std::vector<std::string> provider_appends;  // append('providers', [...]) lines
  Value kubeconfig;
  std::string version;  // HCL stacks: the stack's declared version
  std::vector<std::string> policies;
  Hooks hooks;
  std::vector<Component> components;  // declaration order
  Origin origin;

  const Component* find(const std::string& component) const;
  Component* find(const std::string& component);
};

// Stack and component names become folders under the work dir (<work_dir>/<stack>/<component>),
// so they must stay inside it: nullopt for a usable name, else why it is not. A stack name may
// nest with '/' (Kompos stacks are folder paths); a component name may not. No part may be
// empty, "." or "..", start with '.' (strata keeps .runs, .logs and .cache there) or hold a
// backslash or a NUL.
std::optional<std::string> unusable_name(const std::string& name, bool nested);

// Project settings from strata.yaml (or comet.yaml), with DESIGN.md §5 defaults.
// strata.yaml `state_backend:`: where components without a remote backend of their own keep
// their Terraform state instead of a local file — a strata server's (the only type so far), so a
// team shares state without a worker.
struct StateBackendSetting {
  std::string type;        // "server"
  std::string url;         // the server, "https://strata.example.com" (no trailing slash)
  std::string repository;  // the first part of each state's key: the name the server knows it by
  Origin origin;           // the `state_backend:` key in strata.yaml
};

struct Settings {
  std::string engine = "auto";  // "auto" = tofu, then terraform; or a name or a path
  std::string stacks_dir = "stacks";
  std::string config_dir = "config";
  std::string work_dir = ".strata";
  int parallelism = 0;          // 0 = number of cores, at least 2
  std::string plugin_cache;     // empty = per-user cache folder
  bool generate_backend = true;
  std::map<std::string, std::string> env;
  std::optional<StateBackendSetting> state_backend;
  Origin origin;  // the settings file, when there was one
};

struct Project {
  std::string root;  // absolute path
  Settings settings;
  std::map<std::string, Stack> stacks;  // by name

  const Stack* find_stack(const std::string& name) const;
  Stack* find_stack(const std::string& name);
  const Component* find(const ComponentRef& ref) const;
};

}  // namespace strata

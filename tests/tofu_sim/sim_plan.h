// Planning in tofu-sim: input variables resolved as Terraform does (defaults, TF_VAR_*,
// terraform.tfvars, *.auto.tfvars, then -var and -var-file in command-line order), then the
// changes that bring the state to the configuration, and the planned outputs. A plan is saved
// (-out) as tofu-sim's own JSON, readable only by tofu-sim, like Terraform's own plan format.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/error.h"
#include "sim_eval.h"
#include "sim_module.h"
#include "sim_state.h"
#include "sim_ui.h"

namespace tofu_sim {

// -var NAME=VALUE or -var-file=PATH, in command-line order.
struct VarArg {
  bool is_file = false;
  std::string text;
};

// A diagnostic to report with Terraform's summary/detail split.
struct SimDiag {
  std::string severity = "error";
  std::string summary;
  std::string detail;
  strata::Origin origin;
  // Reported after the plan lines, as Terraform does for values it checks during the walk.
  bool deferred = false;
};

std::vector<SimDiag> to_sim_diags(const strata::Diagnostics& diags);

// Resolves every declared variable; raw values are recorded in *raw (for the plan file).
std::optional<std::map<std::string, Typed>> resolve_variables(
    const Module& module, const std::vector<VarArg>& args, const std::string& dir,
    std::vector<SimDiag>& diags, bool require_all);

struct ResourceChange {
  std::string address, type, name;
  std::string action;  // "create", "update", "delete", "replace", "noop"
  Value before;        // attributes before (null when created)
  Value after;         // attributes after; unknown ones are absent, listed in after_unknown
  std::vector<std::string> after_unknown;
  const Resource* config = nullptr;  // null for deletes of orphans
  std::vector<std::string> before_sensitive, after_sensitive;  // attribute names
  std::string reason;  // replace: "cannot_update" or "tainted"; delete: "no_resource_config"
  ResourceRef ref() const;
};

struct OutputChange {
  std::string name;
  std::string action;  // "create", "update", "delete", "noop"
  Typed after;
  bool sensitive = false;
  std::optional<StateOutput> before;
};

struct Plan {
  bool destroy = false;
  std::map<std::string, Typed> variables;
  std::vector<ResourceChange> changes;  // in apply order
  std::vector<OutputChange> outputs;
  Counts counts;
  bool has_changes() const;
};

// Computes the plan. Resources are ordered by their references and depends_on.
std::optional<Plan> make_plan(const Module& module, const State& state,
                              std::map<std::string, Typed> variables, bool destroy,
                              std::vector<SimDiag>& diags);

// Resource attributes as the state stores them, for a resource whose inputs are known.
// Names of sensitive attributes go to *sensitive.
Value resource_attributes(const Resource& r, const EvalScope& scope, const StateResource* prior,
                          bool new_id, std::vector<SimDiag>& diags,
                          std::vector<std::string>* sensitive);
std::string provider_address(const std::string& type);
// The resources `r` depends on (depends_on and references), as Terraform records them.
std::vector<std::string> resource_dependencies(const Module& module, const Resource& r);
std::string implied_provider(const std::string& type);

// Evaluates the module's outputs against final resource attributes.
std::optional<std::map<std::string, StateOutput>> final_outputs(
    const Module& module, const std::map<std::string, Typed>& variables, const State& state,
    std::vector<SimDiag>& diags);

// The scope for evaluating expressions against a state.
EvalScope scope_from_state(const std::map<std::string, Typed>& variables, const State& state);

// Plan files.
bool write_plan_file(const std::string& path, const Plan& plan, const State& prior,
                     const std::string& dir, std::string* err);
struct SavedPlan {
  bool destroy = false;
  std::map<std::string, Typed> variables;
  int serial = 0;
  std::string lineage;
  bool had_state = false;
};
std::optional<SavedPlan> read_plan_file(const std::string& path, std::string* err);

// `show -json PLANFILE` and `show -json` of the state.
std::string plan_document(const Module& module, const Plan& plan, const State& prior,
                          const std::string& version);
std::string state_document(const State& state, const std::string& version);

}  // namespace tofu_sim

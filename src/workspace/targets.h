// Targets: what the words a user gives name — a stack by name, a Kompos config folder, a leaf
// folder naming a component too, `--all`, `--changed` — turned into stacks, components and a
// graph selection, with the errors (and did-you-mean hints) every front door shares.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "graph/selection.h"
#include "model/error.h"
#include "model/project.h"
#include "workspace/workspace.h"

namespace strata::workspace {

// What one STACK word names: a stack by name, or a Kompos config folder (relative to the
// workspace's start folder when it exists there, else to the project root): the stack's folder
// (`config/cloud=aws/env=dev/` names stack `cloud=aws/env=dev`), or a leaf below it
// (`…/composition=terraform/terraform=vpc`), which names component `vpc` as well.
struct StackArgument {
  std::string stack;
  std::string component;  // set for a leaf folder
  // The folder relative to the project root when the argument is one at or below the config
  // folder (which may hold no stack at all, e.g. `config/cloud=aws`); else empty.
  std::string config_folder;
};
StackArgument parse_stack_argument(const Workspace& ws, const std::string& argument);

// The error for a STACK word that names no stack: suggests a near name, or, for an existing
// folder outside config_dir, says that hierarchical YAML is read from config_dir only.
Error unknown_stack(const Workspace& ws, const std::string& argument);

// The error for a component `stack` does not have, with a did-you-mean hint (or where to see
// its components).
Error unknown_component(const Stack& stack, const std::string& name);

// The components `STACK [COMPONENT...]` names (`show`): the stack word may be a leaf folder,
// which names the first component; every component of the stack when none is named. Throws
// unknown_stack() or unknown_component().
std::vector<ComponentRef> named_components(const Workspace& ws, const std::vector<std::string>& words);

// `graph STACK...`: those stacks and what they depend on; every component when `words` is
// empty. Unknown stacks are reported by select().
SelectionSpec stacks_with_dependencies(const Workspace& ws, const std::vector<std::string>& words);

// The stacks the words name, in the order given; every stack when `words` is empty. Throws
// unknown_stack() for a word that names none.
std::vector<const Stack*> named_stacks(const Workspace& ws, const std::vector<std::string>& words);

// For commands about one component (`output`, `run`): `STACK COMPONENT …` or `LEAF …`, where
// `first` is a stack name or folder, or a Kompos leaf folder (which names the component too) and
// `second` the next word (empty when none). `second_used` says whether `second` named the
// component (false for a leaf folder: the words after it shift by one). Throws an Error for an
// unknown stack or component, a folder that is neither a stack nor a leaf, and a missing
// component; `usage` ("strata output") goes into hints.
struct ComponentArgument {
  ComponentRef ref;
  bool second_used = true;
};
ComponentArgument parse_component_arguments(const Workspace& ws, const std::string& first,
                                            const std::string& second, const std::string& usage);

// The selection flags of plan/apply/…: `STACK [COMPONENT...]`, --all, --changed [--base],
// --include-deps.
struct TargetFlags {
  std::vector<std::string> words;  // STACK [COMPONENT...]
  bool all = false;
  bool include_deps = false;
  bool changed = false;
  std::string base = "HEAD";
};
// The project's stack names, or the component names of `stack` (none when it has no such
// stack): what a shell completes after `strata plan`.
std::vector<std::string> target_names(const Workspace& ws, const std::string* stack);
// Whether the flags name exactly one component (STACK COMPONENT, or a component's leaf folder):
// `strata run` then passes its output through as it is. A stack, several components, --all,
// --changed or --include-deps name a selection.
bool names_one_component(const Workspace& ws, const TargetFlags& flags);
// Narrows the workspace to what the flags need (Workspace::focus): the named stack and every
// stack it references, transitively. --all, --changed and no target keep everything.
void focus_on_targets(Workspace& ws, const TargetFlags& flags);
// `stack_name` and every stack its components reference, transitively: what focus() must keep
// for that stack to resolve.
std::set<std::string> stacks_needed_by(const Project& project, const std::string& stack_name);

// The graph selection those flags ask for; throws an Error for contradictory or missing ones.
// Unknown names are reported when the selection is applied to the graph (select()).
SelectionSpec selection_spec(const Workspace& ws, const TargetFlags& flags);

}  // namespace strata::workspace

// Which components a change touches: the link between git history and `--changed`. A component
// changed when a file of its module source, its stack file, one of its YAML config layers or
// the project settings file differs from the base revision. Dependents are added by the
// selection (with_dependents), not here.
#pragma once

#include <string>
#include <vector>

#include "model/project.h"

namespace strata {

struct ChangedComponent {
  ComponentRef ref;
  // Why, for the user: "module files changed: modules/vpc/main.tf", "stack file changed: ...".
  std::vector<std::string> reasons;
};

// The components of `project` touched by `changed` (absolute file paths, as changed_files
// returns them), in stack then declaration order.
std::vector<ChangedComponent> components_touched_by(const Project& project,
                                                    const std::vector<std::string>& changed);

// changed_files(repo_dir, base_ref) mapped onto the project's components.
std::vector<ChangedComponent> changed_components(const Project& project,
                                                 const std::string& repo_dir,
                                                 const std::string& base_ref);

}  // namespace strata

// What `validate` finds by reading each component's module (strata's own module inspector, no
// engine): a module folder that does not exist, at the component's position; inputs the module
// does not declare (a warning: Terraform ignores them with "Value for undeclared variable");
// required variables no input sets (plan would stop at "No value for required variable"); and
// references to outputs the referenced component's module does not declare.
#pragma once

#include <map>
#include <string>

#include "model/error.h"
#include "model/project.h"

namespace strata::workspace {

// Adds what it finds to `diagnostics`. `env` is the run's environment (a TF_VAR_x sets x).
void check_modules(const Project& project, const std::map<std::string, std::string>& env, Diagnostics& diagnostics);

}  // namespace strata::workspace

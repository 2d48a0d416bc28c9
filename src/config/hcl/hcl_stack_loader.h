// The HCL front-end (Stackly): a file `stack.hcl` at a module's root declares a stack whose one
// component is that module.
//
//   stack "network-prod" {
//     version   = "1.2.0"
//     policies  = ["no-public-buckets"]
//     variables {
//       cidr = "10.0.0.0/16"
//       name = "net-${env.USER}"
//     }
//     hooks {
//       pre_plan   = ["./scripts/check.sh"]
//       post_apply = ["echo applied"]
//     }
//     backend "local" {        # optional; none = the engine's default (local state)
//       path = "terraform.tfstate"
//     }
//   }
//
// Expressions are evaluated with HCL's standard functions and `env` (the run's environment).
// The component is named after the module's folder; its inputs are the variables.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "model/error.h"
#include "model/project.h"

namespace strata::hcl_stacks {

// Every stack.hcl under `root` (absolute), sorted, skipping hidden folders, node_modules and the
// folders in `skip` (absolute).
std::vector<std::string> find_stack_hcl_files(const std::string& root, const std::vector<std::string>& skip);

// Reads each file and adds its stack to `stacks`; problems become diagnostics with file:line:col.
void load_hcl_stacks(const std::string& root, const std::vector<std::string>& files,
                     const std::map<std::string, std::string>& environment,
                     std::map<std::string, Stack>& stacks, Diagnostics& diagnostics);

}  // namespace strata::hcl_stacks

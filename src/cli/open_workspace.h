// How the CLI opens its workspace: the current folder (after -C) and the process's environment
// are the inputs; stack files' print() goes to stderr; warnings are printed and the first
// error is thrown (validate asks for none of that and reports everything itself).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/environment.h"
#include "cli/globals.h"
#include "execute/component_runner.h"
#include "workspace/targets.h"
#include "workspace/workspace.h"

namespace strata::cli {

using strata::process_environment;  // base/environment.h

std::unique_ptr<workspace::Workspace> open_workspace(const Globals& globals, bool throw_on_errors = true);
// Prints the warnings, then throws the first error.
void report_problems(const Globals& globals, const workspace::Workspace& ws);
// For commands on a selection: the workspace narrowed to the stacks `targets` need
// (workspace::focus_on_targets), so a problem in a stack they do not need is a warning.
std::unique_ptr<workspace::Workspace> open_workspace_for(const Globals& globals, const workspace::TargetFlags& targets);

// The engine for `op` (workspace::engine_for), with a banner on stderr when it is the simulator.
std::unique_ptr<Engine> make_engine(const Globals& globals, const workspace::Workspace& ws,
                                    Operation op = Operation::kPlan);

// The --help footer of commands about one component (`output`, `run`): the folder forms of
// STACK, then `tail`, that command's own leaf-folder usage.
std::string component_folder_forms(const std::string& tail);

}  // namespace strata::cli

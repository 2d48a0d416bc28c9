// Reads a component's root module outputs straight from its local state file — the answer
// `output -json` gives, without starting the engine — when that is certain to be the same answer:
// the backend init recorded is the local one (or none), the default workspace is selected, and
// nothing in the environment moves the data folder, the workspace or the state, or encrypts it.
// Anything else (another backend, a workspace, OpenTofu's state encryption, a state of another
// format, a file being rewritten) returns nullopt, and the caller asks the engine as before.
// Terragrunt offers the same shortcut for S3 behind a flag; for local state it is exact.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "engine/output_json.h"

namespace strata {

// `variable(name)`: the value the engine would see for an environment variable, if set.
using EngineVariable = std::function<std::optional<std::string>(const std::string& name)>;

// The outputs of the state `run_dir` uses, as parse_output_json() reads them from `output -json`
// (sensitive ones marked); an absent or empty state has none (as the engine says: `{}`).
std::optional<std::map<std::string, EngineOutput>> read_local_state_outputs(const std::string& run_dir,
                                                                            const EngineVariable& variable);

}  // namespace strata

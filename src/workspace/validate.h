// Validate: every problem of a project — what loading found, plus the notes only `strata
// validate` gives (a Kompos project without its config folder, .komposconfig.yaml settings of
// Kompos's other runners that strata leaves alone), so plans and applies stay quiet about them.
#pragma once

#include <cstddef>

#include "workspace/workspace.h"

namespace strata::workspace {

struct ValidationReport {
  size_t stacks = 0;
  size_t components = 0;
  size_t errors = 0;  // diagnostics of severity error; the problems are ws.diagnostics()
  bool ok() const { return errors == 0; }
};

// Adds validate's own notes to ws.diagnostics() and counts what loaded.
ValidationReport validate(Workspace& ws);

}  // namespace strata::workspace

// Project settings files: strata.yaml (DESIGN.md §5) and, for Comet projects without one,
// comet.yaml (tf_command, stacks_dir, work_dir, generate_backend, env). Unknown keys are errors
// with file:line:col and a did-you-mean hint.
#pragma once

#include <string>

#include "model/error.h"
#include "model/project.h"

namespace strata::config {

// `path` is read; `display` is how origins name it. Throws strata::Error. With `unknown_keys`,
// every unknown setting is added there (all of them, each at its line) instead of throwing at
// the first.
Settings read_strata_yaml(const std::string& path, const std::string& display, Diagnostics* unknown_keys = nullptr);
Settings read_comet_yaml(const std::string& path, const std::string& display, Diagnostics* unknown_keys = nullptr);

}  // namespace strata::config

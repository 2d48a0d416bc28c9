// Project settings files: strata.yaml (DESIGN.md §5) and, for Comet projects without one,
// comet.yaml (tf_command, stacks_dir, work_dir, generate_backend, env). Unknown keys are errors
// with file:line:col and a did-you-mean hint.
#pragma once

#include <string>

#include "model/project.h"

namespace strata::config {

// `path` is read; `display` is how origins name it. Throws strata::Error.
Settings read_strata_yaml(const std::string& path, const std::string& display);
Settings read_comet_yaml(const std::string& path, const std::string& display);

}  // namespace strata::config

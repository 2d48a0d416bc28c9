// Writes providers_gen.tf: provider configuration as deterministic HCL text (sorted keys,
// proper string escaping, nested maps as blocks, lists of maps as repeated blocks, values that
// start with var./local./data./module. kept as expressions, appended lines last).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "generate/component_files.h"

namespace strata {

// The whole providers_gen.tf text, or "" when there is nothing to write.
std::string render_providers_file(const ComponentFiles& files);

}  // namespace strata

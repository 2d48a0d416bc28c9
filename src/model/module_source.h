// A component's module source as stack files write it: "modules/net//vpc" is the package folder
// "modules/net" (mirrored into the workdir whole, so relative module calls keep working) and the
// folder "vpc" inside it where the engine runs. Terraform's own "//" convention.
#pragma once

#include <string>

namespace strata {

struct ModuleSource {
  std::string package;  // what comes before the first "//", or the whole source
  std::string subdir;   // what comes after it; "" when there is no "//"
};

// Splits `source` at its first "//".
ModuleSource split_module_source(const std::string& source);

}  // namespace strata

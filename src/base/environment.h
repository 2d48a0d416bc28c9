// The process's own environment as a map. Libraries take the environment as an input (a server
// runs projects with environments of their own); only the edges — the CLI, a loader called
// without one — read the process's, through this.
#pragma once

#include <map>
#include <string>

namespace strata {

std::map<std::string, std::string> process_environment();

}  // namespace strata

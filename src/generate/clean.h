// Cleaning workdirs: everything generation or the engine put there goes, except state. Kept:
// terraform.tfstate, terraform.tfstate.backup, terraform.tfstate.d/ (and the lock file, which is
// held while cleaning so no run is using the workdir).
#pragma once

#include <string>
#include <vector>

namespace strata {

struct CleanResult {
  std::vector<std::string> removed;  // relative to the workdir
  std::vector<std::string> kept;     // state files left in place
};

// Throws strata::Error when another strata holds the workdir's lock.
CleanResult clean_workdir(const std::string& workdir, const std::string& display_name);

}  // namespace strata

// Finds the OpenTofu/Terraform binary strata runs: --engine / STRATA_ENGINE / strata.yaml
// `engine:` first, else `tofu`, then `terraform` on PATH. tofu-sim (the test simulator) is never
// picked unless it is named explicitly.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace strata {

struct EngineChoice {
  std::string path;      // absolute path of the binary
  std::string name;      // "tofu", "terraform" or "tofu-sim"
  bool simulated = false;  // true for tofu-sim
  std::string source;    // what picked it: "--engine", "STRATA_ENGINE", "strata.yaml", "PATH"
};

// `requested`: the value of --engine or strata.yaml `engine:` ("" or "auto" = search).
// `env` is the run's environment: STRATA_ENGINE and PATH are read from it, never from the
// process. Returns nullopt when nothing is found; throws strata::Error when a named engine is
// missing.
std::optional<EngineChoice> locate_engine(const std::string& requested,
                                          const std::string& requested_source,
                                          const std::map<std::string, std::string>& env);

// Searches `path_list` (a PATH value; "" = /usr/local/bin:/usr/bin:/bin) for an executable;
// returns its absolute path. A name with a '/' is checked as it is.
std::optional<std::string> find_on_path(const std::string& name, const std::string& path_list);

}  // namespace strata

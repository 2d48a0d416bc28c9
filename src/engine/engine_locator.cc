#include "engine/engine_locator.h"

#include <filesystem>

#include "base/executable_search.h"
#include "model/error.h"

namespace strata {

namespace fs = std::filesystem;

std::optional<std::string> find_on_path(const std::string& name, const std::string& path_list) {
  auto found = find_executable(name, path_list.empty() ? "/usr/local/bin:/usr/bin:/bin" : path_list);
  if (!found) return std::nullopt;
  return fs::absolute(*found).lexically_normal().string();
}

static EngineChoice make_choice(const std::string& path, const std::string& source) {
  EngineChoice c;
  c.path = path;
  std::string base = fs::path(path).filename().string();
  c.simulated = base.find("tofu-sim") != std::string::npos;
  c.name = c.simulated ? "tofu-sim" : (base.find("terraform") != std::string::npos ? "terraform" : "tofu");
  c.source = source;
  return c;
}

std::optional<EngineChoice> locate_engine(const std::string& requested,
                                          const std::string& requested_source,
                                          const std::map<std::string, std::string>& env) {
  std::string want = requested;
  std::string source = requested_source;
  if (want.empty() || want == "auto") {
    if (auto it = env.find("STRATA_ENGINE"); it != env.end() && !it->second.empty() && it->second != "auto") {
      want = it->second;
      source = "STRATA_ENGINE";
    }
  }
  auto path = env.find("PATH");
  const std::string path_list = path == env.end() ? "" : path->second;
  if (!want.empty() && want != "auto") {
    auto found = find_on_path(want, path_list);
    if (!found) {
      throw Error(
          ErrorKind::kEnvironment,
          "engine \"" + want + "\" (from " + source + ") was not found or is not executable", {},
          "install OpenTofu or Terraform, or point " + source + " at the binary");
    }
    return make_choice(*found, source);
  }
  for (const char* name : {"tofu", "terraform"}) {
    if (auto found = find_on_path(name, path_list)) return make_choice(*found, "PATH");
  }
  return std::nullopt;
}

}  // namespace strata

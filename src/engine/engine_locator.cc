#include "engine/engine_locator.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "model/error.h"

namespace strata {

namespace fs = std::filesystem;

std::optional<std::string> find_on_path(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) == 0) return fs::absolute(name).lexically_normal().string();
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    std::string dir = p.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate)) {
      return fs::absolute(candidate).lexically_normal().string();
    }
    start = end + 1;
  }
  return std::nullopt;
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
                                          const std::string& requested_source) {
  std::string want = requested;
  std::string source = requested_source;
  if (want.empty() || want == "auto") {
    if (const char* env = std::getenv("STRATA_ENGINE"); env && *env && std::string(env) != "auto") {
      want = env;
      source = "STRATA_ENGINE";
    }
  }
  if (!want.empty() && want != "auto") {
    auto found = find_on_path(want);
    if (!found) {
      throw Error("engine \"" + want + "\" (from " + source + ") was not found or is not executable",
                  {}, "install OpenTofu or Terraform, or point " + source + " at the binary");
    }
    return make_choice(*found, source);
  }
  for (const char* name : {"tofu", "terraform"}) {
    if (auto found = find_on_path(name)) return make_choice(*found, "PATH");
  }
  return std::nullopt;
}

}  // namespace strata

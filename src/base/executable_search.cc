#include "base/executable_search.h"

#include <unistd.h>

#include <filesystem>
#include <system_error>

namespace strata {

std::optional<std::string> find_executable(const std::string& name, const std::string& path_list) {
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) == 0) return name;
    return std::nullopt;
  }
  size_t start = 0;
  while (start <= path_list.size()) {
    size_t end = path_list.find(':', start);
    if (end == std::string::npos) end = path_list.size();
    std::string dir = path_list.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    std::error_code ec;
    if (::access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate, ec))
      return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace strata

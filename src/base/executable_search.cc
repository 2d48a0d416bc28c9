#include "base/executable_search.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace strata {

std::string unusable_reason(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return std::strerror(errno);
  if (S_ISDIR(st.st_mode)) return "it is a directory";
  if (!S_ISREG(st.st_mode)) return "it is not a regular file";
  if (::access(path.c_str(), X_OK) != 0) return "it is not executable (" + std::string(std::strerror(errno)) + ")";
  return {};
}

std::optional<std::string> search_path(const std::string& name, const std::string& path_list, const std::string& cwd,
                                       std::string* problem) {
  size_t start = 0;
  while (start <= path_list.size()) {
    size_t end = path_list.find(':', start);
    if (end == std::string::npos) end = path_list.size();
    std::string dir = path_list.substr(start, end - start);
    start = end + 1;
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    std::string at = cwd.empty() || dir.front() == '/' ? candidate : cwd + "/" + candidate;
    std::string why = unusable_reason(at);
    if (why.empty()) return candidate;
    // A file that exists but cannot be run explains more than "not found".
    if (problem && problem->empty() && ::access(at.c_str(), F_OK) == 0)
      *problem = std::filesystem::absolute(at).lexically_normal().string() + ": " + why;
  }
  return std::nullopt;
}

std::optional<std::string> find_executable(const std::string& name, const std::string& path_list) {
  if (name.find('/') != std::string::npos) {
    if (unusable_reason(name).empty()) return name;
    return std::nullopt;
  }
  return search_path(name, path_list);
}

}  // namespace strata

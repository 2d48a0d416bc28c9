#include "base/file_walk.h"

#include <algorithm>

namespace strata {

namespace fs = std::filesystem;

std::vector<std::string> find_files(const std::string& root, const std::vector<std::string>& skip,
                                    const std::function<bool(const fs::path&)>& wanted) {
  std::vector<std::string> files;
  std::error_code ec;
  auto options = fs::directory_options::skip_permission_denied;
  for (auto it = fs::recursive_directory_iterator(root, options, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& p = it->path();
    if (it->is_directory(ec)) {
      std::string name = p.filename().string();
      if (name == "node_modules" || name.starts_with(".") ||
          std::find(skip.begin(), skip.end(), p.string()) != skip.end()) {
        it.disable_recursion_pending();
      }
      continue;
    }
    if (it->is_regular_file(ec) && wanted(p)) files.push_back(p.string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace strata

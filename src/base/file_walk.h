// Finding a front-end's files in a project tree.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace strata {

// The regular files under `root` (absolute paths, sorted) for which `wanted` is true. Hidden
// folders (.git, .terraform, .strata, ...), node_modules and the folders in `skip` (absolute)
// are not searched; a missing or unreadable `root` gives no files.
std::vector<std::string> find_files(const std::string& root, const std::vector<std::string>& skip,
                                    const std::function<bool(const std::filesystem::path&)>& wanted);

}  // namespace strata

// Finding a program the way exec does: by its own path when it names one, else along a PATH
// list. The list is a parameter, so a caller can search the PATH of an environment it builds
// for a child process rather than its own.
#pragma once

#include <optional>
#include <string>

namespace strata {

// `name` itself when it holds a '/' and is executable; otherwise the first `dir/name` that is an
// executable file (not a folder) for the dirs of `path_list`, a colon-separated PATH value in
// which an empty entry is the current directory ("."). The path is returned as found, not made
// absolute; nullopt when there is none.
std::optional<std::string> find_executable(const std::string& name, const std::string& path_list);

}  // namespace strata

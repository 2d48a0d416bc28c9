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

// Why `path` cannot be run: "" when it is a regular file this process may execute, else the
// reason ("it is a directory", "it is not executable (Permission denied)", or why it cannot be
// read at all).
std::string unusable_reason(const std::string& path);

// The PATH walk every caller shares (find_executable, and Subprocess for its child): the first
// `dir/name` for the dirs of `path_list` (an empty entry is ".") that unusable_reason() accepts,
// relative dirs taken from `cwd` when it is given. Returned as `dir/name`. With `problem`, the
// first candidate that exists but cannot be run is described there ("DIR/NAME: it is …").
std::optional<std::string> search_path(const std::string& name, const std::string& path_list,
                                       const std::string& cwd = "", std::string* problem = nullptr);

}  // namespace strata

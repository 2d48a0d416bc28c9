// Whole-file reads and crash-safe writes. Generation rewrites many files on every run; writing
// through a temporary file and rename() means a reader (or a crash) never sees half a file, and
// skipping identical content keeps mtimes stable so repeated generation is cheap and quiet.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

namespace strata {

// Makes `path` hold exactly `content` with permission bits `mode` (applied as given, not masked
// by the umask, so 0600 for plan files really is 0600). Writes a temporary file in the same
// directory, fsyncs it, renames it over `path` and fsyncs the directory.
// If `path` already holds exactly `content`, nothing is written and its mtime is kept; only a
// differing mode is corrected. Returns true when the content was written.
// Throws strata::Error naming the path and the system's reason (the directory must exist).
bool write_file_atomic(const std::string& path, std::string_view content, mode_t mode = 0644);

// Returns the whole content of `path`. Throws strata::Error naming the path and the reason.
std::string read_file(const std::string& path);

}  // namespace strata

// Whole-file reads and crash-safe writes. Generation rewrites many files on every run; writing
// through a temporary file and rename() means a reader (or a crash) never sees half a file, and
// skipping identical content keeps mtimes stable so repeated generation is cheap and quiet.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <optional>
#include <filesystem>
#include <string>
#include <string_view>

#include "model/error.h"

namespace strata {

// Whether a write must survive a power loss. rename() alone already means a crash of strata never
// leaves half a file; fsync on top costs a disk flush per file, which dominated generating
// thousands of workdirs (2 fsyncs x 64,000 files: 20 s of a 24 s run). Files that are derived and
// rewritten by the next run (generated Terraform files, manifests, init stamps) use kRenameOnly.
enum class Durability { kFsync, kRenameOnly };

// What the caller knows about `path` before writing it.
enum class Previous {
  kMayExist,  // compare with what is there: identical content is not rewritten
  kReplace,   // write without looking: nothing is there (a folder the caller just created), or
              // the caller already knows it differs
};

// Makes `path` hold exactly `content` with permission bits `mode` (applied as given, not masked
// by the umask, so 0600 for plan files really is 0600). Writes a temporary file in the same
// directory and renames it over `path`; with Durability::kFsync it also fsyncs the file before
// the rename and the directory after it.
// If `path` already holds exactly `content`, nothing is written and its mtime is kept; only a
// differing mode is corrected. Returns true when the content was written. `after`, when given,
// receives the file's stat once the call is done (saving the caller a stat of its own).
// Throws strata::Error naming the path and the system's reason (the directory must exist).
bool write_file_atomic(const std::string& path, std::string_view content, mode_t mode = 0644,
                       Durability durability = Durability::kFsync,
                       Previous previous = Previous::kMayExist, struct stat* after = nullptr);

// The same for `rel` inside the directory open as `dirfd` (an O_PATH handle will do; AT_FDCWD
// for the current one), named `shown` in errors. Saves the kernel walking the whole path again
// for each of the calls a write takes.
bool write_file_atomic_at(int dirfd, const std::string& rel, const std::string& shown,
                          std::string_view content, mode_t mode, Durability durability,
                          Previous previous, struct stat* after = nullptr);

// Returns the whole content of `path`. Throws strata::Error naming the path and the reason.
std::string read_file(const std::string& path);
// The same, with "-" meaning standard input (read to its end).
std::string read_file_or_stdin(const std::string& path);

// The same without throwing, for callers that word their own error or skip a file they cannot
// read: false, with errno set (ENOENT when `path` does not exist), when it cannot be read.
bool try_read_file(const std::string& path, std::string& out);

// The error for a failed file operation: "cannot <what> '<path>': <strerror>", of kind
// environment (user input for a missing path), with what to do for a full disk, a read-only
// file system or a permission problem.
Error file_error(const std::string& what, const std::string& path, int err);
// The same for a std::filesystem error ("cannot create directories '<path>': Read-only file
// system" instead of "filesystem error: ... [path]").
Error file_error(const std::filesystem::filesystem_error& e);

// The same as read_file, but nullopt when `path` does not exist (other failures still throw).
// `mode`, when given, receives the permission bits of a regular file, or ~0 for anything else.
std::optional<std::string> read_file_if_exists(const std::string& path, mode_t* mode = nullptr);

}  // namespace strata

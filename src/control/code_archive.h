// Code archives: how `strata worker` gets the files of a run's commit (DESIGN §11.3). The
// server packs a commit of its git cache as a gzip'd tar (GitCache::archive); the worker
// unpacks it into the activity's fresh folder. Unpacking is defensive whatever the sender:
// no absolute paths, no "..", nothing written through a symlink, only regular files, folders
// and symlinks, and a size limit.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

namespace strata::control {

inline constexpr const char* kCodeArchiveType = "application/gzip";

// Builds a .tar.gz in memory: `visit` is called with an `add` function taking (path relative to
// the archive root, mode, data, symlink target) for each entry — folders end with '/'.
struct ArchiveEntry {
  std::string path;    // "modules/m/main.tf"; folders "modules/"
  unsigned mode = 0644;
  std::string data;    // a regular file's content
  std::string target;  // a symlink's target ("" = not a symlink)
};
std::string write_code_archive(const std::function<void(const std::function<void(const ArchiveEntry&)>&)>& visit);

// Unpacks `archive` into `dest` (an existing, empty folder). Throws an Error (kind environment)
// naming the entry for an archive that is damaged, too large (`max_bytes` unpacked), or holds
// an entry that would land outside `dest`.
void unpack_code_archive(const std::string& archive, const std::string& dest,
                         size_t max_bytes = size_t{2} * 1024 * 1024 * 1024);

}  // namespace strata::control

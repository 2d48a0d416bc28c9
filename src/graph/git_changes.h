// The files that differ between a git revision and the working tree (through libgit2): the raw
// material of `--changed --base REF`.
#pragma once

#include <string>
#include <vector>

namespace strata {

// Absolute, normalised paths of every file added, modified, deleted or renamed (both names)
// between `base_ref` (any revision git understands: a branch, tag, sha, HEAD~2) and the working
// tree of the repository containing `repo_dir`, uncommitted and untracked (not ignored) files
// included. Sorted. Throws strata::Error when `repo_dir` is not in a repository or the revision
// is unknown. Nothing under `skip_dirs` (absolute; strata's own work dir) is looked at or
// returned: untracked, they are ignored for this call as if .gitignore named them, so git's walk
// does not enter them (10,000 workdirs are 75,000 files: 4.3 s of the walk).
std::vector<std::string> changed_files(const std::string& repo_dir, const std::string& base_ref,
                                       const std::vector<std::string>& skip_dirs = {});

}  // namespace strata

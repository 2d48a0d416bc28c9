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
// is unknown.
std::vector<std::string> changed_files(const std::string& repo_dir, const std::string& base_ref);

}  // namespace strata

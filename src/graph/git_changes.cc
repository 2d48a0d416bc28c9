#include "graph/git_changes.h"

#include <algorithm>
#include <filesystem>
#include <memory>

#include "base/libgit2_handles.h"
#include "model/error.h"

namespace strata {

using git2::DiffPtr;
using git2::ObjectPtr;
using git2::RepoPtr;
using git2::TreePtr;

std::vector<std::string> changed_files(const std::string& repo_dir, const std::string& base_ref,
                                       const std::vector<std::string>& skip_dirs) {
  git2::Library lib;
  git_repository* raw_repo = nullptr;
  if (git_repository_open_ext(&raw_repo, repo_dir.c_str(), 0, nullptr) != 0)
    throw Error("cannot find a git repository at " + repo_dir + ": " + git2::last_error(), {},
                "--changed compares against git history; run strata inside a git checkout");
  RepoPtr repo(raw_repo);
  const char* workdir = git_repository_workdir(repo.get());
  if (!workdir)
    throw Error("the git repository at " + repo_dir + " is bare", {},
                "--changed needs a checkout with a working tree");

  git_object* raw_object = nullptr;
  if (git_revparse_single(&raw_object, repo.get(), base_ref.c_str()) != 0)
    throw Error(ErrorKind::kNotFound,
                "unknown git revision \"" + base_ref + "\": " + git2::last_error(), {},
                "check --base; a remote branch may need `git fetch` first (e.g. origin/main)");
  ObjectPtr object(raw_object);
  git_object* raw_tree = nullptr;
  if (git_object_peel(&raw_tree, object.get(), GIT_OBJECT_TREE) != 0)
    throw Error(
        "git revision \"" + base_ref + "\" does not name a commit or tree: " + git2::last_error(), {},
        "pass a branch, tag or commit to --base");
  TreePtr tree(reinterpret_cast<git_tree*>(raw_tree));

  namespace fs = std::filesystem;
  fs::path root = fs::weakly_canonical(fs::path(workdir));
  // In-memory ignore rules, for this repository object only (nothing is written to .gitignore).
  std::vector<fs::path> skipped;
  for (const auto& dir : skip_dirs) {
    fs::path rel = fs::weakly_canonical(fs::path(dir)).lexically_relative(root);
    if (rel.empty() || *rel.begin() == "..") continue;  // outside the repository
    skipped.push_back(root / rel);
    std::string rule = "/" + rel.generic_string() + "/\n";
    if (git_ignore_add_rule(repo.get(), rule.c_str()) != 0)
      throw Error("cannot leave " + dir + " out of the comparison: " + git2::last_error());
  }

  git_diff_options options = GIT_DIFF_OPTIONS_INIT;
  options.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS;
  git_diff* raw_diff = nullptr;
  if (git_diff_tree_to_workdir_with_index(&raw_diff, repo.get(), tree.get(), &options) != 0)
    throw Error("cannot compare the working tree with \"" + base_ref + "\": " + git2::last_error());
  DiffPtr diff(raw_diff);

  std::vector<std::string> out;
  size_t n = git_diff_num_deltas(diff.get());
  for (size_t i = 0; i < n; ++i) {
    const git_diff_delta* d = git_diff_get_delta(diff.get(), i);
    for (const char* path : {d->old_file.path, d->new_file.path}) {
      if (!path || !*path) continue;
      fs::path file = (root / path).lexically_normal();
      // Tracked files there (committed by mistake) are still compared, never reported.
      bool inside = std::any_of(skipped.begin(), skipped.end(), [&](const fs::path& dir) {
        auto rel = file.lexically_relative(dir);
        return !rel.empty() && *rel.begin() != "..";
      });
      if (!inside) out.push_back(file.string());
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace strata

// GitCache: the server's copies of the repositories it runs (DESIGN §11.4) — one bare clone per
// repository under <data-dir>/git/, fetched with libgit2, from which a run's commit is resolved
// and its files written into a fresh folder for loading or running. Repositories are reached as
// libgit2 reaches them: a local path or file:// here, https or ssh for users.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "control/code_archive.h"

namespace strata::control {

class GitCache {
 public:
  explicit GitCache(std::string dir);  // created when missing (0700)
  ~GitCache();
  GitCache(const GitCache&) = delete;
  GitCache& operator=(const GitCache&) = delete;

  // Clones (the first time) or fetches every branch and tag of `url` into the cache entry
  // `id`. Throws an Error (user input) naming the URL and libgit2's reason when it cannot be
  // fetched. Returns the default branch's name (the remote HEAD; "main" when it has none).
  std::string fetch(const std::string& id, const std::string& url);
  // The full commit hash `revision` (a branch, tag or commit hash; "" = `default_branch`) names
  // in entry `id`. Throws a kNotFound Error saying which revision was not found.
  std::string resolve(const std::string& id, const std::string& revision,
                      const std::string& default_branch);
  // Writes the files of `commit` into `dest` (which must exist and be empty): regular files
  // with their executable bit, symlinks as symlinks; submodules are left out.
  void export_tree(const std::string& id, const std::string& commit, const std::string& dest);
  // The same files as a .tar.gz (see code_archive.h): what `strata worker` fetches.
  std::string archive(const std::string& id, const std::string& commit);
  // The paths (relative to the repository root) that differ between commits `from` and `to`:
  // added, deleted and modified files, both sides of a rename. Throws kNotFound for a commit the
  // entry lacks.
  std::vector<std::string> changed_paths(const std::string& id, const std::string& from, const std::string& to);
  // The best common ancestor of two commits (where a pull request's branch left its base);
  // "" when they have none or the entry lacks either.
  std::string merge_base(const std::string& id, const std::string& a, const std::string& b);
  // Whether `ancestor` is `commit` or in its history; false when the entry lacks either.
  bool contains(const std::string& id, const std::string& commit, const std::string& ancestor);

 private:
  // Every entry of `commit`'s tree, parents before children; submodules left out.
  void for_each_entry(const std::string& id, const std::string& commit,
                      const std::function<void(const ArchiveEntry&)>& visit);
  std::string path_of(const std::string& id) const;
  std::string dir_;
  // Per cache entry: a fetch writes alone, reads (resolve, export, archive — one per activity)
  // go side by side, each with its own libgit2 handle; entries do not wait for each other.
  std::shared_mutex& lock_of(const std::string& id);
  std::mutex locks_mutex_;
  std::map<std::string, std::unique_ptr<std::shared_mutex>> locks_;
};

}  // namespace strata::control

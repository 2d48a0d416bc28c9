#include "control/git_cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "base/libgit2_handles.h"
#include "model/error.h"

namespace strata::control {

namespace {

namespace fs = std::filesystem;

using git2::BlobPtr;
using git2::ObjectPtr;
using git2::RemotePtr;
using git2::RepoPtr;
using git2::TreePtr;

std::string git_reason() { return git2::last_error(); }

// Fetch every branch as the same branch (a mirror of refs/heads), and tags.
constexpr const char* kFetchSpec = "+refs/heads/*:refs/heads/*";
// And the heads of pull requests (GitHub keeps refs/pull/N/head on the base repository): a
// fork's commits are reachable only through them.
constexpr const char* kPullSpec = "+refs/pull/*/head:refs/pull/*/head";

}  // namespace

GitCache::GitCache(std::string dir) : dir_(std::move(dir)) {
  // Held for the cache's life: operations on several threads never see libgit2 shut down and
  // set up again between them.
  git_libgit2_init();
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) throw Error(ErrorKind::kEnvironment, "cannot create the git cache " + dir_ + ": " + ec.message());
  ::chmod(dir_.c_str(), 0700);
}

std::string GitCache::path_of(const std::string& id) const { return dir_ + "/" + id + ".git"; }

GitCache::~GitCache() { git_libgit2_shutdown(); }

namespace {

// The cache entry at `path`, for reading.
RepoPtr open_entry(const std::string& path) {
  git_repository* raw = nullptr;
  if (git_repository_open_bare(&raw, path.c_str()) != 0)
    throw Error(ErrorKind::kEnvironment, "the server's copy of the repository is missing or damaged: " + git_reason(),
                {}, "register the repository again, or start a run, which fetches it");
  return RepoPtr(raw);
}

}  // namespace

std::shared_mutex& GitCache::lock_of(const std::string& id) {
  std::lock_guard lock(locks_mutex_);
  std::unique_ptr<std::shared_mutex>& entry = locks_[id];
  if (!entry) entry = std::make_unique<std::shared_mutex>();
  return *entry;
}

std::string GitCache::fetch(const std::string& id, const std::string& url) {
  std::unique_lock lock(lock_of(id));
  std::string path = path_of(id);
  git_repository* raw = nullptr;
  bool fresh = !fs::exists(path);
  if (fresh ? git_repository_init(&raw, path.c_str(), /*is_bare=*/1) != 0
            : git_repository_open_bare(&raw, path.c_str()) != 0)
    throw Error(ErrorKind::kEnvironment, "cannot open the git cache " + path + ": " + git_reason());
  RepoPtr repo(raw);
  // An in-memory remote for the URL the store holds, with no url.*.insteadOf rewriting: nothing is
  // read from or written to the mirror's config. That is also what keeps a long-running server from
  // leaking: libgit2 1.5.1 loses PCRE2 match data for every config entry its insteadOf glob does not
  // match (git_regexp_match returns before freeing), on every fetch.
  git_remote_create_options create = GIT_REMOTE_CREATE_OPTIONS_INIT;
  create.repository = repo.get();
  create.fetchspec = kFetchSpec;
  create.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
  git_remote* raw_remote = nullptr;
  if (git_remote_create_with_opts(&raw_remote, url.c_str(), &create) != 0)
    throw Error(ErrorKind::kEnvironment, "cannot set up the remote of " + path + ": " + git_reason());
  RemotePtr remote(raw_remote);
  git_fetch_options options = GIT_FETCH_OPTIONS_INIT;
  options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;
  options.prune = GIT_FETCH_PRUNE;
  char* specs[] = {const_cast<char*>(kFetchSpec), const_cast<char*>(kPullSpec)};
  git_strarray refspecs = {specs, 2};
  if (git_remote_fetch(remote.get(), &refspecs, &options, "strata server fetch") != 0) {
    std::string reason = git_reason();
    if (fresh) {
      std::error_code ec;
      fs::remove_all(path, ec);  // a repository that was never fetched leaves nothing behind
    }
    throw Error(ErrorKind::kUserInput, "cannot fetch " + url + ": " + reason, {},
                "give a URL git can clone from this server (a path or file:// URL, https or ssh)");
  }
  git_buf head = {nullptr, 0, 0};
  std::string branch = "main";
  if (git_remote_default_branch(&head, remote.get()) == 0 && head.ptr) {
    std::string ref = head.ptr;
    if (ref.rfind("refs/heads/", 0) == 0) branch = ref.substr(11);
  }
  git_buf_dispose(&head);
  return branch;
}

std::string GitCache::resolve(const std::string& id, const std::string& revision,
                              const std::string& default_branch) {
  std::shared_lock lock(lock_of(id));
  RepoPtr repo = open_entry(path_of(id));
  std::string wanted = revision.empty() ? default_branch : revision;
  for (const std::string& spec : {wanted, "refs/heads/" + wanted, "refs/tags/" + wanted}) {
    git_object* raw_object = nullptr;
    if (git_revparse_single(&raw_object, repo.get(), spec.c_str()) != 0) continue;
    ObjectPtr object(raw_object);
    git_object* raw_commit = nullptr;
    if (git_object_peel(&raw_commit, object.get(), GIT_OBJECT_COMMIT) != 0) continue;
    ObjectPtr commit(raw_commit);
    char hex[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(hex, sizeof hex, git_object_id(commit.get()));
    return hex;
  }
  throw Error(ErrorKind::kNotFound,
              revision.empty() ? "the repository has no branch " + default_branch
                               : "no commit, branch or tag \"" + revision + "\" in the repository",
              {}, "give a commit hash, branch or tag the repository has (the server fetches it when the run starts)");
}

void GitCache::for_each_entry(const std::string& id, const std::string& commit,
                              const std::function<void(const ArchiveEntry&)>& visit) {
  std::shared_lock lock(lock_of(id));
  RepoPtr repo = open_entry(path_of(id));
  git_object* raw_object = nullptr;
  if (git_revparse_single(&raw_object, repo.get(), (commit + "^{tree}").c_str()) != 0)
    throw Error(ErrorKind::kNotFound, "no commit " + commit + " in the repository: " + git_reason());
  TreePtr tree(reinterpret_cast<git_tree*>(raw_object));

  struct Walk {
    git_repository* repo;
    const std::function<void(const ArchiveEntry&)>& visit;
    std::string error;
  } walk{repo.get(), visit, {}};
  auto entry_of = [](const char* root, const git_tree_entry* entry, void* payload) -> int {
    auto* w = static_cast<Walk*>(payload);
    ArchiveEntry e;
    e.path = std::string(root) + git_tree_entry_name(entry);
    git_filemode_t mode = git_tree_entry_filemode(entry);
    try {
      if (mode == GIT_FILEMODE_TREE) {
        e.path += '/';
        w->visit(e);
        return 0;
      }
      if (mode == GIT_FILEMODE_COMMIT) return 0;  // a submodule: not in this repository
      git_blob* raw_blob = nullptr;
      if (git_blob_lookup(&raw_blob, w->repo, git_tree_entry_id(entry)) != 0) {
        w->error = "cannot read " + e.path + ": " + git_reason();
        return -1;
      }
      BlobPtr blob(raw_blob);
      std::string data(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                       static_cast<size_t>(git_blob_rawsize(blob.get())));
      if (mode == GIT_FILEMODE_LINK) {
        e.target = std::move(data);
      } else {
        e.data = std::move(data);
        e.mode = mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : 0644;
      }
      w->visit(e);
    } catch (const std::exception& ex) {
      w->error = ex.what();
      return -1;
    }
    return 0;
  };
  if (git_tree_walk(tree.get(), GIT_TREEWALK_PRE, entry_of, &walk) != 0)
    throw Error(ErrorKind::kEnvironment,
                "cannot read commit " + commit + ": " + (walk.error.empty() ? git_reason() : walk.error));
}

void GitCache::export_tree(const std::string& id, const std::string& commit, const std::string& dest) {
  for_each_entry(id, commit, [&](const ArchiveEntry& e) {
    std::string path = dest + "/" + e.path;
    if (!e.path.empty() && e.path.back() == '/') {
      if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
        throw Error(ErrorKind::kEnvironment, "cannot create " + path + ": " + std::strerror(errno));
    } else if (!e.target.empty()) {
      if (::symlink(e.target.c_str(), path.c_str()) != 0)
        throw Error(ErrorKind::kEnvironment, "cannot create the symlink " + path + ": " + std::strerror(errno));
    } else {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(e.data.data(), static_cast<std::streamsize>(e.data.size()));
      out.close();
      if (!out) throw Error(ErrorKind::kEnvironment, "cannot write " + path);
      ::chmod(path.c_str(), e.mode);
    }
  });
}

std::string GitCache::archive(const std::string& id, const std::string& commit) {
  return write_code_archive([&](const std::function<void(const ArchiveEntry&)>& add) {
    for_each_entry(id, commit, add);
  });
}

namespace {

// The tree of `commit` in `repo`; throws kNotFound naming it.
TreePtr tree_of(git_repository* repo, const std::string& commit) {
  git_object* raw = nullptr;
  if (git_revparse_single(&raw, repo, (commit + "^{tree}").c_str()) != 0)
    throw Error(ErrorKind::kNotFound, "no commit " + commit + " in the repository: " + git_reason());
  return TreePtr(reinterpret_cast<git_tree*>(raw));
}

}  // namespace

std::vector<std::string> GitCache::changed_paths(const std::string& id, const std::string& from,
                                                 const std::string& to) {
  std::shared_lock lock(lock_of(id));
  RepoPtr repo = open_entry(path_of(id));
  TreePtr old_tree = tree_of(repo.get(), from);
  TreePtr new_tree = tree_of(repo.get(), to);
  git_diff* raw = nullptr;
  git_diff_options options = GIT_DIFF_OPTIONS_INIT;
  if (git_diff_tree_to_tree(&raw, repo.get(), old_tree.get(), new_tree.get(), &options) != 0)
    throw Error(ErrorKind::kEnvironment, "cannot compare " + from + " with " + to + ": " + git_reason());
  git2::DiffPtr diff(raw);
  std::vector<std::string> paths;
  for (size_t i = 0, n = git_diff_num_deltas(diff.get()); i < n; ++i) {
    const git_diff_delta* d = git_diff_get_delta(diff.get(), i);
    if (d->old_file.path) paths.emplace_back(d->old_file.path);
    if (d->new_file.path && (!d->old_file.path || std::strcmp(d->new_file.path, d->old_file.path) != 0))
      paths.emplace_back(d->new_file.path);
  }
  return paths;
}

std::string GitCache::merge_base(const std::string& id, const std::string& a, const std::string& b) {
  std::shared_lock lock(lock_of(id));
  RepoPtr repo = open_entry(path_of(id));
  git_oid one, two, base;
  if (git_oid_fromstr(&one, a.c_str()) != 0 || git_oid_fromstr(&two, b.c_str()) != 0) return "";
  if (git_merge_base(&base, repo.get(), &one, &two) != 0) return "";
  char hex[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(hex, sizeof hex, &base);
  return hex;
}

bool GitCache::contains(const std::string& id, const std::string& commit, const std::string& ancestor) {
  std::shared_lock lock(lock_of(id));
  RepoPtr repo = open_entry(path_of(id));
  git_oid head, old;
  if (git_oid_fromstr(&head, commit.c_str()) != 0 || git_oid_fromstr(&old, ancestor.c_str()) != 0) return false;
  if (git_oid_equal(&head, &old)) return true;
  return git_graph_descendant_of(repo.get(), &head, &old) == 1;
}

}  // namespace strata::control

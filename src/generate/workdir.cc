#include "generate/workdir.h"

#include "hcl/writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <optional>
#include <filesystem>
#include <set>

#include "base/atomic_file.h"
#include "base/fnv.h"
#include "generate/hcl_text.h"
#include "generate/versioned_source.h"
#include "model/error.h"
#include "model/module_source.h"

namespace strata {

namespace fs = std::filesystem;

namespace {

const char kManifest[] = ".strata-manifest";

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The manifest lists what the last generation wrote, one file per line:
// "path<TAB>size<TAB>mtime_ns<TAB>content hash". A file whose size and mtime are still those
// recorded and whose new content has the recorded hash is unchanged without being read, so a
// generation that changes nothing costs one stat per file. (Lines holding only a path, from
// older manifests, just mean "compare the content".)
struct ManifestEntry {
  bool has_stat = false;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint64_t hash = 0;
};

// The manifest as read, kept so that an unchanged manifest is not read a second time to be
// compared before writing.
struct Manifest {
  std::map<std::string, ManifestEntry> entries;
  std::optional<std::string> text;
  mode_t mode = 0;
};

Manifest read_manifest(const std::string& workdir) {
  Manifest manifest;
  manifest.text = read_file_if_exists(workdir + "/" + kManifest, &manifest.mode);
  if (!manifest.text) return manifest;
  const std::string* text = &*manifest.text;
  std::map<std::string, ManifestEntry>& entries = manifest.entries;
  size_t start = 0;
  while (start < text->size()) {
    size_t nl = text->find('\n', start);
    if (nl == std::string::npos) nl = text->size();
    std::string line = text->substr(start, nl - start);
    start = nl + 1;
    if (line.empty()) continue;
    size_t tab = line.find('\t');
    ManifestEntry e;
    if (tab != std::string::npos) {
      unsigned long long size = 0, hash = 0;
      long long mtime = 0;
      if (std::sscanf(line.c_str() + tab + 1, "%llu\t%lld\t%llx", &size, &mtime, &hash) == 3) {
        e = {true, size, mtime, hash};
      }
    }
    entries[line.substr(0, tab)] = e;
  }
  return manifest;
}

// The workdir, held open while it is generated so that the stats of its files (a dozen per
// workdir when nothing changed) look up one name each instead of walking the whole path.
// Falls back to full paths when it cannot be opened.
class WorkdirHandle {
 public:
  explicit WorkdirHandle(const std::string& path) : path_(path) { open(); }
  ~WorkdirHandle() {
    if (fd_ >= 0) ::close(fd_);
  }
  WorkdirHandle(const WorkdirHandle&) = delete;
  WorkdirHandle& operator=(const WorkdirHandle&) = delete;

  // stat() of `rel` (relative to the workdir), following symlinks.
  bool stat(const std::string& rel, struct stat* st) const {
    if (fd_ < 0) return ::stat((path_ + "/" + rel).c_str(), st) == 0;
    return ::fstatat(fd_, rel.c_str(), st, 0) == 0;
  }
  bool stat_file(const std::string& rel, struct stat* st) const { return stat(rel, st) && S_ISREG(st->st_mode); }
  bool is_open() const { return fd_ >= 0; }
  // True when opening found no folder at all (not when it failed for another reason).
  bool missing() const { return fd_ < 0 && open_errno_ == ENOENT; }
  // Writes `rel` (see write_file_atomic) relative to the handle when it is open.
  bool write(const std::string& rel, const std::string& content, mode_t mode, Previous previous,
             struct stat* after = nullptr) const {
    return write_file_atomic_at(fd_ >= 0 ? fd_ : AT_FDCWD, fd_ >= 0 ? rel : path_ + "/" + rel, path_ + "/" + rel,
                                content, mode, Durability::kRenameOnly, previous, after);
  }
  // Opens it again (after creating it).
  void open() {
    if (fd_ < 0) fd_ = ::open(path_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    open_errno_ = fd_ < 0 ? errno : 0;
  }

 private:
  std::string path_;
  int fd_ = -1;
  int open_errno_ = 0;
};

int64_t mtime_ns(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

std::string sanitize(const std::string& s) {
  std::string out = s;
  for (char& c : out)
    if (c == '/' || c == '\\' || c == ' ') c = '_';
  return out;
}

}  // namespace

std::string tfvars_file_name(const ComponentRef& ref) {
  return sanitize(ref.stack) + "-" + sanitize(ref.component) + ".tfvars.json";
}

bool is_protected_path(const std::string& relative_path) {
  fs::path p(relative_path);
  for (const auto& part : p) {
    std::string s = part.string();
    if (s == ".terraform" || s == "terraform.tfstate.d") return true;
  }
  std::string name = p.filename().string();
  return name == ".terraform.lock.hcl" || name.rfind("terraform.tfstate", 0) == 0 ||
         ends_with(name, ".planfile") || ends_with(name, ".tfplan") || name == ".strata.lock" ||
         name == kManifest || name.rfind(".strata-", 0) == 0;
}

const std::vector<ModuleCache::File>& ModuleCache::files(const std::string& dir, const std::string& skip_dir) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = by_dir_.find(dir);
  if (it != by_dir_.end()) return it->second;
  std::vector<File> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw Error("module folder \"" + dir + "\" does not exist", {},
                "check the component's source path (it is relative to the project root)");
  }
  fs::path skip = skip_dir.empty() ? fs::path() : fs::weakly_canonical(skip_dir);
  for (auto entry = fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink);
       entry != fs::recursive_directory_iterator(); ++entry) {
    std::string name = entry->path().filename().string();
    if (entry->is_directory()) {
      if (name == ".terraform" || name == ".git" || name == ".strata" ||
          (!skip.empty() && fs::weakly_canonical(entry->path()) == skip)) {
        entry.disable_recursion_pending();
      }
      continue;
    }
    if (!entry->is_regular_file()) continue;
    std::string rel = fs::relative(entry->path(), dir).string();
    if (is_protected_path(rel)) continue;  // never carry a module's own state into a workdir
    File f;
    f.path = rel;
    f.content = read_file(entry->path().string());
    f.executable = (entry->status().permissions() & fs::perms::owner_exec) != fs::perms::none;
    out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end(), [](const File& a, const File& b) { return a.path < b.path; });
  return by_dir_.emplace(dir, std::move(out)).first->second;
}

bool is_leftover_temp_file(const std::string& name) {
  // "." base ".tmp." digits "." digits
  size_t tmp = name.rfind(".tmp.");
  if (name.size() < 2 || name[0] != '.' || tmp == std::string::npos || tmp < 2) return false;
  std::string rest = name.substr(tmp + 5);
  size_t dot = rest.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == rest.size()) return false;
  for (size_t i = 0; i < rest.size(); ++i)
    if (i != dot && !std::isdigit(static_cast<unsigned char>(rest[i]))) return false;
  return true;
}

std::string workdir_for(const ComponentFiles& files) {
  return files.work_root + "/" + files.ref.stack + "/" + files.ref.component;
}

GenerateResult generate_workdir(const ComponentFiles& files, ModuleCache& cache, bool workdir_is_new,
                                bool after_a_killed_holder) {
  GenerateResult result;
  result.workdir = workdir_for(files);
  auto [base, sub] = split_module_source(files.source);
  result.run_dir = sub.empty() ? result.workdir : result.workdir + "/" + sub;
  std::string run_prefix = sub.empty() ? "" : sub + "/";

  std::string module_dir = (fs::path(files.project_root) / base).lexically_normal().string();
  while (module_dir.size() > 1 && module_dir.back() == '/') module_dir.pop_back();
  const auto& module_files = cache.files(module_dir, files.work_root);
  if (!sub.empty() && !fs::is_directory(module_dir + "/" + sub)) {
    throw Error("source \"" + files.source + "\" names sub-folder \"" + sub + "\", which does not exist in \"" +
                    base + "\"",
                files.ref.origin, "\"base//sub\" copies base and runs in base/sub");
  }

  // Everything this generation produces: relative path -> (content, mode).
  std::map<std::string, std::pair<std::string, mode_t>> produce;
  std::set<std::string> versioned_targets;
  const std::string& versioned_ext = files.versioned_extension;  // X<ext> is rendered into X.tf
  if (!files.versioned_data.is_null()) {
    for (const auto& f : module_files) {
      if (ends_with(f.path, versioned_ext)) {
        versioned_targets.insert(f.path.substr(0, f.path.size() - versioned_ext.size()) + ".tf");
      }
    }
  }
  for (const auto& f : module_files) {
    mode_t mode = f.executable ? 0755 : 0644;
    if (!files.versioned_data.is_null() && ends_with(f.path, versioned_ext)) {
      std::string target = f.path.substr(0, f.path.size() - versioned_ext.size()) + ".tf";
      produce[target] = {render_versioned_source(f.content, files.versioned_data, module_dir + "/" + f.path), mode};
      continue;
    }
    if (versioned_targets.count(f.path)) continue;  // the rendered .tf.versioned wins
    produce[f.path] = {f.content, mode};
  }

  // Generated files, in the run dir.
  Value tfvars = Value::map();
  if (files.inputs.is_map()) {
    for (const auto& [k, v] : files.inputs.as_map()) {
      if (v.contains_sensitive()) {
        result.sensitive_env["TF_VAR_" + k] = v.is_string() ? v.as_string() : to_json_text(v, -1);
      } else {
        tfvars.set(k, v);
      }
    }
  }
  if (!files.kompos_style) {
    result.tfvars_file = tfvars_file_name(files.ref);
    produce[run_prefix + result.tfvars_file] = {to_json_text(tfvars) + "\n", 0644};
  } else {
    result.tfvars_file = "variables.tfvars.json";
    Value wrapped = Value::map();
    Value config = files.kompos_config.is_null() ? Value::map() : files.kompos_config;
    if (config.contains_sensitive()) {
      // A sops:// value inside the tree: the whole tree goes to the engine in memory, and the
      // file on disk leaves `config` out (terraform run by hand then asks for it, rather than
      // applying a redacted value).
      result.sensitive_var_file = "config = " + hcl::write_hcl_value(config) + "\n";
    } else {
      wrapped.set("config", config);
    }
    produce[run_prefix + result.tfvars_file] = {to_json_text(wrapped) + "\n", 0644};
    if (!files.provider_json.is_null()) {
      produce[run_prefix + "provider.tf.json"] = {to_json_text(files.provider_json) + "\n", 0644};
    }
  }
  if (files.generate_backend && !files.backend.type.empty()) {
    Value backend = Value::map();
    Value by_type = Value::map();
    by_type.set(files.backend.type, files.backend.config.is_null() ? Value::map() : files.backend.config);
    Value terraform = Value::map();
    terraform.set("backend", by_type);
    backend.set("terraform", terraform);
    produce[run_prefix + "backend.tf.json"] = {to_json_text(backend) + "\n", 0644};
  }
  std::string providers = render_providers_file(files);
  if (!providers.empty()) produce[run_prefix + "providers_gen.tf"] = {providers, 0644};

  // Write, never over a protected file.
  // Generated files are derived data (the next generation rewrites them), so a rename without
  // fsync is enough: a crash never leaves half a file.
  // An existing workdir is found by opening it, which the stats below need anyway.
  WorkdirHandle workdir(result.workdir);
  workdir_is_new = workdir_is_new || workdir.missing();
  if (!workdir.is_open() || !sub.empty()) {
    fs::create_directories(result.run_dir);
    workdir.open();
  }
  std::set<std::string> made_dirs{result.workdir, result.run_dir};
  const Manifest previous_manifest = workdir_is_new ? Manifest{} : read_manifest(result.workdir);
  const Previous previous_file = workdir_is_new ? Previous::kReplace : Previous::kMayExist;
  const std::map<std::string, ManifestEntry>& previous = previous_manifest.entries;
  std::string manifest;
  for (const auto& [rel, entry] : produce) {
    if (is_protected_path(rel)) continue;
    const auto& [content, mode] = entry;
    std::string path = result.workdir + "/" + rel;
    uint64_t hash = fnv1a(content);
    result.content_hashes.emplace(rel, hash);
    struct stat st;
    auto known = previous.find(rel);
    bool unchanged = known != previous.end() && known->second.has_stat && known->second.hash == hash &&
                     workdir.stat_file(rel, &st) && static_cast<uint64_t>(st.st_size) == known->second.size &&
                     known->second.size == content.size() && mtime_ns(st) == known->second.mtime_ns &&
                     (st.st_mode & 07777) == mode;
    if (!unchanged) {
      std::string parent = fs::path(path).parent_path().string();
      if (made_dirs.insert(parent).second) fs::create_directories(parent);
      if (workdir.write(rel, content, mode, previous_file, &st)) {
        result.written.push_back(rel);
      } else {
        result.unchanged.push_back(rel);
      }
    } else {
      result.unchanged.push_back(rel);
    }
    char line[96];
    std::snprintf(line, sizeof line, "\t%llu\t%lld\t%016llx\n", static_cast<unsigned long long>(st.st_size),
                  static_cast<long long>(mtime_ns(st)), static_cast<unsigned long long>(hash));
    manifest += rel + line;
  }

  // Remove what an earlier generation wrote and this one no longer produces.
  for (const auto& [rel, _] : previous) {
    if (produce.count(rel) || is_protected_path(rel)) continue;
    std::error_code ec;
    fs::path p = fs::path(result.workdir) / rel;
    if (fs::remove(p, ec)) {
      result.removed.push_back(rel);
      // Drop folders this left empty (never the workdir itself).
      for (fs::path dir = p.parent_path(); dir.string().size() > result.workdir.size(); dir = dir.parent_path()) {
        if (!fs::is_empty(dir, ec) || !fs::remove(dir, ec)) break;
      }
    }
  }
  // A strata killed while writing left its temporary files (".NAME.tmp.PID.N", base/atomic_file)
  // beside the files it wrote; the workdir's lock keeps every other strata out, so any found now
  // is such a leftover.
  if (!workdir_is_new && after_a_killed_holder) {
    std::set<std::string> dirs{""};
    for (const auto& [rel, _] : produce) dirs.insert(fs::path(rel).parent_path().string());
    for (const auto& dir : dirs) {
      std::error_code ec;
      for (const auto& e : fs::directory_iterator(fs::path(result.workdir) / dir, ec)) {
        if (is_leftover_temp_file(e.path().filename().string())) fs::remove(e.path(), ec);
      }
    }
  }
  // Compared here with what was read above (the lock keeps other strata out), so not again.
  if (previous_manifest.text != manifest || previous_manifest.mode != 0644) {
    workdir.write(kManifest, manifest, 0644, Previous::kReplace);
  }

  if (workdir_is_new) return result;  // nothing was there to keep
  for (const char* name : {".terraform", ".terraform.lock.hcl", "terraform.tfstate", "terraform.tfstate.backup",
                           "terraform.tfstate.d"}) {
    struct stat st;
    if (workdir.stat(run_prefix + name, &st)) result.kept.push_back(run_prefix + name);
  }
  return result;
}

}  // namespace strata

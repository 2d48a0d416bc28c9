#include "config/js/js_cache.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <set>

#include "base/atomic_file.h"
#include "base/fnv.h"
#include "config/js/file_run.h"
#include "model/error.h"
#include "model/model_codec.h"

namespace fs = std::filesystem;

namespace strata::js {

namespace {

constexpr char kMagic[] = "strata js result cache";
constexpr uint64_t kFormat = 1;

}  // namespace

ResultCache::ResultCache(std::string dir, std::string identity)
    : dir_(std::move(dir)), identity_(binary_identity() + "\n" + std::move(identity)) {}

std::string ResultCache::binary_identity() {
  static const std::string identity = [] {
    struct stat st {};
    if (::stat("/proc/self/exe", &st) != 0) return std::string("unknown strata binary");
    return std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
           std::to_string(st.st_mtim.tv_nsec) + ":" + std::to_string(st.st_ino);
  }();
  return identity;
}

std::string ResultCache::entry_path(const std::string& file) const {
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.bin", static_cast<unsigned long long>(fnv1a(file)));
  return dir_ + "/" + name;
}

bool ResultCache::unchanged(const RunFacts::FileRead& read) {
  std::optional<std::pair<uint64_t, uint64_t>> now;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = seen_.find(read.path);
    if (it != seen_.end()) return it->second && *it->second == std::make_pair(read.size, read.hash);
  }
  try {
    if (auto content = read_file_if_exists(read.path)) now = {{content->size(), fnv1a(*content)}};
  } catch (const Error&) {
    // unreadable: not the file that ran
  }
  std::lock_guard<std::mutex> lock(mutex_);
  seen_.emplace(read.path, now);
  return now && *now == std::make_pair(read.size, read.hash);
}

std::optional<std::optional<Stack>> ResultCache::lookup(const std::string& file) {
  std::optional<std::string> bytes;
  try {
    bytes = read_file_if_exists(entry_path(file));
  } catch (const Error&) {
    return std::nullopt;
  }
  if (!bytes) return std::nullopt;
  BinaryReader in(*bytes);
  if (in.str() != kMagic || in.u64() != kFormat || in.str() != identity_ || in.str() != file)
    return std::nullopt;
  uint64_t reads = in.u64();
  if (reads == 0) return std::nullopt;
  for (uint64_t i = 0; i < reads && in.ok(); ++i) {
    RunFacts::FileRead read;
    read.path = in.str();
    read.size = in.u64();
    read.hash = in.u64();
    if (!in.ok() || !unchanged(read)) return std::nullopt;
    // The first read is the stack file itself, by its real path: a symlink pointed elsewhere
    // since then is another file.
    std::error_code ec;
    if (i == 0 && fs::weakly_canonical(file, ec).string() != read.path) return std::nullopt;
  }
  uint64_t resolutions = in.u64();
  for (uint64_t i = 0; i < resolutions && in.ok(); ++i) {
    std::string spec = in.str(), dir = in.str(), resolved = in.str();
    if (!in.ok() || resolve_module(spec, dir).value_or("") != resolved) return std::nullopt;
  }
  bool has_stack = in.u64() == 1;
  std::optional<Stack> stack;
  if (has_stack) {
    stack = in.stack();
    if (!stack) return std::nullopt;
  }
  if (!in.ok() || !in.at_end()) return std::nullopt;
  return stack;
}

void ResultCache::keep_only(const std::vector<std::string>& files) {
  std::set<std::string> wanted;
  for (const auto& f : files) wanted.insert(fs::path(entry_path(f)).filename().string());
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.ends_with(".bin") && !wanted.count(name)) fs::remove(it->path(), ec);
  }
}

void ResultCache::store(const std::string& file, const RunFacts& facts,
                        const std::optional<Stack>& stack) {
  if (!facts.uncacheable.empty() || facts.reads.empty()) return;
  BinaryWriter out;
  out.str(kMagic);
  out.u64(kFormat);
  out.str(identity_);
  out.str(file);
  out.u64(facts.reads.size());
  for (const auto& read : facts.reads) {
    out.str(read.path);
    out.u64(read.size);
    out.u64(read.hash);
  }
  out.u64(facts.resolutions.size());
  for (const auto& r : facts.resolutions) {
    out.str(r.spec);
    out.str(r.dir);
    out.str(r.resolved);
  }
  out.u64(stack ? 1 : 0);
  if (stack) out.stack(*stack);
  if (out.wrote_sensitive()) return;  // never on disk
  try {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!made_dir_) {
        fs::create_directories(dir_);
        made_dir_ = true;
      }
    }
    write_file_atomic(entry_path(file), out.bytes(), 0600, Durability::kRenameOnly);
  } catch (const std::exception&) {
    // read-only or full disk: the next run simply runs the file again
  }
}

}  // namespace strata::js

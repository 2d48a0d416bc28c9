#include "generate/clean.h"

#include <algorithm>
#include <filesystem>

#include "base/file_lock.h"

namespace strata {

namespace fs = std::filesystem;

namespace {
bool is_state(const std::string& name) {
  return name == "terraform.tfstate" || name == "terraform.tfstate.backup" || name == "terraform.tfstate.d";
}
}  // namespace

CleanResult clean_workdir(const std::string& workdir, const std::string& display_name) {
  CleanResult result;
  std::error_code ec;
  if (!fs::is_directory(workdir, ec)) return result;
  FileLock lock(workdir + "/.strata.lock", "workdir " + display_name);
  // State can sit in the workdir or in a base//sub run folder below it: keep every state file and
  // the folders leading to them; remove everything else.
  std::vector<fs::path> entries;
  for (auto it = fs::recursive_directory_iterator(workdir); it != fs::recursive_directory_iterator(); ++it) {
    std::string name = it->path().filename().string();
    if (name == ".terraform" && it->is_directory()) {
      it.disable_recursion_pending();  // the engine's cache (backend settings, providers): regenerable
      continue;
    }
    if (is_state(name)) {
      result.kept.push_back(fs::relative(it->path(), workdir).string());
      if (it->is_directory()) it.disable_recursion_pending();
    }
  }
  for (auto it = fs::recursive_directory_iterator(workdir); it != fs::recursive_directory_iterator(); ++it) {
    entries.push_back(it->path());
    if (is_state(it->path().filename().string()) && it->is_directory()) it.disable_recursion_pending();
  }
  // Deepest first, so folders are empty when their turn comes.
  std::sort(entries.begin(), entries.end(), [](const fs::path& a, const fs::path& b) { return a.string() > b.string(); });
  for (const auto& p : entries) {
    std::string rel = fs::relative(p, workdir).string();
    std::string name = p.filename().string();
    if (name == ".strata.lock" && p.parent_path() == fs::path(workdir)) continue;
    bool inside_kept = false;
    for (const auto& k : result.kept) inside_kept = inside_kept || rel == k || rel.rfind(k + "/", 0) == 0 || k.rfind(rel + "/", 0) == 0;
    if (inside_kept) continue;
    if (fs::is_directory(p, ec) && !fs::is_symlink(p, ec)) {
      if (fs::is_empty(p, ec) && fs::remove(p, ec)) result.removed.push_back(rel + "/");
    } else if (fs::remove(p, ec)) {
      result.removed.push_back(rel);
    }
  }
  std::sort(result.removed.begin(), result.removed.end());
  if (result.kept.empty()) {
    lock.release();
    fs::remove(workdir + "/.strata.lock", ec);
    fs::remove(workdir, ec);
  }
  return result;
}

}  // namespace strata

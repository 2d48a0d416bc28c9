#include "workspace/orphans.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "base/atomic_file.h"
#include "base/file_lock.h"
#include "base/suggest.h"
#include "model/error.h"
#include "model/module_source.h"

namespace strata::workspace {

namespace fs = std::filesystem;

namespace {

constexpr char kLockFile[] = ".strata.lock";
constexpr char kManifest[] = ".strata-manifest";

bool is_state_name(const std::string& name) {
  return name == "terraform.tfstate" || name == "terraform.tfstate.backup" || name == "terraform.tfstate.d";
}

// The backend type `.terraform/terraform.tfstate` records, "" when there is none or it is local.
std::string recorded_backend(const fs::path& dot_terraform) {
  std::string text;
  if (!try_read_file((dot_terraform / "terraform.tfstate").string(), text)) return "";
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (!doc.is_object() || !doc.contains("backend") || !doc["backend"].is_object()) return "";
  const auto& type = doc["backend"]["type"];
  return type.is_string() && type.get<std::string>() != "local" ? type.get<std::string>() : "";
}

// The state a workdir holds: local state files (non-empty) and a remote backend it was
// initialised with. `.terraform/` itself is not searched for state files.
void read_workdir(const fs::path& dir, const fs::path& rel, StateOrphan& out) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name == ".terraform") {
      if (std::string b = recorded_backend(e.path()); !b.empty()) out.remote_backend = b;
      continue;
    }
    if (is_state_name(name)) {
      bool has_content = e.is_directory(ec) ? !fs::is_empty(e.path(), ec) : e.file_size(ec) > 0;
      if (has_content) out.state_files.push_back((rel / name).string());
      continue;
    }
    if (e.is_directory(ec) && !e.is_symlink(ec) && !name.starts_with(".")) read_workdir(e.path(), rel / name, out);
  }
}

// Every workdir (a folder holding strata's manifest or lock) below `dir`, by its name.
void find_workdirs(const fs::path& dir, const std::string& name, std::vector<std::pair<std::string, fs::path>>& out) {
  std::error_code ec;
  if (!name.empty() && (fs::exists(dir / kManifest, ec) || fs::exists(dir / kLockFile, ec))) {
    out.emplace_back(name, dir);
    return;
  }
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string child = e.path().filename().string();
    // .runs, .logs, .cache and the like are strata's own; no stack name starts with a dot.
    if (child.starts_with(".") || !e.is_directory(ec) || e.is_symlink(ec)) continue;
    find_workdirs(e.path(), name.empty() ? child : name + "/" + child, out);
  }
}

std::set<std::string> declared_names(const Project& project) {
  std::set<std::string> out;
  for (const auto& [_, stack] : project.stacks)
    for (const auto& c : stack.components) out.insert(c.stack + "/" + c.name);
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

std::vector<StateOrphan> find_state_orphans(const Project& project, const std::set<std::string>* declared_names_given) {
  std::vector<StateOrphan> out;
  const fs::path work_root = fs::path(project.root) / project.settings.work_dir;
  std::error_code ec;
  if (!fs::is_directory(work_root, ec)) return out;
  std::vector<std::pair<std::string, fs::path>> workdirs;
  find_workdirs(work_root, "", workdirs);
  const std::set<std::string> declared = declared_names_given ? *declared_names_given : declared_names(project);
  for (const auto& [name, dir] : workdirs) {
    if (declared.count(name)) continue;
    StateOrphan o;
    o.name = name;
    o.workdir = (fs::path(project.settings.work_dir) / name).lexically_normal().string();
    read_workdir(dir, "", o);
    if (o.state_files.empty() && o.remote_backend.empty()) continue;  // generated files only: `clean` removes them
    std::sort(o.state_files.begin(), o.state_files.end());
    out.push_back(std::move(o));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::string describe_orphan(const StateOrphan& o) {
  std::string what = o.state_files.empty()
                         ? "was initialised with the " + o.remote_backend + " backend, which holds the state of " + o.name
                         : "holds the state of " + o.name + " (" + joined(o.state_files) + ")";
  std::string move = o.state_files.empty()
                         ? "if it was renamed, move the state in the " + o.remote_backend +
                               " backend (terraform state pull / push) and remove the folder"
                         : "if it was renamed: strata state mv " + o.name + " STACK/COMPONENT";
  return o.workdir + ": " + what + ", and no stack declares " + o.name + " any more; " + move +
         "; if its resources should go, run terraform destroy in that folder, then remove it";
}

std::vector<std::string> move_orphan_state(const Project& project, const std::string& from, const std::string& to) {
  const std::set<std::string> declared = declared_names(project);
  if (declared.count(from)) {
    throw Error(from + " is declared, so its state is not an orphan", {},
                "strata state mv moves the state of a component no stack declares any more (strata state orphans "
                "lists them)");
  }
  std::vector<StateOrphan> orphans = find_state_orphans(project);
  auto it = std::find_if(orphans.begin(), orphans.end(), [&](const auto& o) { return o.name == from; });
  if (it == orphans.end()) {
    std::vector<std::string> names;
    for (const auto& o : orphans) names.push_back(o.name);
    std::string near = closest_match(from, names);
    throw Error("no orphaned state named " + from, {},
                near.empty() ? "strata state orphans lists them" + std::string(names.empty() ? " (there are none)" : "")
                             : "did you mean " + near + "?");
  }
  const StateOrphan& orphan = *it;
  if (orphan.state_files.empty()) {
    throw Error(from + "'s state lives in the " + orphan.remote_backend + " backend, not in its folder", {},
                "move it there (terraform state pull in " + orphan.workdir + ", then push in the new component's "
                "workdir after its init), then remove " + orphan.workdir);
  }
  size_t slash = to.rfind('/');
  const Component* target = slash == std::string::npos ? nullptr : project.find({to.substr(0, slash), to.substr(slash + 1), {}});
  if (!target) {
    std::vector<std::string> names(declared.begin(), declared.end());
    std::string near = closest_match(to, names);
    throw Error("no component " + to + " is declared", {},
                near.empty() ? "name the new component as STACK/COMPONENT (strata list shows them)" : "did you mean " + near + "?");
  }
  const fs::path root(project.root);
  const fs::path from_dir = root / orphan.workdir;
  const fs::path to_dir = root / project.settings.work_dir / target->stack / target->name;
  std::string sub = split_module_source(target->source).subdir;
  const fs::path to_run_dir = sub.empty() ? to_dir : to_dir / sub;
  fs::create_directories(to_run_dir);
  ::chmod(to_dir.c_str(), 0700);
  FileLock from_lock((from_dir / kLockFile).string(), "workdir " + orphan.workdir);
  FileLock to_lock((to_dir / kLockFile).string(), "workdir " + (fs::path(project.settings.work_dir) / to).string());
  std::error_code ec;
  for (const auto& f : orphan.state_files) {
    fs::path target_file = to_run_dir / fs::path(f).filename();
    if (fs::exists(target_file, ec) && (fs::is_directory(target_file, ec) ? !fs::is_empty(target_file, ec)
                                                                          : fs::file_size(target_file, ec) > 0)) {
      throw Error(to + " already holds state (" + fs::relative(target_file, root, ec).string() + "): nothing was moved", {},
                  "strata never merges or overwrites state; if " + to + "'s state is not needed, destroy or remove it first");
    }
  }
  std::vector<std::string> moved;
  for (const auto& f : orphan.state_files) {
    fs::path source = from_dir / f;
    fs::path target_file = to_run_dir / fs::path(f).filename();
    fs::remove_all(target_file, ec);  // an empty file or folder, checked above
    fs::rename(source, target_file);
    moved.push_back(fs::relative(target_file, root).string());
  }
  return moved;
}

}  // namespace strata::workspace

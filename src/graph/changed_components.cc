#include "graph/changed_components.h"

#include <filesystem>

#include "graph/git_changes.h"
#include "model/module_source.h"

namespace strata {

namespace {

namespace fs = std::filesystem;

fs::path absolute_in(const fs::path& root, const std::string& path) {
  fs::path p(path);
  return fs::weakly_canonical(p.is_absolute() ? p : root / p);
}

bool is_under(const std::string& file, const std::string& dir) {
  return file.size() > dir.size() && file.compare(0, dir.size(), dir) == 0 &&
         file[dir.size()] == '/';
}

bool is_yaml(const fs::path& p) { return p.extension() == ".yaml" || p.extension() == ".yml"; }

// "what changed: a, b, c and 2 more", paths relative to the project root.
std::string reason(const std::string& what, const std::vector<std::string>& files,
                   const fs::path& root) {
  std::string s = what + ": ";
  for (size_t i = 0; i < files.size() && i < 3; ++i)
    s += (i ? ", " : "") + fs::path(files[i]).lexically_relative(root).string();
  if (files.size() > 3) s += " and " + std::to_string(files.size() - 3) + " more";
  return s;
}

// Local module folder of a component source ("base//sub" → base), or "" for remote sources.
std::string module_dir(const fs::path& root, const std::string& source) {
  if (source.empty() || source.find("::") != std::string::npos ||
      source.find("://") != std::string::npos)
    return "";
  fs::path dir = absolute_in(root, split_module_source(source).package);
  std::error_code ec;
  return fs::is_directory(dir, ec) ? dir.string() : "";
}

}  // namespace

std::vector<ChangedComponent> components_touched_by(const Project& project,
                                                    const std::vector<std::string>& changed) {
  fs::path root = fs::weakly_canonical(fs::path(project.root));
  std::vector<std::string> settings_changes;
  if (project.settings.origin.known()) {
    std::string settings = absolute_in(root, project.settings.origin.path()).string();
    for (const auto& f : changed)
      if (f == settings) settings_changes.push_back(f);
  }

  std::vector<ChangedComponent> out;
  for (const auto& [name, stack] : project.stacks) {
    std::vector<std::string> stack_changes, layer_changes;
    if (!stack.source_file.empty()) {
      std::string source = absolute_in(root, stack.source_file).string();
      for (const auto& f : changed) {
        if (f == source) {
          stack_changes.push_back(f);
        } else if (stack.kind == "yaml" && is_yaml(f)) {
          // A layer is any folder from the project root down to the stack's own folder.
          std::string dir = fs::path(f).parent_path().string();
          if ((dir == source || is_under(source, dir)) &&
              (dir == root.string() || is_under(dir, root.string())))
            layer_changes.push_back(f);
        }
      }
    }
    for (const auto& c : stack.components) {
      ChangedComponent entry{c.ref(), {}};
      std::string module = module_dir(root, c.source);
      if (!module.empty()) {
        std::vector<std::string> module_changes;
        for (const auto& f : changed)
          if (is_under(f, module)) module_changes.push_back(f);
        if (!module_changes.empty())
          entry.reasons.push_back(reason("module files changed", module_changes, root));
      }
      if (!stack_changes.empty())
        entry.reasons.push_back(reason("stack file changed", stack_changes, root));
      if (!layer_changes.empty())
        entry.reasons.push_back(reason("config layers changed", layer_changes, root));
      if (!settings_changes.empty())
        entry.reasons.push_back(reason("project settings changed", settings_changes, root));
      if (!entry.reasons.empty()) out.push_back(std::move(entry));
    }
  }
  return out;
}

std::vector<ChangedComponent> changed_components(const Project& project,
                                                 const std::string& repo_dir,
                                                 const std::string& base_ref) {
  return components_touched_by(project, changed_files(repo_dir, base_ref, {project.root + "/" + project.settings.work_dir}));
}

}  // namespace strata

#include "config/js/js_stack_loader.h"

#include <algorithm>
#include <filesystem>

namespace fs = std::filesystem;

namespace strata::js {

std::vector<std::string> find_stack_files(const std::string& stacks_dir,
                                          const std::vector<std::string>& skip) {
  std::vector<std::string> files;
  std::error_code ec;
  if (!fs::is_directory(stacks_dir, ec)) return files;
  auto options = fs::directory_options::skip_permission_denied;
  for (auto it = fs::recursive_directory_iterator(stacks_dir, options, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& p = it->path();
    std::string name = p.filename().string();
    if (it->is_directory(ec)) {
      bool excluded = name == "node_modules" || name.starts_with(".") ||
                      std::find(skip.begin(), skip.end(), p.string()) != skip.end();
      if (excluded) it.disable_recursion_pending();
      continue;
    }
    if (p.extension() == ".js" && it->is_regular_file(ec)) files.push_back(p.string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void load_js_stacks(const std::vector<std::string>& files, const RunnerOptions& options,
                    std::map<std::string, Stack>& stacks, Diagnostics& diagnostics) {
  StackFileRunner runner(options);
  for (const auto& file : files) {
    try {
      auto stack = runner.run_file(file);
      if (!stack) continue;
      auto [it, inserted] = stacks.try_emplace(stack->name, std::move(*stack));
      if (!inserted) {
        diagnostics.error(stack->origin,
                          "stack '" + stack->name + "' is declared twice: in " +
                              it->second.source_file + " (" + it->second.origin.str() +
                              ") and in " + stack->source_file,
                          "give each stack its own name; stack names must be unique in a project");
      }
    } catch (const Error& e) {
      diagnostics.error(e.origin(), e.message(), e.hint());
    }
  }
}

}  // namespace strata::js

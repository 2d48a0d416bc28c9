// The JavaScript front-end's entry point: every **/*.js under the stacks folder, in sorted
// order, each in a fresh context. Files that declare no stack are helpers and are skipped.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/js/stack_file_runner.h"
#include "model/error.h"
#include "model/project.h"

namespace strata::js {

// The stack files under `stacks_dir` (absolute paths, sorted). Folders named node_modules,
// hidden folders and the folders in `skip` (absolute) are not searched.
std::vector<std::string> find_stack_files(const std::string& stacks_dir,
                                          const std::vector<std::string>& skip = {});

// How many files ran and how many results came from the cache (options.cache_dir).
struct JsLoadStats {
  size_t ran = 0;
  size_t reused = 0;
};

// Runs every stack file and adds its stack to `stacks`. Each problem (a failing file, a stack
// name used twice) becomes a diagnostic; the other files still load. With options.cache_dir,
// results of unchanged files are reused instead of running them again (js_cache.h).
void load_js_stacks(const std::vector<std::string>& files, const RunnerOptions& options,
                    std::map<std::string, Stack>& stacks, Diagnostics& diagnostics,
                    JsLoadStats* stats = nullptr);

}  // namespace strata::js

// js_load_bench: how long strata takes to load a large JavaScript project, and its peak memory.
//   js_load_bench [STACKS [COMPONENTS]]   (default 1000 stack files x 10 components)
// Generates the project in a temporary folder, loads it three times, prints the fastest run.
#include <stdlib.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "config/project_loader.h"
#include "project_generator.h"

int main(int argc, char** argv) {
  int stacks = argc > 1 ? std::atoi(argv[1]) : 1000;
  int components = argc > 2 ? std::atoi(argv[2]) : 10;
  std::string pattern =
      (std::filesystem::temp_directory_path() / "strata-js-bench-XXXXXX").string();
  std::string dir = ::mkdtemp(pattern.data());
  strata::bench::generate_js_project(dir, {stacks, components, false});

  auto cpu_seconds = [] {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  };
  int status = 0;
  // Every file run (the first load of a project, or STRATA_JS_CACHE=0), then the files unchanged
  // since a previous load (their results reused from <work_dir>/.cache/js).
  for (bool cache : {false, true}) {
    strata::config::LoadOptions options;
    options.start_dir = dir;
    options.js_cache = cache;
    if (cache) strata::config::load_project_with_diagnostics(options);  // fills the cache
    double best = 1e9, best_cpu = 1e9;
    size_t loaded_stacks = 0, loaded_components = 0;
    for (int round = 0; round < 3; ++round) {
      auto start = std::chrono::steady_clock::now();
      double cpu_start = cpu_seconds();
      auto loaded = strata::config::load_project_with_diagnostics(options);
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      best = std::min(best, seconds);
      best_cpu = std::min(best_cpu, cpu_seconds() - cpu_start);
      if (loaded.diagnostics.has_errors()) {
        std::fprintf(stderr, "load failed: %s\n", loaded.diagnostics.items()[0].render().c_str());
        status = 1;
        break;
      }
      if (cache && loaded.js_stats.ran != 0) {
        std::fprintf(stderr, "%zu files ran again although none changed\n", loaded.js_stats.ran);
        status = 1;
      }
      loaded_stacks = loaded.project.stacks.size();
      loaded_components = 0;
      for (const auto& [_, s] : loaded.project.stacks) loaded_components += s.components.size();
    }
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    std::printf(
        "js_load_bench%s: %zu stacks, %zu components loaded in %.3f s wall, %.3f s CPU (best "
        "of 3; %.2f ms per stack file); peak RSS %.1f MiB\n",
        cache ? " (unchanged files, results reused)" : "", loaded_stacks, loaded_components, best,
        best_cpu, best * 1000.0 / std::max(1, stacks), usage.ru_maxrss / 1024.0);
  }
  std::filesystem::remove_all(dir);
  return status;
}

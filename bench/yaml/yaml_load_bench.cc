// yaml_load_bench: how long strata takes to load a large hierarchical YAML (Kompos) project and
// its peak memory.
//   yaml_load_bench [CLUSTERS_PER_REGION]   (default 20: 2x5x10x20 clusters x 5 = 10,000 leaves)
// Generates the tree in a temporary folder, loads it (layering, interpolation, mapping to
// stacks) three times with a fresh loader each time, prints the fastest run.
#include <stdlib.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "config/yaml/yaml_stack_loader.h"
#include "yaml_tree_generator.h"

int main(int argc, char** argv) {
  strata::bench::YamlTreeShape shape;
  if (argc > 1) shape.clusters = std::atoi(argv[1]);
  std::string pattern =
      (std::filesystem::temp_directory_path() / "strata-yaml-bench-XXXXXX").string();
  std::string dir = ::mkdtemp(pattern.data());
  int leaves = strata::bench::generate_yaml_tree(dir, shape);

  auto cpu_seconds = [] {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  };
  double best = 1e9, best_cpu = 1e9;
  size_t stacks_loaded = 0, components_loaded = 0;
  int status = 0;
  for (int round = 0; round < 3; ++round) {
    auto start = std::chrono::steady_clock::now();
    double cpu_start = cpu_seconds();
    std::map<std::string, strata::Stack> stacks;
    strata::Diagnostics diagnostics;
    strata::yaml::load_yaml_stacks(dir, strata::Settings{}, {}, stacks, diagnostics);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::min(best, seconds);
    best_cpu = std::min(best_cpu, cpu_seconds() - cpu_start);
    if (diagnostics.has_errors()) {
      std::fprintf(stderr, "load failed: %s\n", diagnostics.items()[0].render().c_str());
      status = 1;
      break;
    }
    stacks_loaded = stacks.size();
    components_loaded = 0;
    for (const auto& [_, s] : stacks) components_loaded += s.components.size();
  }
  std::filesystem::remove_all(dir);
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  std::printf(
      "yaml_load_bench: %d leaf folders -> %zu stacks, %zu components loaded in %.3f s wall, "
      "%.3f s CPU (best of 3); peak RSS %.1f MiB\n",
      leaves, stacks_loaded, components_loaded, best, best_cpu, usage.ru_maxrss / 1024.0);
  return status;
}

// bench_project_gen: writes a synthetic JavaScript project (see project_generator.h).
//   bench_project_gen DIR [STACKS [COMPONENTS]]     (default 1000 stacks x 10 components)
#include <cstdio>
#include <cstdlib>
#include <string>

#include "project_generator.h"

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help") {
    std::fprintf(stderr, "usage: bench_project_gen DIR [STACKS [COMPONENTS]]\n");
    return 2;
  }
  strata::bench::JsProjectShape shape;
  if (argc > 2) shape.stacks = std::atoi(argv[2]);
  if (argc > 3) shape.components = std::atoi(argv[3]);
  int n = strata::bench::generate_js_project(argv[1], shape);
  std::printf("%d components in %d stacks written to %s\n", n, shape.stacks + 1, argv[1]);
  return 0;
}

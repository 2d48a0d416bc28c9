// Writes a synthetic Comet-style project for benchmarks: N stack files of M components each,
// with a shared helper (require), a backend, cross-component references and providers.
#pragma once

#include <string>

namespace strata::bench {

// Writes <dir>/comet.yaml, <dir>/stacks/lib/naming.js and <dir>/stacks/env-<i>.stack.js.
void generate_stack_project(const std::string& dir, int stacks, int components_per_stack);

}  // namespace strata::bench

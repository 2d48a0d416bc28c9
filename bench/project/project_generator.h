// Writes synthetic Comet-style JavaScript projects for benchmarks, shaped like a real monorepo:
// N stack files of M components, a shared helper module (require), a backend with templates,
// references between components of a stack and across stacks, providers and appended lines, and
// the Terraform modules the components use (terraform_data resources, so tofu-sim and a real
// Terraform can run them).
#pragma once

#include <string>

namespace strata::bench {

struct JsProjectShape {
  int stacks = 1000;
  int components = 10;       // per stack
  bool with_modules = true;  // write modules/m0..m3 (needed to generate or run, not to load)
};

// Writes <dir>/comet.yaml, <dir>/stacks/lib/naming.js, <dir>/stacks/shared.stack.js (a `shared`
// stack with one `network` component every other stack references) and
// <dir>/stacks/env-<i>.stack.js. Returns the number of components written.
int generate_js_project(const std::string& dir, const JsProjectShape& shape);

}  // namespace strata::bench

// himl interpolation over a merged configuration tree: `{{a.b.c}}` paths through maps, partial
// substitution inside strings, whole-value substitution that keeps the type, nested placeholders
// by repeated passes, `{{env(NAME)}}`, secret references (`sops://…`), escaped ``{{` … `}}``
// kept literal, exclusion and filtering of top-level keys, and an error for anything left.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "secrets/secret_resolver.h"
#include "model/error.h"
#include "model/value.h"

namespace strata::yaml {

struct InterpolationOptions {
  // Variables for {{env(NAME)}}; null = the process environment.
  const std::map<std::string, std::string>* environment = nullptr;
  // Resolves string values that are whole secret references (sops://…); null = leave them.
  SecretResolver* secrets = nullptr;
  std::vector<std::string> exclude;  // top-level keys removed before interpolation
  std::vector<std::string> filter;   // if not empty, only these top-level keys are kept (after)
  int max_passes = 16;               // bounds reference cycles
  // Bound what placeholders can expand to (ones that repeat others grow exponentially, ones in
  // a cycle on every pass), so such input is an error instead of exhausting memory or the
  // stack: the length of one string, the values copied in all by whole-value placeholders, and
  // how deep those copies may nest, and the text substituted into strings in all.
  size_t max_string_size = 1 << 20;
  size_t max_total_growth = 64 << 20;
  size_t max_copied_values = 1'000'000;
  size_t max_depth = 1000;
};

// Resolves every placeholder of `data` (a map) in place. Each placeholder that cannot be
// resolved becomes an error in `diagnostics` naming the key path, the placeholder and the
// origin of the string that holds it; placeholders that still change after max_passes say so,
// and an expansion past the bounds above is one error naming the value and the bound.
void interpolate(Value& data, const InterpolationOptions& options, Diagnostics& diagnostics);

// The value at a dotted path through maps ("a.b.c"), or nullptr. Lists are not traversed,
// as in himl.
const Value* lookup_path(const Value& data, const std::string& dotted);

}  // namespace strata::yaml

// FNV-1a, 64 bit: a fast, stable fingerprint of text (init stamps, generation manifests).
// Not cryptographic: it detects changes, it does not authenticate.
#pragma once

#include <cstdint>
#include <string_view>

namespace strata {

inline uint64_t fnv1a(std::string_view text, uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace strata

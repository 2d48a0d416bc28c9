// SOPS decryption throughput: generates a ~1 MB SOPS YAML file with 10,000 encrypted values
// (strata's own encryptor, a fixed test age key), then times decrypt_sops() on it, including
// the age data-key unwrap and the MAC check, and reports values/second.
// Usage: sops_decrypt_bench [VALUES] [ITERATIONS]   (defaults 10000 and 20)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "secrets/sops.h"

int main(int argc, char** argv) {
  using namespace strata;
  int values = argc > 1 ? std::atoi(argv[1]) : 10000;
  int iterations = argc > 2 ? std::atoi(argv[2]) : 20;
  if (values <= 0 || iterations <= 0) {
    std::fprintf(stderr, "usage: sops_decrypt_bench [VALUES] [ITERATIONS]\n");
    return 2;
  }
  age::Identity id = age::Identity::x25519(
      "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0");
  std::vector<std::pair<std::string, std::string>> kv;
  kv.reserve(values);
  for (int i = 0; i < values; ++i) {
    char key[32], value[64];
    std::snprintf(key, sizeof key, "secret_%05d", i);
    std::snprintf(value, sizeof value, "value-%05d-0123456789abcdef", i);
    kv.emplace_back(key, value);
  }
  std::string text = secrets::encrypt_sops_yaml(kv, id.recipient());
  secrets::SopsOptions opts;
  opts.age_identities = std::vector<age::Identity>{id};

  // Warm-up and correctness check.
  Value first = secrets::decrypt_sops(text, secrets::SopsFormat::kYaml, "bench.enc.yaml", opts);
  if (!first.is_map() || first.as_map().size() != size_t(values)) {
    std::fprintf(stderr, "decrypted tree has the wrong size\n");
    return 1;
  }
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i)
    secrets::decrypt_sops(text, secrets::SopsFormat::kYaml, "bench.enc.yaml", opts);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double per_file = secs / iterations;
  std::printf("sops_decrypt_bench: file %.2f MB, %d values, %d iterations\n",
              double(text.size()) / 1e6, values, iterations);
  std::printf("  %.1f ms per file, %.0f values/second, %.1f MB/s\n", per_file * 1e3,
              values / per_file, double(text.size()) / 1e6 / per_file);
  return 0;
}

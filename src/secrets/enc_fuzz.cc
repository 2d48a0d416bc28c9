// libFuzzer target: the ENC[...] value parser, and a whole SOPS YAML/dotenv document walk
// (with a fixed key, so parsing and the decryption walk are reached). Failures must be
// strata::Error; anything else is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "model/error.h"
#include "secrets/sops.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  auto enc = strata::secrets::parse_enc(in);
  if (enc && enc->tag.size() != 16) __builtin_trap();
  static const strata::secrets::SopsOptions opts = [] {
    strata::secrets::SopsOptions o;
    o.age_identities = std::vector<strata::age::Identity>{};
    o.gpg_program = "/nonexistent/gpg";
    return o;
  }();
  for (auto format : {strata::secrets::SopsFormat::kDotenv, strata::secrets::SopsFormat::kIni}) {
    try {
      strata::secrets::decrypt_sops(in, format, "fuzz", opts);
    } catch (const strata::Error&) {
    }
  }
  return 0;
}

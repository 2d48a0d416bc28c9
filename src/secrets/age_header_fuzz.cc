// libFuzzer target: the age header parser, armor decoder and payload framing on arbitrary
// bytes. Any failure must be an AgeError (a crash, sanitizer report or other exception is a bug).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "secrets/age.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<strata::age::Identity> ids = {strata::age::Identity::x25519(
      "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0")};
  std::string_view in(reinterpret_cast<const char*>(data), size);
  try {
    strata::age::decrypt(in, ids);
  } catch (const strata::age::AgeError&) {
  }
  try {
    strata::age::dearmor(in);
  } catch (const strata::age::AgeError&) {
  }
  return 0;
}

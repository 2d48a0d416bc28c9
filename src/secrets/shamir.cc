#include "secrets/shamir.h"

#include <openssl/rand.h>

#include <set>

#include "model/error.h"

namespace strata::secrets {

uint8_t gf_mul(uint8_t a, uint8_t b) {
  uint8_t product = 0;
  while (b) {
    if (b & 1) product ^= a;
    bool carry = a & 0x80;
    a = static_cast<uint8_t>(a << 1);
    if (carry) a ^= 0x1b;
    b >>= 1;
  }
  return product;
}

namespace {

uint8_t gf_inverse(uint8_t a) {
  // a^254 = a^-1 in GF(2^8) (a != 0).
  uint8_t result = 1, base = a;
  for (int e = 254; e; e >>= 1) {
    if (e & 1) result = gf_mul(result, base);
    base = gf_mul(base, base);
  }
  return result;
}

}  // namespace

std::string shamir_combine(const std::vector<std::string>& shares) {
  if (shares.size() < 2) throw Error("Shamir key groups: at least two shares are needed to rebuild the data key");
  size_t length = shares[0].size();
  if (length < 2) throw Error("Shamir key groups: a share is shorter than two bytes");
  std::vector<uint8_t> xs;
  std::set<uint8_t> seen;
  for (const auto& s : shares) {
    if (s.size() != length) throw Error("Shamir key groups: the shares have different lengths");
    uint8_t x = static_cast<uint8_t>(s.back());
    if (x == 0 || !seen.insert(x).second) throw Error("Shamir key groups: two shares have the same x coordinate");
    xs.push_back(x);
  }
  // Lagrange interpolation at x = 0: secret = sum_i y_i * prod_{j != i} x_j / (x_i - x_j).
  std::vector<uint8_t> basis(xs.size(), 1);
  for (size_t i = 0; i < xs.size(); ++i) {
    for (size_t j = 0; j < xs.size(); ++j) {
      if (i != j) basis[i] = gf_mul(basis[i], gf_mul(xs[j], gf_inverse(xs[i] ^ xs[j])));
    }
  }
  std::string secret(length - 1, '\0');
  for (size_t byte = 0; byte + 1 < length; ++byte) {
    uint8_t value = 0;
    for (size_t i = 0; i < shares.size(); ++i) value ^= gf_mul(static_cast<uint8_t>(shares[i][byte]), basis[i]);
    secret[byte] = static_cast<char>(value);
  }
  return secret;
}

std::vector<std::string> shamir_split(const std::string& secret, int parts, int threshold) {
  if (threshold < 2 || parts < threshold || parts > 255 || secret.empty())
    throw Error("shamir_split: need 2 <= threshold <= parts <= 255 and a secret");
  std::vector<std::string> shares(static_cast<size_t>(parts), std::string(secret.size() + 1, '\0'));
  for (int p = 0; p < parts; ++p) shares[static_cast<size_t>(p)].back() = static_cast<char>(p + 1);
  std::vector<uint8_t> coefficients(static_cast<size_t>(threshold));
  for (size_t byte = 0; byte < secret.size(); ++byte) {
    coefficients[0] = static_cast<uint8_t>(secret[byte]);
    do {
      if (RAND_bytes(coefficients.data() + 1, threshold - 1) != 1) throw Error("shamir_split: no randomness");
    } while (coefficients.back() == 0);
    for (int p = 0; p < parts; ++p) {
      uint8_t x = static_cast<uint8_t>(p + 1), y = 0;
      for (size_t c = coefficients.size(); c-- > 0;) y = static_cast<uint8_t>(gf_mul(y, x) ^ coefficients[c]);
      shares[static_cast<size_t>(p)][byte] = static_cast<char>(y);
    }
  }
  return shares;
}

}  // namespace strata::secrets

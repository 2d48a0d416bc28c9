// Shamir's secret sharing over GF(2^8), as SOPS uses it for key groups (the algorithm of
// HashiCorp Vault's shamir package, which sops carries): each share is the secret's length plus
// one byte, the y value of one random polynomial per secret byte, then the share's x coordinate.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace strata::secrets {

// Multiplication in the AES field GF(2^8) mod x^8 + x^4 + x^3 + x + 1.
uint8_t gf_mul(uint8_t a, uint8_t b);

// Rebuilds the secret from `threshold` or more shares (any order). Throws strata::Error when
// fewer than two shares are given, their lengths differ or two share one x coordinate.
std::string shamir_combine(const std::vector<std::string>& shares);

// Splits `secret` into `parts` shares, any `threshold` of which rebuild it (2 <= threshold <=
// parts <= 255). For fixtures and tests: sops writes such files, strata only reads them.
std::vector<std::string> shamir_split(const std::string& secret, int parts, int threshold);

}  // namespace strata::secrets

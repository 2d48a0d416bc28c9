// Decimal: an arbitrary-precision decimal number (sign, digit string, power-of-ten exponent) so
// HCL arithmetic keeps the exact text of numbers as written. Addition, subtraction,
// multiplication and modulo are exact; division keeps kDivisionDigits significant digits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strata::hcl {

class Decimal {
 public:
  static constexpr int kDivisionDigits = 160;     // more than cty's 512-bit binary mantissa
  static constexpr int64_t kMaxExponent = 10000;  // parse() rejects 1e10001 and beyond

  Decimal() = default;
  static Decimal from_int(int64_t v);
  // Parses "12", "-1.5", "3e-2"; returns nullopt for anything else (or an absurd exponent).
  static std::optional<Decimal> parse(std::string_view text);

  // Plain decimal text without exponent ("1000", "0.001", "-2.5"); huge magnitudes use "1e+400".
  std::string str() const;
  bool is_zero() const { return digits_.empty(); }
  bool negative() const { return negative_; }
  bool is_integer() const { return exponent_ >= 0; }
  std::optional<int64_t> to_int64() const;
  double to_double() const;

  Decimal operator-() const;
  friend Decimal operator+(const Decimal& a, const Decimal& b);
  friend Decimal operator-(const Decimal& a, const Decimal& b);
  friend Decimal operator*(const Decimal& a, const Decimal& b);
  // Division and modulo report division by zero through *ok.
  static Decimal divide(const Decimal& a, const Decimal& b, bool* ok);
  // a - b * trunc(a / b): the sign follows a, as in cty.
  static Decimal modulo(const Decimal& a, const Decimal& b, bool* ok);
  Decimal floor() const;
  Decimal ceil() const;
  Decimal abs() const {
    Decimal d = *this;
    d.negative_ = false;
    return d;
  }
  static int compare(const Decimal& a, const Decimal& b);
  bool operator==(const Decimal& o) const { return compare(*this, o) == 0; }
  bool operator<(const Decimal& o) const { return compare(*this, o) < 0; }

 private:
  void normalize();
  static Decimal add_signed(const Decimal& a, const Decimal& b, bool negate_b);

  bool negative_ = false;
  std::string digits_;    // most significant first, no leading zeros; empty = zero
  int64_t exponent_ = 0;  // value = digits * 10^exponent
};

}  // namespace strata::hcl

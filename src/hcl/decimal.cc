#include "hcl/decimal.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <vector>

namespace strata::hcl {
namespace {

// Magnitude helpers on digit strings (most significant first, possibly with leading zeros).
int cmp_mag(const std::string& a, const std::string& b) {
  size_t ia = a.find_first_not_of('0'), ib = b.find_first_not_of('0');
  std::string_view va = ia == std::string::npos ? "" : std::string_view(a).substr(ia);
  std::string_view vb = ib == std::string::npos ? "" : std::string_view(b).substr(ib);
  if (va.size() != vb.size()) return va.size() < vb.size() ? -1 : 1;
  int c = va.compare(vb);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

std::string add_mag(const std::string& a, const std::string& b) {
  std::string out;
  out.reserve(std::max(a.size(), b.size()) + 1);
  int carry = 0;
  for (size_t i = 0; i < a.size() || i < b.size() || carry; ++i) {
    int d = carry;
    if (i < a.size()) d += a[a.size() - 1 - i] - '0';
    if (i < b.size()) d += b[b.size() - 1 - i] - '0';
    out += static_cast<char>('0' + d % 10);
    carry = d / 10;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// a - b, requires a >= b.
std::string sub_mag(const std::string& a, const std::string& b) {
  std::string out;
  out.reserve(a.size());
  int borrow = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    int d = (a[a.size() - 1 - i] - '0') - borrow;
    if (i < b.size()) d -= b[b.size() - 1 - i] - '0';
    borrow = d < 0;
    if (d < 0) d += 10;
    out += static_cast<char>('0' + d);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::string mul_mag(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return "";
  std::vector<int> acc(a.size() + b.size(), 0);
  for (size_t i = 0; i < a.size(); ++i) {
    int da = a[a.size() - 1 - i] - '0';
    if (!da) continue;
    for (size_t j = 0; j < b.size(); ++j) acc[i + j] += da * (b[b.size() - 1 - j] - '0');
  }
  std::string out;
  int carry = 0;
  for (size_t k = 0; k < acc.size(); ++k) {
    int d = acc[k] + carry;
    out += static_cast<char>('0' + d % 10);
    carry = d / 10;
  }
  while (carry) {
    out += static_cast<char>('0' + carry % 10);
    carry /= 10;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// Long division of integers: quotient digits and remainder.
void divmod_mag(const std::string& a, const std::string& b, std::string* q, std::string* r) {
  q->clear();
  std::string rem;
  for (char c : a) {
    rem += c;
    size_t nz = rem.find_first_not_of('0');
    rem = nz == std::string::npos ? "" : rem.substr(nz);
    int d = 0;
    while (cmp_mag(rem, b) >= 0) {
      rem = sub_mag(rem, b);
      size_t z = rem.find_first_not_of('0');
      rem = z == std::string::npos ? "" : rem.substr(z);
      ++d;
    }
    *q += static_cast<char>('0' + d);
  }
  *r = rem;
}

}  // namespace

void Decimal::normalize() {
  size_t nz = digits_.find_first_not_of('0');
  if (nz == std::string::npos) {
    digits_.clear();
    exponent_ = 0;
    negative_ = false;
    return;
  }
  digits_.erase(0, nz);
  size_t last = digits_.find_last_not_of('0');
  exponent_ += static_cast<int64_t>(digits_.size() - 1 - last);
  digits_.resize(last + 1);
}

Decimal Decimal::from_int(int64_t v) {
  Decimal d;
  d.negative_ = v < 0;
  uint64_t m = v < 0 ? static_cast<uint64_t>(-(v + 1)) + 1 : static_cast<uint64_t>(v);
  d.digits_ = std::to_string(m);
  d.normalize();
  return d;
}

std::optional<Decimal> Decimal::parse(std::string_view t) {
  Decimal d;
  size_t i = 0;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) d.negative_ = t[i++] == '-';
  bool any = false;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
    d.digits_ += t[i++];
    any = true;
  }
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      d.digits_ += t[i++];
      --d.exponent_;
      any = true;
    }
  }
  if (!any) return std::nullopt;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) eneg = t[i++] == '-';
    if (i >= t.size()) return std::nullopt;
    int64_t e = 0;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      if (e < 100000000) e = e * 10 + (t[i] - '0');
      ++i;
    }
    d.exponent_ += eneg ? -e : e;
  }
  // Far beyond any configuration value; refusing it keeps arithmetic bounded.
  if (d.exponent_ > kMaxExponent || d.exponent_ < -kMaxExponent) return std::nullopt;
  if (i != t.size()) return std::nullopt;
  d.normalize();
  return d;
}

std::string Decimal::str() const {
  if (digits_.empty()) return "0";
  std::string out = negative_ ? "-" : "";
  int64_t n = static_cast<int64_t>(digits_.size());
  if (exponent_ > 1000 || exponent_ + n < -1000) {
    out += digits_.substr(0, 1);
    if (n > 1) out += "." + digits_.substr(1);
    int64_t e = exponent_ + n - 1;
    out += (e < 0 ? "e-" : "e+") + std::to_string(e < 0 ? -e : e);
    return out;
  }
  if (exponent_ >= 0) return out + digits_ + std::string(exponent_, '0');
  int64_t int_digits = n + exponent_;
  if (int_digits > 0) return out + digits_.substr(0, int_digits) + "." + digits_.substr(int_digits);
  return out + "0." + std::string(-int_digits, '0') + digits_;
}

std::optional<int64_t> Decimal::to_int64() const {
  if (!is_integer()) return std::nullopt;
  if (digits_.size() + exponent_ > 19) return std::nullopt;
  std::string s = str();
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0) return std::nullopt;
  return static_cast<int64_t>(v);
}

double Decimal::to_double() const { return std::strtod(str().c_str(), nullptr); }

Decimal Decimal::operator-() const {
  Decimal d = *this;
  if (!d.digits_.empty()) d.negative_ = !d.negative_;
  return d;
}

Decimal Decimal::add_signed(const Decimal& a, const Decimal& b, bool negate_b) {
  bool bneg = negate_b ? !b.negative_ : b.negative_;
  if (b.digits_.empty()) return a;
  if (a.digits_.empty()) {
    Decimal r = b;
    r.negative_ = bneg;
    return r;
  }
  int64_t e = std::min(a.exponent_, b.exponent_);
  std::string ad = a.digits_ + std::string(a.exponent_ - e, '0');
  std::string bd = b.digits_ + std::string(b.exponent_ - e, '0');
  Decimal r;
  r.exponent_ = e;
  if (a.negative_ == bneg) {
    r.digits_ = add_mag(ad, bd);
    r.negative_ = a.negative_;
  } else if (cmp_mag(ad, bd) >= 0) {
    r.digits_ = sub_mag(ad, bd);
    r.negative_ = a.negative_;
  } else {
    r.digits_ = sub_mag(bd, ad);
    r.negative_ = bneg;
  }
  r.normalize();
  return r;
}

Decimal operator+(const Decimal& a, const Decimal& b) { return Decimal::add_signed(a, b, false); }
Decimal operator-(const Decimal& a, const Decimal& b) { return Decimal::add_signed(a, b, true); }

Decimal operator*(const Decimal& a, const Decimal& b) {
  Decimal r;
  r.digits_ = mul_mag(a.digits_, b.digits_);
  r.exponent_ = a.exponent_ + b.exponent_;
  r.negative_ = a.negative_ != b.negative_;
  r.normalize();
  return r;
}

Decimal Decimal::divide(const Decimal& a, const Decimal& b, bool* ok) {
  *ok = !b.digits_.empty();
  if (!*ok || a.digits_.empty()) return Decimal();
  // Scale the dividend so the integer quotient has enough significant digits.
  int64_t extra = kDivisionDigits + static_cast<int64_t>(b.digits_.size()) -
                  static_cast<int64_t>(a.digits_.size());
  if (extra < 0) extra = 0;
  std::string q, r;
  divmod_mag(a.digits_ + std::string(extra, '0'), b.digits_, &q, &r);
  Decimal out;
  out.digits_ = q;
  out.exponent_ = a.exponent_ - extra - b.exponent_;
  out.negative_ = a.negative_ != b.negative_;
  out.normalize();
  // Round to kDivisionDigits significant digits (half up on the first dropped digit).
  if (static_cast<int64_t>(out.digits_.size()) > kDivisionDigits) {
    size_t drop = out.digits_.size() - kDivisionDigits;
    bool up = out.digits_[kDivisionDigits] >= '5';
    out.digits_.resize(kDivisionDigits);
    out.exponent_ += static_cast<int64_t>(drop);
    if (up) out.digits_ = add_mag(out.digits_, "1");
    out.normalize();
  }
  return out;
}

Decimal Decimal::modulo(const Decimal& a, const Decimal& b, bool* ok) {
  *ok = !b.digits_.empty();
  if (!*ok || a.digits_.empty()) return Decimal();
  int64_t e = std::min(a.exponent_, b.exponent_);
  std::string ad = a.digits_ + std::string(a.exponent_ - e, '0');
  std::string bd = b.digits_ + std::string(b.exponent_ - e, '0');
  std::string q, r;
  divmod_mag(ad, bd, &q, &r);
  Decimal out;
  out.digits_ = r;
  out.exponent_ = e;
  out.negative_ = a.negative_;
  out.normalize();
  return out;
}

Decimal Decimal::floor() const {
  if (is_integer()) return *this;
  int64_t keep = static_cast<int64_t>(digits_.size()) + exponent_;
  Decimal r;
  r.negative_ = negative_;
  r.digits_ = keep > 0 ? digits_.substr(0, keep) : "";
  r.normalize();
  if (negative_) r = r - Decimal::from_int(1);
  return r;
}

Decimal Decimal::ceil() const { return -((-*this).floor()); }

int Decimal::compare(const Decimal& a, const Decimal& b) {
  Decimal d = a - b;
  if (d.digits_.empty()) return 0;
  return d.negative_ ? -1 : 1;
}

}  // namespace strata::hcl

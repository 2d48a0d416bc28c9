// Sprig's defaults and flow control, type conversion, encoding, math, hashing, regular
// expressions, uuidv4 and date functions (defaults.go, numeric.go, crypto.go, regex.go, date.go).
#include <cmath>
#include <cstdio>
#include <cstring>
#include <regex>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "template/functions.h"
#include "template/go_format.h"
#include "template/go_json.h"
#include "template/go_time.h"

namespace strata::tpl {

namespace {

// --- defaults and flow

Val fn_default(CallContext&, std::vector<Val>& a) {
  if (a.size() < 2 || is_empty(a[1])) return a[0];
  return a[1];
}
Val fn_empty(CallContext&, std::vector<Val>& a) { return Val::boolean(is_empty(a[0])); }
Val fn_coalesce(CallContext&, std::vector<Val>& a) {
  for (const auto& v : a)
    if (!is_empty(v)) return v;
  return Val::nil();
}
Val fn_all(CallContext&, std::vector<Val>& a) {
  for (const auto& v : a)
    if (is_empty(v)) return Val::boolean(false);
  return Val::boolean(true);
}
Val fn_any(CallContext&, std::vector<Val>& a) {
  for (const auto& v : a)
    if (!is_empty(v)) return Val::boolean(true);
  return Val::boolean(false);
}
Val fn_ternary(CallContext&, std::vector<Val>& a) { return a[2].as_bool() ? a[0] : a[1]; }
Val fn_fail(CallContext&, std::vector<Val>& a) { throw FuncError(a[0].as_string()); }

// --- conversion

Val fn_to_string(CallContext&, std::vector<Val>& a) { return Val::string(strval(a[0])); }
Val fn_to_json(CallContext&, std::vector<Val>& a) { return Val::string(to_go_json(a[0], false)); }
Val fn_to_pretty_json(CallContext&, std::vector<Val>& a) { return Val::string(to_go_json(a[0], true)); }
Val fn_to_raw_json(CallContext&, std::vector<Val>& a) { return Val::string(to_go_json(a[0], false, false)); }
Val fn_from_json(CallContext&, std::vector<Val>& a) {
  Val out;
  if (!from_go_json(a[0].as_string(), out)) return Val::nil();
  return out;
}

// strconv.Atoi as Sprig uses it (error ignored): 0 on a syntax error, the clamped limit on
// overflow.
Val fn_atoi(CallContext&, std::vector<Val>& a) {
  int64_t v = 0;
  parse_go_int(a[0].as_string(), 10, v);
  return Val::integer(v);
}
Val fn_int(CallContext&, std::vector<Val>& a) { return Val::integer(cast_int64(a[0])); }
Val fn_int64(CallContext&, std::vector<Val>& a) { return Val::integer(cast_int64(a[0]), Val::IntType::kInt64); }
Val fn_float64(CallContext&, std::vector<Val>& a) { return Val::floating(cast_float64(a[0])); }

// --- math: Sprig converts every operand to int64; Go's integer arithmetic wraps.

Val i64(uint64_t v) { return Val::integer(static_cast<int64_t>(v), Val::IntType::kInt64); }
uint64_t u(const Val& v) { return static_cast<uint64_t>(cast_int64(v)); }

Val fn_add(CallContext&, std::vector<Val>& a) {
  uint64_t s = 0;
  for (const auto& v : a) s += u(v);
  return i64(s);
}
Val fn_add1(CallContext&, std::vector<Val>& a) { return i64(u(a[0]) + 1); }
Val fn_sub(CallContext&, std::vector<Val>& a) { return i64(u(a[0]) - u(a[1])); }
Val fn_mul(CallContext&, std::vector<Val>& a) {
  uint64_t p = u(a[0]);
  for (size_t i = 1; i < a.size(); ++i) p *= u(a[i]);
  return i64(p);
}
Val fn_div(CallContext&, std::vector<Val>& a) {
  int64_t x = cast_int64(a[0]), y = cast_int64(a[1]);
  if (y == 0) throw FuncError("runtime error: integer divide by zero");
  if (y == -1) return i64(0 - static_cast<uint64_t>(x));
  return Val::integer(x / y, Val::IntType::kInt64);
}
Val fn_mod(CallContext&, std::vector<Val>& a) {
  int64_t x = cast_int64(a[0]), y = cast_int64(a[1]);
  if (y == 0) throw FuncError("runtime error: integer divide by zero");
  if (y == -1) return Val::integer(0, Val::IntType::kInt64);
  return Val::integer(x % y, Val::IntType::kInt64);
}
Val fn_max(CallContext&, std::vector<Val>& a) {
  int64_t m = cast_int64(a[0]);
  for (size_t i = 1; i < a.size(); ++i) m = std::max(m, cast_int64(a[i]));
  return Val::integer(m, Val::IntType::kInt64);
}
Val fn_min(CallContext&, std::vector<Val>& a) {
  int64_t m = cast_int64(a[0]);
  for (size_t i = 1; i < a.size(); ++i) m = std::min(m, cast_int64(a[i]));
  return Val::integer(m, Val::IntType::kInt64);
}
Val fn_floor(CallContext&, std::vector<Val>& a) { return Val::floating(std::floor(cast_float64(a[0]))); }
Val fn_ceil(CallContext&, std::vector<Val>& a) { return Val::floating(std::ceil(cast_float64(a[0]))); }
Val fn_round(CallContext&, std::vector<Val>& a) {
  double round_on = a.size() > 2 ? a[2].as_float() : 0.5;
  double val = cast_float64(a[0]);
  double pow = std::pow(10.0, static_cast<double>(a[1].as_int()));
  double digit = pow * val;
  double int_part = 0;
  double frac = std::modf(digit, &int_part);
  double r = frac >= round_on ? std::ceil(digit) : std::floor(digit);
  return Val::floating(r / pow);
}

// --- encoding and hashing

const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

Val fn_b64enc(CallContext&, std::vector<Val>& a) {
  const std::string& s = a[0].as_string();
  std::string out;
  size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    uint32_t n = (static_cast<unsigned char>(s[i]) << 16) | (static_cast<unsigned char>(s[i + 1]) << 8) |
                 static_cast<unsigned char>(s[i + 2]);
    out += kB64[(n >> 18) & 63];
    out += kB64[(n >> 12) & 63];
    out += kB64[(n >> 6) & 63];
    out += kB64[n & 63];
  }
  if (i < s.size()) {
    uint32_t n = static_cast<unsigned char>(s[i]) << 16;
    if (i + 1 < s.size()) n |= static_cast<unsigned char>(s[i + 1]) << 8;
    out += kB64[(n >> 18) & 63];
    out += kB64[(n >> 12) & 63];
    out += i + 1 < s.size() ? kB64[(n >> 6) & 63] : '=';
    out += '=';
  }
  return Val::string(out);
}

// Go's base64.StdEncoding.DecodeString; on error Sprig returns the error text.
Val fn_b64dec(CallContext&, std::vector<Val>& a) {
  std::string s;
  for (char c : a[0].as_string())
    if (c != '\r' && c != '\n') s += c;
  std::string out;
  auto val = [](char c) -> int {
    const char* p = std::strchr(kB64, c);
    return (c && p) ? static_cast<int>(p - kB64) : -1;
  };
  size_t i = 0;
  for (; i < s.size(); i += 4) {
    int v[4] = {0, 0, 0, 0};
    int n = 0;
    for (int k = 0; k < 4; ++k) {
      size_t j = i + static_cast<size_t>(k);
      if (j >= s.size()) {
        return Val::string("illegal base64 data at input byte " + std::to_string(s.size()));
      }
      if (s[j] == '=') {
        if (k < 2) return Val::string("illegal base64 data at input byte " + std::to_string(j));
        if (k == 2 && (j + 1 >= s.size() || s[j + 1] != '='))
          return Val::string("illegal base64 data at input byte " + std::to_string(j + 1 >= s.size() ? s.size() : j));
        if (i + 4 != s.size()) return Val::string("illegal base64 data at input byte " + std::to_string(i + 4));
        break;
      }
      v[k] = val(s[j]);
      if (v[k] < 0) return Val::string("illegal base64 data at input byte " + std::to_string(j));
      ++n;
    }
    uint32_t x = (static_cast<uint32_t>(v[0]) << 18) | (static_cast<uint32_t>(v[1]) << 12) |
                 (static_cast<uint32_t>(v[2]) << 6) | static_cast<uint32_t>(v[3]);
    out += static_cast<char>((x >> 16) & 255);
    if (n > 2) out += static_cast<char>((x >> 8) & 255);
    if (n > 3) out += static_cast<char>(x & 255);
  }
  return Val::string(out);
}

std::string digest_hex(const EVP_MD* md, const std::string& s) {
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(s.data(), s.size(), buf, &len, md, nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[buf[i] >> 4];
    out += kHex[buf[i] & 15];
  }
  return out;
}

Val fn_sha1sum(CallContext&, std::vector<Val>& a) { return Val::string(digest_hex(EVP_sha1(), a[0].as_string())); }
Val fn_sha256sum(CallContext&, std::vector<Val>& a) { return Val::string(digest_hex(EVP_sha256(), a[0].as_string())); }

Val fn_uuidv4(CallContext&, std::vector<Val>&) {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) throw FuncError("uuidv4: no random source");
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  char out[37];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return Val::string(out);
}

// --- regular expressions: RE2 syntax mapped onto ECMAScript regexes for the common subset.

std::regex compile(const std::string& pattern) {
  std::string p = pattern;
  auto flags = std::regex::ECMAScript;
  if (p.rfind("(?i)", 0) == 0) {
    p = p.substr(4);
    flags |= std::regex::icase;
  }
  std::string q;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p.compare(i, 4, "(?P<") == 0) {
      size_t close = p.find('>', i);
      if (close != std::string::npos) {
        q += '(';
        i = close;
        continue;
      }
    }
    if (p[i] == '\\' && i + 1 < p.size()) {
      if (p[i + 1] == 'A') { q += '^'; ++i; continue; }
      if (p[i + 1] == 'z') { q += '$'; ++i; continue; }
      q += p.substr(i, 2);
      ++i;
      continue;
    }
    q += p[i];
  }
  try {
    return std::regex(q, flags);
  } catch (const std::regex_error&) {
    throw FuncError("regexp: Compile(`" + pattern + "`): error parsing regexp: invalid or unsupported syntax: `" +
                    pattern + "`");
  }
}

// All matches as Go finds them: an empty match right after the previous match is skipped.
std::vector<std::pair<size_t, size_t>> find_all(const std::regex& re, const std::string& s, int64_t n) {
  std::vector<std::pair<size_t, size_t>> out;
  size_t pos = 0;
  long prev_end = -1;
  while (pos <= s.size() && (n < 0 || static_cast<int64_t>(out.size()) < n)) {
    std::smatch m;
    auto flags = pos > 0 ? std::regex_constants::match_prev_avail : std::regex_constants::match_default;
    if (!std::regex_search(s.begin() + static_cast<std::ptrdiff_t>(pos), s.end(), m, re, flags)) break;
    size_t b = pos + static_cast<size_t>(m.position(0));
    size_t e = b + static_cast<size_t>(m.length(0));
    if (e == b && static_cast<long>(b) == prev_end) {
      // skip this empty match
    } else {
      out.emplace_back(b, e);
      prev_end = static_cast<long>(e);
    }
    if (e > pos && e > b) pos = e;
    else pos = b + 1;
    if (b + 1 > s.size() && e == b) break;
  }
  return out;
}

Val fn_regex_match(CallContext&, std::vector<Val>& a) {
  std::regex re;
  try {
    re = compile(a[0].as_string());
  } catch (const FuncError&) {
    return Val::boolean(false);
  }
  return Val::boolean(std::regex_search(a[1].as_string(), re));
}

Val fn_regex_find(CallContext&, std::vector<Val>& a) {
  std::regex re = compile(a[0].as_string());
  std::smatch m;
  const std::string& s = a[1].as_string();
  if (!std::regex_search(s, m, re)) return Val::string("");
  return Val::string(m.str(0));
}

Val fn_regex_find_all(CallContext&, std::vector<Val>& a) {
  std::regex re = compile(a[0].as_string());
  const std::string& s = a[1].as_string();
  Val::List out;
  for (auto [b, e] : find_all(re, s, a[2].as_int())) out.push_back(Val::string(s.substr(b, e - b)));
  return Val::list(std::move(out));
}

std::string expand(const std::string& tmpl, const std::smatch& m, const std::string& s, size_t base) {
  (void)s;
  (void)base;
  std::string out;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] != '$' || i + 1 >= tmpl.size()) {
      out += tmpl[i];
      continue;
    }
    if (tmpl[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    std::string name;
    size_t j = i + 1;
    bool braced = tmpl[j] == '{';
    if (braced) ++j;
    while (j < tmpl.size() && (std::isalnum(static_cast<unsigned char>(tmpl[j])) || tmpl[j] == '_')) name += tmpl[j++];
    if (braced) {
      if (j >= tmpl.size() || tmpl[j] != '}' || name.empty()) {
        out += tmpl[i];
        continue;
      }
      ++j;
    }
    if (name.empty()) {
      out += tmpl[i];
      continue;
    }
    bool numeric = name.find_first_not_of("0123456789") == std::string::npos;
    if (numeric && name.size() < 6) {
      size_t idx = static_cast<size_t>(std::stoul(name));
      if (idx < m.size() && m[idx].matched) out += m[idx].str();
    }
    i = j - 1;
  }
  return out;
}

Val replace_impl(std::vector<Val>& a, bool literal) {
  std::regex re = compile(a[0].as_string());
  const std::string& s = a[1].as_string();
  const std::string& repl = a[2].as_string();
  std::string out;
  size_t last = 0;
  for (auto [b, e] : find_all(re, s, -1)) {
    out.append(s, last, b - last);
    if (literal) {
      out += repl;
    } else {
      std::smatch m;
      std::string sub = s;
      auto flags = std::regex_constants::match_continuous;
      if (b > 0) flags |= std::regex_constants::match_prev_avail;
      std::regex_search(sub.cbegin() + static_cast<std::ptrdiff_t>(b), sub.cend(), m, re, flags);
      out += expand(repl, m, s, b);
    }
    last = e;
  }
  out.append(s, last, std::string::npos);
  return Val::string(out);
}

Val fn_regex_replace_all(CallContext&, std::vector<Val>& a) { return replace_impl(a, false); }
Val fn_regex_replace_all_literal(CallContext&, std::vector<Val>& a) { return replace_impl(a, true); }

Val fn_regex_split(CallContext&, std::vector<Val>& a) {
  const std::string& pattern = a[0].as_string();
  std::regex re = compile(pattern);
  const std::string& s = a[1].as_string();
  int64_t n = a[2].as_int();
  Val::List out;
  if (n == 0) return Val::list();
  if (!pattern.empty() && s.empty()) return Val::list({Val::string("")});
  size_t beg = 0, end = 0;
  for (auto [b, e] : find_all(re, s, n)) {
    if (n > 0 && static_cast<int64_t>(out.size()) == n - 1) break;
    end = b;
    if (e != 0) out.push_back(Val::string(s.substr(beg, end - beg)));
    beg = e;
  }
  if (end != s.size()) out.push_back(Val::string(s.substr(beg)));
  return Val::list(std::move(out));
}

Val fn_regex_quote_meta(CallContext&, std::vector<Val>& a) {
  std::string out;
  for (char c : a[0].as_string()) {
    if (std::strchr("\\.+*?()|[]{}^$", c) && c) out += '\\';
    out += c;
  }
  return Val::string(out);
}

// --- dates

Val fn_now(CallContext&, std::vector<Val>&) { return Val::time(now_unix_nanos()); }

Val fn_date(CallContext&, std::vector<Val>& a) {
  const Val& d = a[1];
  int64_t nanos;
  if (d.kind() == Val::Kind::kTime) nanos = d.as_time();
  else if (d.kind() == Val::Kind::kInt && d.int_type() != Val::IntType::kUint8) nanos = d.as_int() * 1000000000;
  else nanos = now_unix_nanos();
  return Val::string(format_go_time(nanos, a[0].as_string()));
}

Val fn_unix_epoch(CallContext&, std::vector<Val>& a) {
  if (a[0].kind() != Val::Kind::kTime)
    throw FuncError("wrong type for value; expected time.Time; got " + a[0].type_name());
  return Val::string(std::to_string(a[0].as_time() / 1000000000));
}

}  // namespace

void register_sprig_convert(FunctionTable& t) {
  using P = Param;
  t.push_back({"default", {P::kAny, P::kAny}, true, fn_default});
  t.push_back({"empty", {P::kAny}, false, fn_empty});
  t.push_back({"coalesce", {P::kAny}, true, fn_coalesce});
  t.push_back({"all", {P::kAny}, true, fn_all});
  t.push_back({"any", {P::kAny}, true, fn_any});
  t.push_back({"ternary", {P::kAny, P::kAny, P::kBool}, false, fn_ternary});
  t.push_back({"fail", {P::kString}, false, fn_fail});
  t.push_back({"toString", {P::kAny}, false, fn_to_string});
  t.push_back({"toJson", {P::kAny}, false, fn_to_json});
  t.push_back({"toPrettyJson", {P::kAny}, false, fn_to_pretty_json});
  t.push_back({"toRawJson", {P::kAny}, false, fn_to_raw_json});
  t.push_back({"fromJson", {P::kString}, false, fn_from_json});
  t.push_back({"atoi", {P::kString}, false, fn_atoi});
  t.push_back({"int", {P::kAny}, false, fn_int});
  t.push_back({"int64", {P::kAny}, false, fn_int64});
  t.push_back({"float64", {P::kAny}, false, fn_float64});
  t.push_back({"add", {P::kAny}, true, fn_add});
  t.push_back({"add1", {P::kAny}, false, fn_add1});
  t.push_back({"sub", {P::kAny, P::kAny}, false, fn_sub});
  t.push_back({"mul", {P::kAny, P::kAny}, true, fn_mul});
  t.push_back({"div", {P::kAny, P::kAny}, false, fn_div});
  t.push_back({"mod", {P::kAny, P::kAny}, false, fn_mod});
  t.push_back({"max", {P::kAny, P::kAny}, true, fn_max});
  t.push_back({"biggest", {P::kAny, P::kAny}, true, fn_max});
  t.push_back({"min", {P::kAny, P::kAny}, true, fn_min});
  t.push_back({"floor", {P::kAny}, false, fn_floor});
  t.push_back({"ceil", {P::kAny}, false, fn_ceil});
  t.push_back({"round", {P::kAny, P::kInt, P::kFloat}, true, fn_round});
  t.push_back({"b64enc", {P::kString}, false, fn_b64enc});
  t.push_back({"b64dec", {P::kString}, false, fn_b64dec});
  t.push_back({"sha1sum", {P::kString}, false, fn_sha1sum});
  t.push_back({"sha256sum", {P::kString}, false, fn_sha256sum});
  t.push_back({"uuidv4", {}, false, fn_uuidv4});
  t.push_back({"regexMatch", {P::kString, P::kString}, false, fn_regex_match});
  t.push_back({"regexFind", {P::kString, P::kString}, false, fn_regex_find});
  t.push_back({"regexFindAll", {P::kString, P::kString, P::kInt}, false, fn_regex_find_all});
  t.push_back({"regexReplaceAll", {P::kString, P::kString, P::kString}, false, fn_regex_replace_all});
  t.push_back({"regexReplaceAllLiteral", {P::kString, P::kString, P::kString}, false, fn_regex_replace_all_literal});
  t.push_back({"regexSplit", {P::kString, P::kString, P::kInt}, false, fn_regex_split});
  t.push_back({"regexQuoteMeta", {P::kString}, false, fn_regex_quote_meta});
  t.push_back({"now", {}, false, fn_now});
  t.push_back({"date", {P::kString, P::kAny}, false, fn_date});
  t.push_back({"unixEpoch", {P::kAny}, false, fn_unix_epoch});
}

}  // namespace strata::tpl

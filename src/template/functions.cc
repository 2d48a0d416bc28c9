#include "template/functions.h"

#include <cmath>
#include <cstdlib>
#include <unordered_map>

#include "template/go_format.h"

namespace strata::tpl {

namespace {

// Built once, never modified: later registrations override earlier ones, as Sprig's
// functions override text/template's builtins (notably `slice`).
class Registry {
 public:
  Registry() {
    register_builtins(table_);
    register_sprig_strings(table_);
    register_sprig_lists(table_);
    register_sprig_convert(table_);
    register_strata_functions(table_);
    for (const auto& f : table_) by_name_[f.name] = &f;
  }
  const FuncDef* find(std::string_view name) const {
    auto it = by_name_.find(std::string(name));
    return it == by_name_.end() ? nullptr : it->second;
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [n, f] : by_name_) out.push_back(n);
    return out;
  }

 private:
  FunctionTable table_;
  std::unordered_map<std::string, const FuncDef*> by_name_;
};

const Registry& registry() {
  static const Registry r;
  return r;
}

// cast's trimZeroDecimal: "12.000" reads as "12".
std::string trim_zero_decimal(std::string s) {
  size_t dot = s.find('.');
  if (dot == std::string::npos) return s;
  bool zeros = dot + 1 < s.size();
  for (size_t i = dot + 1; i < s.size(); ++i) zeros = zeros && s[i] == '0';
  return zeros ? s.substr(0, dot) : s;
}

}  // namespace

const FuncDef* find_function(std::string_view name) { return registry().find(name); }

IntParse parse_go_int(std::string_view s, int base, int64_t& out) {
  out = 0;
  size_t i = 0;
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    i = 1;
  }
  bool underscores = base == 0;
  if (base == 0) {
    base = 10;
    if (s.size() > i + 1 && s[i] == '0') {
      switch (s[i + 1] | 0x20) {
        case 'x':
          base = 16, i += 2;
          break;
        case 'b':
          base = 2, i += 2;
          break;
        case 'o':
          base = 8, i += 2;
          break;
        default:  // "017": octal, the digits after the 0 (there is at least one)
          base = 8, i += 1;
          break;
      }
    }
  }
  if (i >= s.size()) return IntParse::kSyntax;
  uint64_t v = 0;
  bool overflow = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_' && underscores) continue;
    int d = (c >= '0' && c <= '9')   ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                     : 99;
    if (d >= base) return IntParse::kSyntax;
    uint64_t b = static_cast<uint64_t>(base), digit = static_cast<uint64_t>(d);
    overflow = overflow || v > (UINT64_MAX - digit) / b;
    if (!overflow) v = v * b + digit;
  }
  if (overflow || v > (neg ? 9223372036854775808ULL : 9223372036854775807ULL)) {
    out = neg ? INT64_MIN : INT64_MAX;
    return IntParse::kRange;
  }
  out = neg ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return IntParse::kOk;
}
std::vector<std::string> function_names() { return registry().names(); }

int64_t cast_int64(const Val& v) {
  switch (v.kind()) {
    case Val::Kind::kInt: return v.as_int();
    case Val::Kind::kFloat: {
      double f = v.as_float();
      if (std::isnan(f) || f >= 9.2233720368547758e18 || f < -9.2233720368547758e18) return INT64_MIN;
      return static_cast<int64_t>(f);
    }
    case Val::Kind::kBool: return v.as_bool() ? 1 : 0;
    case Val::Kind::kString: {
      int64_t out = 0;
      return parse_go_int(trim_zero_decimal(v.as_string()), 0, out) == IntParse::kOk ? out : 0;
    }
    default: return 0;
  }
}

double cast_float64(const Val& v) {
  switch (v.kind()) {
    case Val::Kind::kInt: return static_cast<double>(v.as_int());
    case Val::Kind::kFloat: return v.as_float();
    case Val::Kind::kBool: return v.as_bool() ? 1 : 0;
    case Val::Kind::kString: {
      const std::string& s = v.as_string();
      if (s.empty()) return 0;
      std::string clean;
      for (char c : s) {
        if (c == '_') return 0;
        clean += c;
      }
      char* end = nullptr;
      double f = std::strtod(clean.c_str(), &end);
      if (!end || *end != 0 || std::isspace(static_cast<unsigned char>(clean[0]))) return 0;
      // strtod accepts "infinity"/"nan" spellings Go also accepts; it also accepts hex floats.
      return f;
    }
    default: return 0;
  }
}

std::string strval(const Val& v) {
  if (v.kind() == Val::Kind::kString) return v.as_string();
  return value_string(v);
}

void check_size(const CallContext& ctx, size_t n) {
  if (n > ctx.limits.max_output)
    throw FuncError("result of " + std::to_string(n) + " bytes exceeds the limit of " +
                    std::to_string(ctx.limits.max_output) + " bytes");
}

}  // namespace strata::tpl

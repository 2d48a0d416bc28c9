#include "hcl/functions.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

namespace strata::hcl {
namespace {

using Args = std::vector<Value>;

void need(const Args& a, size_t n, const char* what = "arguments") {
  if (a.size() != n) {
    throw FunctionError{"expects " + std::to_string(n) + " " + what + ", got " +
                        std::to_string(a.size())};
  }
}

std::string str(const Value& v, int arg) {
  if (v.is_string()) return v.as_string();
  if (v.is_number()) return to_decimal(v).str();
  if (v.is_bool()) return v.as_bool() ? "true" : "false";
  throw FunctionError{"a string is required", arg};
}

Decimal number(const Value& v, int arg) {
  if (v.is_number()) return to_decimal(v);
  if (v.is_string()) {
    if (auto d = Decimal::parse(v.as_string())) return *d;
  }
  throw FunctionError{"a number is required", arg};
}

const Value::List& list(const Value& v, int arg) {
  if (!v.is_list()) throw FunctionError{"a list is required", arg};
  return v.as_list();
}

const Value::Map& map(const Value& v, int arg) {
  if (!v.is_map()) throw FunctionError{"a map is required", arg};
  return v.as_map();
}

int64_t integer(const Value& v, int arg) {
  auto n = number(v, arg).to_int64();
  if (!n) throw FunctionError{"a whole number is required", arg};
  return *n;
}

void flatten_into(const Value& v, Value::List& out) {
  if (v.is_list()) {
    for (const auto& x : v.as_list()) flatten_into(x, out);
  } else {
    out.push_back(v);
  }
}

const char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(const std::string& in) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out += kBase64[(n >> k) & 63];
  }
  if (i < in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) n |= uint8_t(in[i + 1]) << 8;
    out += kBase64[(n >> 18) & 63];
    out += kBase64[(n >> 12) & 63];
    out += i + 1 < in.size() ? kBase64[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string base64_decode(const std::string& in) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    const char* p = std::strchr(kBase64, c);
    if (!p || c == 0) throw FunctionError{"the string is not valid base64", 0};
    buf = (buf << 6) | static_cast<uint32_t>(p - kBase64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xff);
    }
  }
  return out;
}

Value numeric_fold(const Args& a, bool want_max) {
  if (a.empty()) throw FunctionError{"at least one number is required"};
  Decimal best = number(a[0], 0);
  for (size_t i = 1; i < a.size(); ++i) {
    Decimal d = number(a[i], static_cast<int>(i));
    if (want_max ? best < d : d < best) best = d;
  }
  return from_decimal(best);
}

}  // namespace

FunctionTable standard_functions() {
  FunctionTable t;
  // try() and can() are evaluated lazily by the evaluator; these entries only declare them.
  t.add("try", [](const Args&) -> Value { return Value(); });
  t.add("can", [](const Args&) -> Value { return Value(); });

  // Strings
  t.add("lower", [](const Args& a) {
    need(a, 1);
    std::string s = str(a[0], 0);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return Value(s);
  });
  t.add("upper", [](const Args& a) {
    need(a, 1);
    std::string s = str(a[0], 0);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
    return Value(s);
  });
  t.add("trimspace", [](const Args& a) {
    need(a, 1);
    std::string s = str(a[0], 0);
    size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
    return Value(b == std::string::npos ? "" : s.substr(b, e - b + 1));
  });
  t.add("join", [](const Args& a) {
    if (a.size() < 2) throw FunctionError{"expects a separator and at least one list"};
    std::string sep = str(a[0], 0), out;
    bool first = true;
    for (size_t i = 1; i < a.size(); ++i) {
      for (const auto& v : list(a[i], static_cast<int>(i))) {
        if (!first) out += sep;
        out += str(v, static_cast<int>(i));
        first = false;
      }
    }
    return Value(out);
  });
  t.add("split", [](const Args& a) {
    need(a, 2);
    std::string sep = str(a[0], 0), s = str(a[1], 1);
    Value::List out;
    if (sep.empty()) throw FunctionError{"the separator must not be empty", 0};
    size_t start = 0, at;
    while ((at = s.find(sep, start)) != std::string::npos) {
      out.emplace_back(s.substr(start, at - start));
      start = at + sep.size();
    }
    out.emplace_back(s.substr(start));
    return Value(std::move(out));
  });
  t.add("replace", [](const Args& a) {
    need(a, 3);
    std::string s = str(a[0], 0), from = str(a[1], 1), to = str(a[2], 2), out;
    if (from.empty()) return Value(s);
    size_t start = 0, at;
    while ((at = s.find(from, start)) != std::string::npos) {
      out += s.substr(start, at - start) + to;
      start = at + from.size();
    }
    return Value(out + s.substr(start));
  });
  t.add("substr", [](const Args& a) {
    need(a, 3);
    std::string s = str(a[0], 0);
    int64_t off = integer(a[1], 1), len = integer(a[2], 2);
    int64_t n = static_cast<int64_t>(s.size());
    if (off < 0) off += n;
    if (off < 0 || off > n) throw FunctionError{"offset out of range", 1};
    if (len < 0 || off + len > n) len = n - off;
    return Value(s.substr(off, len));
  });
  t.add("startswith", [](const Args& a) {
    need(a, 2);
    return Value(str(a[0], 0).starts_with(str(a[1], 1)));
  });
  t.add("endswith", [](const Args& a) {
    need(a, 2);
    return Value(str(a[0], 0).ends_with(str(a[1], 1)));
  });
  t.add("format", [](const Args& a) {
    if (a.empty()) throw FunctionError{"expects a format string"};
    std::string f = str(a[0], 0), out;
    size_t next = 1;
    for (size_t i = 0; i < f.size(); ++i) {
      if (f[i] != '%') {
        out += f[i];
        continue;
      }
      if (++i >= f.size()) throw FunctionError{"unterminated format verb", 0};
      if (f[i] == '%') {
        out += '%';
        continue;
      }
      if (next >= a.size()) throw FunctionError{"not enough arguments for the format string", 0};
      const Value& v = a[next++];
      if (f[i] == 'q')
        out += nlohmann::json(str(v, static_cast<int>(next - 1))).dump();
      else
        out += str(v, static_cast<int>(next - 1));
    }
    return Value(out);
  });
  t.add("tostring", [](const Args& a) {
    need(a, 1);
    return a[0].is_null() ? Value() : Value(str(a[0], 0));
  });
  t.add("tonumber", [](const Args& a) {
    need(a, 1);
    return a[0].is_null() ? Value() : from_decimal(number(a[0], 0));
  });
  t.add("tobool", [](const Args& a) {
    need(a, 1);
    if (a[0].is_null() || a[0].is_bool()) return a[0];
    if (a[0].is_string() && (a[0].as_string() == "true" || a[0].as_string() == "false")) {
      return Value(a[0].as_string() == "true");
    }
    throw FunctionError{"a bool is required", 0};
  });

  // Collections
  t.add("length", [](const Args& a) {
    need(a, 1);
    if (a[0].is_list()) return Value(static_cast<int64_t>(a[0].as_list().size()));
    if (a[0].is_map()) return Value(static_cast<int64_t>(a[0].as_map().size()));
    if (a[0].is_string()) {
      int64_t n = 0;
      for (unsigned char c : a[0].as_string()) n += (c & 0xc0) != 0x80;
      return Value(n);
    }
    throw FunctionError{"a collection or string is required", 0};
  });
  t.add("concat", [](const Args& a) {
    Value::List out;
    for (size_t i = 0; i < a.size(); ++i) {
      for (const auto& v : list(a[i], static_cast<int>(i))) out.push_back(v);
    }
    return Value(std::move(out));
  });
  t.add("keys", [](const Args& a) {
    need(a, 1);
    Value::List out;
    for (const auto& [k, v] : map(a[0], 0)) out.emplace_back(k);
    return Value(std::move(out));
  });
  t.add("values", [](const Args& a) {
    need(a, 1);
    Value::List out;
    for (const auto& [k, v] : map(a[0], 0)) out.push_back(v);
    return Value(std::move(out));
  });
  t.add("merge", [](const Args& a) {
    Value::Map out;
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i].is_null()) continue;
      for (const auto& [k, v] : map(a[i], static_cast<int>(i))) out[k] = v;
    }
    return Value(std::move(out));
  });
  t.add("lookup", [](const Args& a) {
    if (a.size() != 2 && a.size() != 3) throw FunctionError{"expects 2 or 3 arguments"};
    const Value* v = map(a[0], 0).count(str(a[1], 1)) ? a[0].find(str(a[1], 1)) : nullptr;
    if (v) return *v;
    if (a.size() == 3) return a[2];
    throw FunctionError{"the map has no key \"" + str(a[1], 1) + "\"", 1};
  });
  t.add("contains", [](const Args& a) {
    need(a, 2);
    for (const auto& v : list(a[0], 0)) {
      if (v == a[1]) return Value(true);
    }
    return Value(false);
  });
  t.add("element", [](const Args& a) {
    need(a, 2);
    const auto& l = list(a[0], 0);
    if (l.empty()) throw FunctionError{"cannot use element function with an empty list", 0};
    int64_t i = integer(a[1], 1);
    if (i < 0) throw FunctionError{"cannot use element function with a negative index", 1};
    return l[static_cast<size_t>(i) % l.size()];
  });
  t.add("coalesce", [](const Args& a) {
    for (const auto& v : a) {
      if (!v.is_null() && !(v.is_string() && v.as_string().empty())) return v;
    }
    throw FunctionError{"no non-null, non-empty-string arguments"};
  });
  t.add("compact", [](const Args& a) {
    need(a, 1);
    Value::List out;
    for (const auto& v : list(a[0], 0)) {
      if (!v.is_null() && !(v.is_string() && v.as_string().empty())) out.push_back(v);
    }
    return Value(std::move(out));
  });
  t.add("distinct", [](const Args& a) {
    need(a, 1);
    Value::List out;
    for (const auto& v : list(a[0], 0)) {
      if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    }
    return Value(std::move(out));
  });
  t.add("flatten", [](const Args& a) {
    need(a, 1);
    Value::List out;
    for (const auto& v : list(a[0], 0)) flatten_into(v, out);
    return Value(std::move(out));
  });
  t.add("tolist", [](const Args& a) {
    need(a, 1);
    list(a[0], 0);
    return a[0];
  });
  t.add("toset", [](const Args& a) {
    need(a, 1);
    std::vector<Value> out;
    for (const auto& v : list(a[0], 0)) {
      if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    }
    return Value(std::move(out));
  });
  t.add("tomap", [](const Args& a) {
    need(a, 1);
    map(a[0], 0);
    return a[0];
  });
  t.add("zipmap", [](const Args& a) {
    need(a, 2);
    const auto& k = list(a[0], 0);
    const auto& v = list(a[1], 1);
    if (k.size() != v.size()) throw FunctionError{"the lists must have the same length", 1};
    Value::Map out;
    for (size_t i = 0; i < k.size(); ++i) out[str(k[i], 0)] = v[i];
    return Value(std::move(out));
  });
  t.add("range", [](const Args& a) {
    if (a.empty() || a.size() > 3) throw FunctionError{"expects 1 to 3 arguments"};
    Decimal start, end, step = Decimal::from_int(1);
    if (a.size() == 1) {
      end = number(a[0], 0);
    } else {
      start = number(a[0], 0);
      end = number(a[1], 1);
      if (a.size() == 3)
        step = number(a[2], 2);
      else if (end < start)
        step = Decimal::from_int(-1);
    }
    if (step.is_zero()) throw FunctionError{"step must not be zero", 2};
    Value::List out;
    for (Decimal x = start; step.negative() ? end < x : x < end; x = x + step) {
      if (out.size() >= 1024) throw FunctionError{"more than 1024 values"};
      out.push_back(from_decimal(x));
    }
    return Value(std::move(out));
  });

  // Numbers
  t.add("min", [](const Args& a) { return numeric_fold(a, false); });
  t.add("max", [](const Args& a) { return numeric_fold(a, true); });
  t.add("abs", [](const Args& a) {
    need(a, 1);
    return from_decimal(number(a[0], 0).abs());
  });
  t.add("floor", [](const Args& a) {
    need(a, 1);
    return from_decimal(number(a[0], 0).floor());
  });
  t.add("ceil", [](const Args& a) {
    need(a, 1);
    return from_decimal(number(a[0], 0).ceil());
  });

  // Encoding
  t.add("jsonencode", [](const Args& a) {
    need(a, 1);
    return Value(to_json_text(a[0], -1));
  });
  t.add("jsondecode", [](const Args& a) {
    need(a, 1);
    try {
      return parse_json_text(str(a[0], 0));
    } catch (const std::exception& e) {
      throw FunctionError{std::string("invalid JSON: ") + e.what(), 0};
    }
  });
  t.add("base64encode", [](const Args& a) {
    need(a, 1);
    return Value(base64_encode(str(a[0], 0)));
  });
  t.add("base64decode", [](const Args& a) {
    need(a, 1);
    return Value(base64_decode(str(a[0], 0)));
  });
  return t;
}

}  // namespace strata::hcl

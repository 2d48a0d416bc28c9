#include "template/go_format.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "template/go_time.h"
#include "template/utf8.h"

namespace strata::tpl {

namespace {

// Shortest round-trip digits and decimal exponent of f (f finite, > 0).
void shortest_digits(double f, std::string& digits, int& exp10) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  std::string s(buf, res.ptr);
  size_t e = s.find('e');
  std::string mant = s.substr(0, e);
  exp10 = std::stoi(s.substr(e + 1));
  digits.clear();
  for (char c : mant)
    if (c != '.') digits += c;
}

std::string exp_form(const std::string& digits, int exp10, int min_exp_digits) {
  std::string out(1, digits[0]);
  if (digits.size() > 1) out += "." + digits.substr(1);
  out += exp10 < 0 ? "e-" : "e+";
  std::string e = std::to_string(std::abs(exp10));
  while (static_cast<int>(e.size()) < min_exp_digits) e = "0" + e;
  return out + e;
}

std::string plain_form(const std::string& digits, int exp10) {
  int point = exp10 + 1;  // digits before the decimal point
  std::string out;
  if (point <= 0) {
    out = "0." + std::string(static_cast<size_t>(-point), '0') + digits;
  } else if (point >= static_cast<int>(digits.size())) {
    out = digits + std::string(static_cast<size_t>(point) - digits.size(), '0');
  } else {
    out = digits.substr(0, static_cast<size_t>(point)) + "." + digits.substr(static_cast<size_t>(point));
  }
  return out;
}

std::string special_float(double f) {
  if (std::isnan(f)) return "NaN";
  return f > 0 ? "+Inf" : "-Inf";
}

std::string rune_quote(int64_t r) {
  std::string s;
  append_utf8(s, (r < 0 || r > 0x10FFFF) ? 0xFFFD : static_cast<uint32_t>(r));
  std::string q = go_quote(s);
  if (q == "\"'\"") return "'\\''";
  if (q == "\"\\\"\"") return "'\"'";
  return "'" + q.substr(1, q.size() - 2) + "'";
}

struct Spec {
  bool minus = false, plus = false, sharp = false, zero = false, space = false;
  int width = -1, prec = -1;
  char verb = 'v';
};

void pad(std::string& out, const std::string& s, const Spec& sp, bool numeric = false) {
  int n = static_cast<int>(utf8_count(s));
  if (sp.width <= n) {
    out += s;
    return;
  }
  size_t fill = static_cast<size_t>(sp.width - n);
  if (sp.minus) {
    out += s;
    out.append(fill, ' ');
  } else if (sp.zero && numeric) {
    size_t sign = (!s.empty() && (s[0] == '-' || s[0] == '+' || s[0] == ' ')) ? 1 : 0;
    out += s.substr(0, sign);
    out.append(fill, '0');
    out += s.substr(sign);
  } else if (sp.zero) {
    out.append(fill, '0');
    out += s;
  } else {
    out.append(fill, ' ');
    out += s;
  }
}

std::string int_text(int64_t v, const Spec& sp, int base, bool upper) {
  uint64_t u = v < 0 ? static_cast<uint64_t>(0) - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  char buf[80];
  auto res = std::to_chars(buf, buf + sizeof buf, u, base);
  std::string digits(buf, res.ptr);
  if (upper)
    for (char& c : digits) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (sp.prec >= 0 && static_cast<int>(digits.size()) < sp.prec)
    digits = std::string(static_cast<size_t>(sp.prec) - digits.size(), '0') + digits;
  if (sp.sharp) {
    if (base == 16) digits = (upper ? "0X" : "0x") + digits;
    if (base == 8 && digits[0] != '0') digits = "0" + digits;
    if (base == 2) digits = "0b" + digits;
  }
  if (v < 0) return "-" + digits;
  if (sp.plus) return "+" + digits;
  if (sp.space) return " " + digits;
  return digits;
}

std::string float_text(double f, const Spec& sp, char verb) {
  if (!std::isfinite(f)) return special_float(f);
  std::string s;
  if ((verb == 'v' || verb == 'g' || verb == 'G') && sp.prec < 0) {
    s = format_float(f);
    if (verb == 'G')
      for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  } else {
    char fmt[16];
    char v = verb == 'v' ? 'g' : verb;
    if (v == 'F') v = 'f';
    std::snprintf(fmt, sizeof fmt, "%%.*%c", v);
    int prec = sp.prec >= 0 ? sp.prec : 6;
    char buf[512];
    std::snprintf(buf, sizeof buf, fmt, prec, f);
    s = buf;
    if (f == 0 && std::signbit(f) && s[0] != '-') s = "-" + s;
  }
  if (sp.plus && s[0] != '-') s = "+" + s;
  else if (sp.space && s[0] != '-') s = " " + s;
  return s;
}

void bad_verb(std::string& out, char verb, const Val& v) {
  out += "%!";
  out += verb;
  out += '(';
  if (v.is_nil_or_invalid()) {
    out += "<nil>";
  } else {
    out += v.type_name() + "=";
    append_value(out, v);
  }
  out += ')';
}

// fmt's %x on strings: "% x" separates bytes, "%#x" adds 0x (per byte when separated).
std::string hex_string(const std::string& s, bool upper, bool space = false, bool sharp = false) {
  static const char* kLower = "0123456789abcdef";
  static const char* kUpper = "0123456789ABCDEF";
  const char* d = upper ? kUpper : kLower;
  std::string out;
  bool first = true;
  for (unsigned char c : s) {
    if (space && !first) out += ' ';
    if (sharp && (space || first)) out += upper ? "0X" : "0x";
    first = false;
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

void format_one(std::string& out, const Val& v, const Spec& sp);

void format_composite(std::string& out, const Val& v, const Spec& sp) {
  std::string body;
  if (v.kind() == Val::Kind::kList) {
    body += '[';
    bool first = true;
    for (const auto& e : v.as_list()) {
      if (!first) body += ' ';
      first = false;
      format_one(body, e, sp);
    }
    body += ']';
  } else {
    body += "map[";
    bool first = true;
    for (const auto& [k, e] : v.as_map()) {
      if (!first) body += ' ';
      first = false;
      format_one(body, Val::string(k), sp);
      body += ':';
      format_one(body, e, sp);
    }
    body += ']';
  }
  out += body;
}

void format_one(std::string& out, const Val& v, const Spec& sp) {
  char verb = sp.verb;
  if (verb == 'T') {
    pad(out, v.kind() == Val::Kind::kInvalid || v.kind() == Val::Kind::kNil ? "<nil>" : v.type_name(), sp);
    return;
  }
  switch (v.kind()) {
    case Val::Kind::kInvalid:
    case Val::Kind::kNil:
      if (verb == 'v') pad(out, "<nil>", sp);
      else bad_verb(out, verb, v);
      return;
    case Val::Kind::kBool:
      if (verb == 'v' || verb == 't') pad(out, v.as_bool() ? "true" : "false", sp);
      else bad_verb(out, verb, v);
      return;
    case Val::Kind::kInt: {
      int64_t i = v.as_int();
      switch (verb) {
        case 'v': case 'd': pad(out, int_text(i, sp, 10, false), sp, true); return;
        case 'x': pad(out, int_text(i, sp, 16, false), sp, true); return;
        case 'X': pad(out, int_text(i, sp, 16, true), sp, true); return;
        case 'o': pad(out, int_text(i, sp, 8, false), sp, true); return;
        case 'b': pad(out, int_text(i, sp, 2, false), sp, true); return;
        case 'c': {
          std::string s;
          append_utf8(s, (i < 0 || i > 0x10FFFF) ? 0xFFFD : static_cast<uint32_t>(i));
          pad(out, s, sp);
          return;
        }
        case 'q': pad(out, rune_quote(i), sp); return;
        case 'U': {
          std::string h = int_text(i, Spec{}, 16, true);
          while (h.size() < 4) h = "0" + h;
          pad(out, "U+" + h, sp);
          return;
        }
        case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
        default: bad_verb(out, verb, v); return;
      }
    }
    case Val::Kind::kFloat:
      switch (verb) {
        case 'v': case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
          pad(out, float_text(v.as_float(), sp, verb), sp, true);
          return;
        default: bad_verb(out, verb, v); return;
      }
    case Val::Kind::kString: {
      const std::string& s = v.as_string();
      switch (verb) {
        case 'v': case 's': {
          if (sp.prec >= 0) pad(out, utf8_prefix(s, static_cast<size_t>(sp.prec)), sp);
          else pad(out, s, sp);
          return;
        }
        case 'q': pad(out, go_quote(sp.prec >= 0 ? utf8_prefix(s, static_cast<size_t>(sp.prec)) : s), sp); return;
        case 'x': pad(out, hex_string(s, false, sp.space, sp.sharp), sp); return;
        case 'X': pad(out, hex_string(s, true, sp.space, sp.sharp), sp); return;
        default: bad_verb(out, verb, v); return;
      }
    }
    case Val::Kind::kList:
    case Val::Kind::kMap:
      format_composite(out, v, sp);
      return;
    case Val::Kind::kTime:
      if (verb == 'v' || verb == 's') pad(out, format_go_time(v.as_time(), kGoTimeStringLayout), sp);
      else bad_verb(out, verb, v);
      return;
  }
}

}  // namespace

std::string format_float(double f) {
  if (!std::isfinite(f)) return special_float(f);
  if (f == 0) return std::signbit(f) ? "-0" : "0";
  std::string digits;
  int exp10 = 0;
  shortest_digits(std::fabs(f), digits, exp10);
  // strconv.FormatFloat(f, 'g', -1, 64): exponent form when exp < -4 || exp >= 6.
  std::string body = (exp10 < -4 || exp10 >= 6) ? exp_form(digits, exp10, 2) : plain_form(digits, exp10);
  return f < 0 ? "-" + body : body;
}

void append_value(std::string& out, const Val& v) {
  switch (v.kind()) {
    case Val::Kind::kString: out += v.as_string(); return;
    case Val::Kind::kInt: {
      char buf[32];
      auto res = std::to_chars(buf, buf + sizeof buf, v.as_int());
      out.append(buf, res.ptr);
      return;
    }
    case Val::Kind::kFloat: out += format_float(v.as_float()); return;
    case Val::Kind::kBool: out += v.as_bool() ? "true" : "false"; return;
    case Val::Kind::kInvalid:
    case Val::Kind::kNil: out += "<nil>"; return;
    default: format_one(out, v, Spec{}); return;
  }
}

std::string value_string(const Val& v) {
  std::string s;
  append_value(s, v);
  return s;
}

std::string go_quote(const std::string& s) {
  std::string out = "\"";
  size_t i = 0;
  while (i < s.size()) {
    size_t len = 0;
    int32_t r = decode_utf8(s, i, len);
    if (r < 0) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(static_cast<unsigned char>(s[i])));
      out += buf;
      i += 1;
      continue;
    }
    switch (r) {
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      default:
        if (r < 0x20 || r == 0x7f) {
          char buf[16];
          std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(r) & 0xffu);
          out += buf;
        } else if (!rune_printable(r)) {
          char buf[16];
          if (r < 0x10000) std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(r));
          else std::snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(r));
          out += buf;
        } else {
          out.append(s, i, len);
        }
    }
    i += len;
  }
  out += '"';
  return out;
}

std::string go_sprint(const std::vector<Val>& args) {
  std::string out;
  bool prev_string = false;
  for (size_t i = 0; i < args.size(); ++i) {
    bool is_string = args[i].kind() == Val::Kind::kString;
    if (i > 0 && !is_string && !prev_string) out += ' ';
    append_value(out, args[i]);
    prev_string = is_string;
  }
  return out;
}

std::string go_sprintln(const std::vector<Val>& args) {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out += ' ';
    append_value(out, args[i]);
  }
  out += '\n';
  return out;
}

std::string go_sprintf(const std::string& format, const std::vector<Val>& args) {
  std::string out;
  size_t argi = 0;
  size_t i = 0, n = format.size();
  while (i < n) {
    size_t pct = format.find('%', i);
    if (pct == std::string::npos) {
      out.append(format, i, std::string::npos);
      break;
    }
    out.append(format, i, pct - i);
    i = pct + 1;
    Spec sp;
    for (; i < n; ++i) {
      char c = format[i];
      if (c == '-') { sp.minus = true; sp.zero = false; }
      else if (c == '+') sp.plus = true;
      else if (c == '#') sp.sharp = true;
      else if (c == '0') sp.zero = !sp.minus;
      else if (c == ' ') sp.space = true;
      else break;
    }
    auto read_num = [&](int& dst) {
      if (i < n && format[i] == '*') {
        ++i;
        if (argi < args.size() && args[argi].kind() == Val::Kind::kInt) {
          int64_t w = args[argi].as_int();
          dst = static_cast<int>(std::min<int64_t>(std::llabs(w), 1000000));
          if (w < 0 && &dst == &sp.width) { sp.minus = true; sp.zero = false; }
        } else {
          out += "%!(BADWIDTH)";
        }
        ++argi;
        return;
      }
      int v = 0;
      bool any = false;
      while (i < n && format[i] >= '0' && format[i] <= '9') {
        v = std::min(v * 10 + (format[i] - '0'), 1000000);
        ++i;
        any = true;
      }
      if (any) dst = v;
    };
    read_num(sp.width);
    if (i < n && format[i] == '.') {
      ++i;
      sp.prec = 0;
      read_num(sp.prec);
    }
    if (i >= n) {
      out += "%!(NOVERB)";
      break;
    }
    size_t len = 0;
    int32_t r = decode_utf8(format, i, len);
    if (r < 0) len = 1;
    std::string verb_text = format.substr(i, len);
    i += len;
    if (verb_text == "%") {
      out += '%';
      continue;
    }
    if (argi >= args.size()) {
      out += "%!" + verb_text + "(MISSING)";
      continue;
    }
    const Val& arg = args[argi++];
    if (len != 1) {
      out += "%!" + verb_text + "(";
      out += arg.type_name() + "=" + value_string(arg) + ")";
      continue;
    }
    sp.verb = verb_text[0];
    if (std::string("vdsqxXobcUeEfFgGtT").find(sp.verb) == std::string::npos) {
      bad_verb(out, sp.verb, arg);
      continue;
    }
    format_one(out, arg, sp);
  }
  if (argi < args.size()) {
    out += "%!(EXTRA ";
    for (size_t k = argi; k < args.size(); ++k) {
      if (k > argi) out += ", ";
      if (args[k].is_nil_or_invalid()) out += "<nil>";
      else out += args[k].type_name() + "=" + value_string(args[k]);
    }
    out += ")";
  }
  return out;
}

}  // namespace strata::tpl

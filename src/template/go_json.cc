#include "template/go_json.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "template/go_time.h"
#include "template/utf8.h"

namespace strata::tpl {

namespace {

std::string json_float(double f) {
  if (f == 0) return std::signbit(f) ? "-0" : "0";
  double a = std::fabs(f);
  char buf[64];
  if (a < 1e-6 || a >= 1e21) {
    auto res = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
    std::string s(buf, res.ptr);
    // Go writes e-07 as e-7 and e+21 stays e+21.
    size_t e = s.find('e');
    if (e != std::string::npos && e + 2 < s.size() && s[e + 2] == '0' && s.size() - e == 4) s.erase(e + 2, 1);
    return s;
  }
  auto res = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::fixed);
  return std::string(buf, res.ptr);
}

void json_string(std::string& out, const std::string& s, bool escape_html) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    size_t len = 0;
    int32_t r = decode_utf8(s, i, len);
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (r < 0) {
      out += "\\ufffd";
      i += 1;
      continue;
    }
    if (r < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (c < 0x20 || (escape_html && (c == '<' || c == '>' || c == '&'))) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
          } else {
            out += static_cast<char>(c);
          }
      }
    } else if (r == 0x2028 || r == 0x2029) {
      out += r == 0x2028 ? "\\u2028" : "\\u2029";
    } else {
      out.append(s, i, len);
    }
    i += len;
  }
  out += '"';
}

bool write(std::string& out, const Val& v, bool pretty, bool escape_html, int depth) {
  auto newline = [&](int d) {
    if (!pretty) return;
    out += '\n';
    out.append(static_cast<size_t>(2 * d), ' ');
  };
  switch (v.kind()) {
    case Val::Kind::kInvalid:
    case Val::Kind::kNil: out += "null"; return true;
    case Val::Kind::kBool: out += v.as_bool() ? "true" : "false"; return true;
    case Val::Kind::kInt: out += std::to_string(v.as_int()); return true;
    case Val::Kind::kFloat:
      if (!std::isfinite(v.as_float())) return false;
      out += json_float(v.as_float());
      return true;
    case Val::Kind::kString: json_string(out, v.as_string(), escape_html); return true;
    case Val::Kind::kTime:
      json_string(out, format_go_time(v.as_time(), "2006-01-02T15:04:05.999999999Z07:00"), escape_html);
      return true;
    case Val::Kind::kList: {
      const auto& l = v.as_list();
      if (l.empty()) {
        out += "[]";
        return true;
      }
      out += '[';
      for (size_t i = 0; i < l.size(); ++i) {
        if (i) out += ',';
        newline(depth + 1);
        if (!write(out, l[i], pretty, escape_html, depth + 1)) return false;
      }
      newline(depth);
      out += ']';
      return true;
    }
    case Val::Kind::kMap: {
      const auto& m = v.as_map();
      if (m.empty()) {
        out += "{}";
        return true;
      }
      out += '{';
      bool first = true;
      for (const auto& [k, e] : m) {
        if (!first) out += ',';
        first = false;
        newline(depth + 1);
        json_string(out, k, escape_html);
        out += pretty ? ": " : ":";
        if (!write(out, e, pretty, escape_html, depth + 1)) return false;
      }
      newline(depth);
      out += '}';
      return true;
    }
  }
  return true;
}

Val from_nlohmann(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null: return Val::nil();
    case nlohmann::json::value_t::boolean: return Val::boolean(j.get<bool>());
    case nlohmann::json::value_t::number_integer: return Val::floating(static_cast<double>(j.get<int64_t>()));
    case nlohmann::json::value_t::number_unsigned: return Val::floating(static_cast<double>(j.get<uint64_t>()));
    case nlohmann::json::value_t::number_float: return Val::floating(j.get<double>());
    case nlohmann::json::value_t::string: return Val::string(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      Val::List l;
      for (const auto& e : j) l.push_back(from_nlohmann(e));
      return Val::list(std::move(l));
    }
    case nlohmann::json::value_t::object: {
      Val::Map m;
      for (auto it = j.begin(); it != j.end(); ++it) m[it.key()] = from_nlohmann(it.value());
      return Val::map(std::move(m));
    }
    default: return Val::nil();
  }
}

}  // namespace

std::string to_go_json(const Val& v, bool pretty, bool escape_html) {
  std::string out;
  if (!write(out, v, pretty, escape_html, 0)) return "";
  return out;
}

bool from_go_json(const std::string& text, Val& out, std::string* error) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) {
    if (error) *error = "invalid character in JSON input";
    return false;
  }
  out = from_nlohmann(j);
  return true;
}

}  // namespace strata::tpl

#include "hcl/writer.h"

#include <cctype>
#include <cstdio>

namespace strata::hcl {
namespace {

bool is_identifier(const std::string& s) {
  if (s.empty()) return false;
  unsigned char c0 = s[0];
  if (!(std::isalpha(c0) || c0 == '_')) return false;
  for (unsigned char c : s) {
    if (!(std::isalnum(c) || c == '_' || c == '-')) return false;
  }
  return s != "true" && s != "false" && s != "null" && s != "for" && s != "in" && s != "if";
}

std::string key_text(const std::string& k) { return is_identifier(k) ? k : write_hcl_string(k); }

std::string pad(int indent) { return std::string(static_cast<size_t>(indent) * 2, ' '); }

bool is_simple(const Value& v) { return !v.is_list() && !v.is_map(); }

}  // namespace

std::string write_hcl_string(const std::string& s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = s[i];
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '$':
      case '%':
        out += static_cast<char>(c);
        if (i + 1 < s.size() && s[i + 1] == '{') out += static_cast<char>(c);
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string write_hcl_value(const Value& v, int indent) {
  switch (v.kind()) {
    case Value::Kind::kNull:
      return "null";
    case Value::Kind::kBool:
      return v.as_bool() ? "true" : "false";
    case Value::Kind::kNumber:
      return v.as_number().text();
    case Value::Kind::kString:
      return write_hcl_string(v.as_string());
    case Value::Kind::kList: {
      const auto& l = v.as_list();
      if (l.empty()) return "[]";
      bool simple = true;
      for (const auto& x : l) simple = simple && is_simple(x);
      std::string out = "[";
      if (simple) {
        for (size_t i = 0; i < l.size(); ++i)
          out += (i ? ", " : "") + write_hcl_value(l[i], indent);
        return out + "]";
      }
      out += "\n";
      for (const auto& x : l) out += pad(indent + 1) + write_hcl_value(x, indent + 1) + ",\n";
      return out + pad(indent) + "]";
    }
    case Value::Kind::kMap: {
      const auto& m = v.as_map();
      if (m.empty()) return "{}";
      std::string out = "{\n";
      for (const auto& [k, x] : m) {
        out += pad(indent + 1) + key_text(k) + " = " + write_hcl_value(x, indent + 1) + "\n";
      }
      return out + pad(indent) + "}";
    }
  }
  return "null";
}

std::string write_hcl_body(const Value::Map& attributes, const std::vector<WriteBlock>& blocks,
                           int indent) {
  std::string out;
  for (const auto& [k, v] : attributes) {
    out += pad(indent) + key_text(k) + " = " + write_hcl_value(v, indent) + "\n";
  }
  for (size_t i = 0; i < blocks.size(); ++i) {
    const WriteBlock& b = blocks[i];
    if (!out.empty()) out += "\n";
    out += pad(indent) + b.type;
    for (const auto& l : b.labels) out += " " + write_hcl_string(l);
    std::string inner = write_hcl_body(b.attributes, b.blocks, indent + 1);
    out += inner.empty() ? " {}\n" : " {\n" + inner + pad(indent) + "}\n";
  }
  return out;
}

}  // namespace strata::hcl

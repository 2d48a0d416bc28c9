#include "config/yaml/yaml_reader.h"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "base/atomic_file.h"
#include "base/utf8.h"
#include "base/yaml_guard.h"
#include "model/error.h"

namespace strata::yaml {
namespace {

bool is_null_text(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

std::optional<bool> bool_text(const std::string& s) {
  static const char* kTrue[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
  static const char* kFalse[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"};
  for (const char* t : kTrue)
    if (s == t) return true;
  for (const char* f : kFalse)
    if (s == f) return false;
  return std::nullopt;
}

bool all_of(const std::string& s, size_t from, const char* allowed) {
  if (from >= s.size()) return false;
  for (size_t i = from; i < s.size(); ++i)
    if (!std::strchr(allowed, s[i])) return false;
  return true;
}

std::string without_underscores(std::string s) {
  std::erase(s, '_');
  return s;
}

// YAML 1.1 integers as PyYAML reads them: decimal, 0x hex, 0b binary and 0-prefixed octal.
std::optional<Number> int_text(const std::string& text) {
  std::string s = without_underscores(text);
  bool negative = false;
  size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) negative = s[i++] == '-';
  if (i >= s.size() || text.back() == '_') return std::nullopt;
  int base = 10;
  std::string digits;
  if (s.compare(i, 2, "0x") == 0 && all_of(s, i + 2, "0123456789abcdefABCDEF")) {
    base = 16, digits = s.substr(i + 2);
  } else if (s.compare(i, 2, "0b") == 0 && all_of(s, i + 2, "01")) {
    base = 2, digits = s.substr(i + 2);
  } else if (s[i] == '0' && s.size() > i + 1 && all_of(s, i + 1, "01234567")) {
    base = 8, digits = s.substr(i + 1);
  } else if (all_of(s, i, "0123456789") && (s[i] != '0' || s.size() == i + 1)) {
    return Number((negative ? "-" : "") + s.substr(i));
  } else {
    return std::nullopt;
  }
  errno = 0;
  unsigned long long v = std::strtoull(digits.c_str(), nullptr, base);
  if (errno != 0 || v > static_cast<unsigned long long>(INT64_MAX)) return std::nullopt;
  return Number((negative ? "-" : "") + std::to_string(v));
}

// YAML 1.1 floats as PyYAML reads them: a dot is required, an exponent needs a sign.
// Infinity and NaN have no JSON form and stay strings.
std::optional<Number> float_text(const std::string& text) {
  std::string s = without_underscores(text);
  std::string sign;
  size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) sign = s[i++] == '-' ? "-" : "";
  size_t dot = s.find('.', i);
  if (dot == std::string::npos) return std::nullopt;
  std::string whole = s.substr(i, dot - i);
  std::string rest = s.substr(dot + 1);
  std::string frac = rest, exponent;
  if (size_t e = rest.find_first_of("eE"); e != std::string::npos) {
    frac = rest.substr(0, e);
    exponent = rest.substr(e + 1);
    if (exponent.size() < 2 || (exponent[0] != '+' && exponent[0] != '-') ||
        !all_of(exponent, 1, "0123456789"))
      return std::nullopt;
  }
  if (!whole.empty() && !all_of(whole, 0, "0123456789")) return std::nullopt;
  if (!frac.empty() && !all_of(frac, 0, "0123456789")) return std::nullopt;
  if (whole.empty() && (frac.empty() || !sign.empty() || s[0] == '+')) return std::nullopt;
  // Normalise to JSON number text: no leading zeros, digits on both sides of the dot.
  size_t nz = whole.find_first_not_of('0');
  whole = nz == std::string::npos ? "0" : whole.substr(nz);
  if (frac.empty()) frac = "0";
  std::string out = sign + whole + "." + frac;
  if (!exponent.empty()) out += "e" + exponent;
  return Number(out);
}

Value typed_scalar(const std::string& text) {
  if (is_null_text(text)) return Value();
  if (auto b = bool_text(text)) return Value(*b);
  if (auto n = int_text(text)) return Value(*n);
  if (auto n = float_text(text)) return Value(*n);
  return Value(text);
}

class Converter {
 public:
  // Aliases may be expanded many times over (the "billion laughs" document); max_values turns
  // such a file into an error instead of exhausting memory.
  Converter(const std::string& file, size_t max_values)
      : file_(std::make_shared<const std::string>(file)), max_values_(max_values) {}

  Value convert(const YAML::Node& node, const Origin& fallback) {
    if (++nodes_ > max_values_)
      throw Error("YAML document expands to more than " + std::to_string(max_values_) + " values",
                  origin_of(node, fallback),
                  "check the anchors and aliases for repeated expansion");
    if (std::string why = guard_.enter(node); !why.empty())
      throw Error(why, origin_of(node, fallback), "check the anchors (&name) and aliases (*name) at this position");
    Value v = convert_entered(node, fallback);
    guard_.leave();
    return v;
  }

 private:
  Value convert_entered(const YAML::Node& node, const Origin& fallback) {
    Origin origin = origin_of(node, fallback);
    Value v;
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        break;
      case YAML::NodeType::Scalar:
        check_utf8(node.Scalar(), origin);
        // Tag "!" marks a quoted scalar: always a string. Explicit tags are honoured for str.
        if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str" || node.Tag() == "!!str")
          v = Value(node.Scalar());
        else
          v = typed_scalar(node.Scalar());
        break;
      case YAML::NodeType::Sequence: {
        v = Value::list();
        for (const auto& item : node) v.as_list().push_back(convert(item, origin));
        break;
      }
      case YAML::NodeType::Map:
        v = convert_map(node, origin);
        break;
    }
    v.set_origin(std::move(origin));
    return v;
  }

  Origin origin_of(const YAML::Node& node, const Origin& fallback) const {
    YAML::Mark m = node.Mark();
    if (m.line < 0 || m.is_null()) return fallback.known() ? fallback : Origin(file_);
    return Origin(file_, m.line + 1, m.column + 1);
  }

  // Strings must be text: they end up in JSON (tfvars), which cannot hold other bytes.
  static void check_utf8(const std::string& text, const Origin& origin) {
    size_t at = invalid_utf8_at(text);
    if (at == std::string::npos) return;
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[at]));
    throw Error(std::string("the file is not valid UTF-8: byte ") + byte + " (byte " +
                    std::to_string(at + 1) +
                    " of the value here) does not start or continue a "
                    "character",
                origin, "save the file as UTF-8");
  }

  static bool is_merge_key(const YAML::Node& key) {
    return key.IsScalar() && key.Scalar() == "<<" && key.Tag() != "!";
  }

  // Merge keys: explicit keys win over merged ones; in a list of maps, earlier maps win.
  Value convert_map(const YAML::Node& node, const Origin& origin) {
    Value out = Value::map();
    std::vector<std::pair<YAML::Node, Origin>> merges;
    for (const auto& kv : node) {
      Origin key_origin = origin_of(kv.first, origin);
      if (!kv.first.IsScalar())
        throw Error("a mapping key must be a plain value, not a " +
                        std::string(kv.first.IsMap() ? "map" : "list"),
                    key_origin, "quote the key or restructure the document");
      check_utf8(kv.first.Scalar(), key_origin);
      if (is_merge_key(kv.first)) {
        merges.emplace_back(kv.second, key_origin);
        continue;
      }
      out.as_map()[kv.first.Scalar()] = convert(kv.second, key_origin);
    }
    for (const auto& [merge, where] : merges) {
      if (merge.IsMap()) {
        merge_into(out, merge, where);
      } else if (merge.IsSequence()) {
        for (const auto& item : merge) {
          if (!item.IsMap())
            throw Error("a merge key (<<) list may only hold maps", origin_of(item, where),
                        "write `<<: [*a, *b]` with aliases of maps");
          merge_into(out, item, where);
        }
      } else {
        throw Error("a merge key (<<) needs a map or a list of maps", origin_of(merge, where),
                    "write `<<: *anchor` where the anchor names a map");
      }
    }
    return out;
  }

  void merge_into(Value& out, const YAML::Node& source, const Origin& where) {
    Value merged = convert(source, where);
    for (auto& [k, v] : merged.as_map()) out.as_map().try_emplace(k, std::move(v));
  }

  std::shared_ptr<const std::string> file_;
  size_t max_values_;
  size_t nodes_ = 0;
  YamlGuard guard_;
};

}  // namespace

Value parse_yaml(const std::string& text, const std::string& file, size_t max_values) {
  Converter converter(file, max_values);
  Origin file_origin(file);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error("invalid YAML: " + yaml_error_text(e), file_origin.at(e.mark.line + 1, e.mark.column + 1),
                "fix the YAML syntax at this position");
  }
  if (root.IsNull() || !root.IsDefined()) {
    Value empty = Value::map();
    empty.set_origin(file_origin.at(1, 1));
    return empty;
  }
  Value v = converter.convert(root, file_origin);
  if (!v.is_map())
    throw Error(
        std::string("a configuration file must hold a map at the top, not a ") + v.kind_name(),
        v.origin(), "write `key: value` lines at the top level");
  return v;
}

std::string size_text(uint64_t bytes) {
  auto in = [&](double unit, const char* name) {
    char out[32];
    double v = static_cast<double>(bytes) / unit;
    std::snprintf(out, sizeof out,
                  v == static_cast<double>(static_cast<uint64_t>(v)) ? "%.0f %s" : "%.1f %s", v,
                  name);
    return std::string(out);
  };
  if (bytes >= (uint64_t{1} << 30)) return in(1 << 30, "GiB");
  if (bytes >= (uint64_t{1} << 20)) return in(1 << 20, "MiB");
  if (bytes >= (uint64_t{1} << 10)) return in(1 << 10, "KiB");
  return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
}

Value read_yaml_file(const std::string& path, const std::string& display, size_t max_bytes) {
  const std::string& name = display.empty() ? path : display;
  auto too_large = [&](uint64_t size) {
    return Error("the YAML file is " + size_text(size) + ", more than the " + size_text(max_bytes) +
                     " strata reads",
                 Origin(name),
                 "a layer this large is usually generated by mistake; if it is meant to be, raise "
                 "the limit with STRATA_YAML_MAX_FILE_MB (in the environment, strata.yaml's env: "
                 "or .env), e.g. STRATA_YAML_MAX_FILE_MB=" +
                     std::to_string(std::max<uint64_t>(size >> 20, 1) + 1));
  };
  // Refused before reading: parsing would take far more memory than the file.
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
      static_cast<uint64_t>(st.st_size) > max_bytes)
    throw too_large(static_cast<uint64_t>(st.st_size));
  std::string text;
  if (!try_read_file(path, text))
    throw Error("cannot read YAML file", Origin(name),
                "check that the file exists and is readable");
  if (text.size() > max_bytes) throw too_large(text.size());  // it grew, or stat said nothing
  return parse_yaml(text, name);
}

}  // namespace strata::yaml

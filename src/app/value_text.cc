#include "app/value_text.h"

#include "model/error.h"

namespace strata::app {

std::optional<std::string> scalar_text(const Value& v) {
  if (v.is_string()) return v.as_string();
  if (v.is_number()) return v.as_number().text();
  if (v.is_bool()) return std::string(v.as_bool() ? "true" : "false");
  return std::nullopt;
}

std::optional<Value> convert_to_type(const Value& value, const std::string& type) {
  if (type == "any" || value.is_null()) return value;
  if (type == "string") {
    if (std::optional<std::string> t = scalar_text(value)) return Value(*t);
    return std::nullopt;
  }
  if (type == "number") {
    if (value.is_number()) return value;
    if (!value.is_string()) return std::nullopt;
    try {
      Value parsed = parse_json_text(value.as_string());
      if (parsed.is_number()) return parsed;
    } catch (const Error&) {
    }
    return std::nullopt;
  }
  if (type == "bool") {
    if (value.is_bool()) return value;
    if (value.is_string() && (value.as_string() == "true" || value.as_string() == "false"))
      return Value(value.as_string() == "true");
    return std::nullopt;
  }
  if (type == "list") return value.is_list() ? std::optional<Value>(value) : std::nullopt;
  if (type == "map") return value.is_map() ? std::optional<Value>(value) : std::nullopt;
  return value;
}

}  // namespace strata::app

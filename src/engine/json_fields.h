// Small readers for engine JSON documents held as strata::Value: they return a default when a
// field is absent or has another type, because engines add and omit fields between versions and
// a parser of their output must not fail on that.
#pragma once

#include <string>

#include "model/value.h"

namespace strata::engine_json {

inline const Value* field(const Value* v, const std::string& key) {
  return v ? v->find(key) : nullptr;
}

inline std::string string_field(const Value* v, const std::string& key) {
  const Value* f = field(v, key);
  return f && f->is_string() ? f->as_string() : std::string();
}

inline bool bool_field(const Value* v, const std::string& key) {
  const Value* f = field(v, key);
  return f && f->is_bool() && f->as_bool();
}

inline double double_field(const Value* v, const std::string& key) {
  const Value* f = field(v, key);
  return f && f->is_number() ? f->as_number().as_double() : 0.0;
}

inline int int_field(const Value* v, const std::string& key) {
  return static_cast<int>(double_field(v, key));
}

}  // namespace strata::engine_json

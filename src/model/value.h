// Value: the JSON-like tree every stage shares (null, bool, number, string, list, map).
// Numbers keep their exact text; maps keep sorted keys (std::map), so anything written from a
// Value is deterministic. A value may be marked sensitive (it came from a secret) and may carry
// the Origin it was written at.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "model/origin.h"

namespace strata {

// A number as written: the text is the truth, doubles and integers are views of it.
class Number {
 public:
  Number() : text_("0") {}
  explicit Number(std::string text) : text_(std::move(text)) {}
  static Number from_int(int64_t v) { return Number(std::to_string(v)); }
  static Number from_uint(uint64_t v) { return Number(std::to_string(v)); }
  static Number from_double(double v);  // shortest text that reads back to v

  const std::string& text() const { return text_; }
  double as_double() const;
  bool is_integer() const;             // no fraction or exponent part, fits in int64
  std::optional<int64_t> as_int() const;
  bool operator==(const Number& o) const;

 private:
  std::string text_;
};

class Value {
 public:
  enum class Kind { kNull, kBool, kNumber, kString, kList, kMap };
  using List = std::vector<Value>;
  using Map = std::map<std::string, Value>;

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : data_(b) {}
  Value(int v) : data_(Number::from_int(v)) {}
  Value(int64_t v) : data_(Number::from_int(v)) {}
  Value(double v) : data_(Number::from_double(v)) {}
  Value(Number n) : data_(std::move(n)) {}
  Value(std::string s) : data_(std::move(s)) {}
  Value(const char* s) : data_(std::string(s)) {}
  Value(List l) : data_(std::move(l)) {}
  Value(Map m) : data_(std::move(m)) {}

  static Value list() { return Value(List{}); }
  static Value map() { return Value(Map{}); }

  Kind kind() const { return static_cast<Kind>(data_.index()); }
  bool is_null() const { return kind() == Kind::kNull; }
  bool is_bool() const { return kind() == Kind::kBool; }
  bool is_number() const { return kind() == Kind::kNumber; }
  bool is_string() const { return kind() == Kind::kString; }
  bool is_list() const { return kind() == Kind::kList; }
  bool is_map() const { return kind() == Kind::kMap; }

  // Accessors throw std::bad_variant_access on a kind mismatch; check kind() first.
  bool as_bool() const { return std::get<bool>(data_); }
  const Number& as_number() const { return std::get<Number>(data_); }
  const std::string& as_string() const { return std::get<std::string>(data_); }
  const List& as_list() const { return std::get<List>(data_); }
  List& as_list() { return std::get<List>(data_); }
  const Map& as_map() const { return std::get<Map>(data_); }
  Map& as_map() { return std::get<Map>(data_); }

  // Map helpers: find returns nullptr when absent or not a map.
  const Value* find(const std::string& key) const;
  Value* find(const std::string& key);
  // Sets key on a map (turns a null into an empty map first).
  Value& set(const std::string& key, Value v);
  // Appends to a list (turns a null into an empty list first).
  Value& push(Value v);

  bool sensitive() const { return sensitive_; }
  void set_sensitive(bool s = true) { sensitive_ = s; }
  // True if this value or anything below it is sensitive.
  bool contains_sensitive() const;

  const Origin& origin() const { return origin_; }
  void set_origin(Origin o) { origin_ = std::move(o); }

  // Structural equality; origin and sensitivity do not count.
  bool operator==(const Value& o) const;

  static const char* kind_name(Kind k);
  const char* kind_name() const { return kind_name(kind()); }

 private:
  std::variant<std::monostate, bool, Number, std::string, List, Map> data_;
  bool sensitive_ = false;
  Origin origin_;
};

// JSON conversion. to_json never redacts: callers that print must redact first.
nlohmann::json to_json(const Value& v);
Value from_json(const nlohmann::json& j);
// Deterministic JSON text: sorted keys, `indent` spaces (-1 = compact), exact number text.
std::string to_json_text(const Value& v, int indent = 2);
// Parses JSON text; keeps the exact text of numbers. Throws strata::Error on bad input.
Value parse_json_text(const std::string& text, const Origin& origin = {});

// A copy with every sensitive value replaced by the string "(sensitive)".
Value redacted(const Value& v);

}  // namespace strata

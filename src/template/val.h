// Val: a template value with Go's dynamic types. Templates must behave like Go's text/template,
// where `1` (int), `1.0` (float64) and a JSON number (float64) compare and print differently, so
// the engine works on this small typed tree instead of strata::Value; conversions at the edges.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "model/value.h"

namespace strata::tpl {

class Val {
 public:
  // kInvalid is Go's "no value" (a missing map key); kNil is a nil interface{} (JSON null).
  enum class Kind : uint8_t { kInvalid, kNil, kBool, kInt, kFloat, kString, kList, kMap, kTime };
  // The Go integer type behind a kInt: functions with typed parameters accept only their own.
  enum class IntType : uint8_t { kInt, kInt64, kInt32, kUint8 };
  using List = std::vector<Val>;
  using Map = std::map<std::string, Val>;

  Val() = default;
  static Val nil() { Val v; v.kind_ = Kind::kNil; return v; }
  static Val boolean(bool b) { Val v; v.kind_ = Kind::kBool; v.num_.b = b; return v; }
  static Val integer(int64_t i, IntType t = IntType::kInt) {
    Val v; v.kind_ = Kind::kInt; v.int_type_ = t; v.num_.i = i; return v;
  }
  static Val floating(double f) { Val v; v.kind_ = Kind::kFloat; v.num_.f = f; return v; }
  static Val string(std::string s) { Val v; v.kind_ = Kind::kString; v.str_ = std::move(s); return v; }
  static Val list(List l = {});
  static Val map(Map m = {});
  static Val time(int64_t unix_nanos) { Val v; v.kind_ = Kind::kTime; v.num_.i = unix_nanos; return v; }

  Kind kind() const { return kind_; }
  IntType int_type() const { return int_type_; }
  bool is_valid() const { return kind_ != Kind::kInvalid; }
  bool is_nil_or_invalid() const { return kind_ == Kind::kInvalid || kind_ == Kind::kNil; }
  bool as_bool() const { return num_.b; }
  int64_t as_int() const { return num_.i; }
  double as_float() const { return num_.f; }
  const std::string& as_string() const { return str_; }
  // Lists and maps are shared like Go slices and maps: sprig's set/unset mutate them in place,
  // and the change is visible through every reference, exactly as in Go.
  const List& as_list() const { return *list_; }
  List& mutable_list() const { return *list_; }
  const Map& as_map() const { return *map_; }
  Map& mutable_map() const { return *map_; }
  int64_t as_time() const { return num_.i; }

  bool sensitive() const { return sensitive_; }
  void set_sensitive(bool s = true) { sensitive_ = s; }

  // Go's type name, as fmt's %T and error messages print it ("float64", "[]interface {}").
  std::string type_name() const;

 private:
  Kind kind_ = Kind::kInvalid;
  IntType int_type_ = IntType::kInt;
  bool sensitive_ = false;
  union {
    bool b;
    int64_t i;
    double f;
  } num_{};
  std::string str_;
  std::shared_ptr<List> list_;
  std::shared_ptr<Map> map_;
};

// strata::Value -> Val the way encoding/json decodes into interface{}: numbers become float64.
// Sensitivity is carried over.
Val from_value(const Value& v);
// Val -> strata::Value for typed results. Ints keep integer text, floats their shortest text.
Value to_value(const Val& v);

// Go's truth (if/with/and/or/not): false, 0, "", nil, empty list or map are false.
bool is_true(const Val& v);
// Sprig's empty(): like !is_true, and a missing value is empty.
bool is_empty(const Val& v);
// reflect.DeepEqual on the value tree (types matter: int 1 != float64 1).
bool deep_equal(const Val& a, const Val& b);

}  // namespace strata::tpl

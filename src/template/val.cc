#include "template/val.h"

namespace strata::tpl {

Val Val::list(List l) {
  Val v;
  v.kind_ = Kind::kList;
  v.list_ = std::make_shared<List>(std::move(l));
  return v;
}

Val Val::map(Map m) {
  Val v;
  v.kind_ = Kind::kMap;
  v.map_ = std::make_shared<Map>(std::move(m));
  return v;
}

std::string Val::type_name() const {
  switch (kind_) {
    case Kind::kInvalid: return "<nil>";
    case Kind::kNil: return "interface {}";
    case Kind::kBool: return "bool";
    case Kind::kInt:
      switch (int_type_) {
        case IntType::kInt: return "int";
        case IntType::kInt64: return "int64";
        case IntType::kInt32: return "int32";
        case IntType::kUint8: return "uint8";
      }
      return "int";
    case Kind::kFloat: return "float64";
    case Kind::kString: return "string";
    case Kind::kList: return "[]interface {}";
    case Kind::kMap: return "map[string]interface {}";
    case Kind::kTime: return "time.Time";
  }
  return "?";
}

Val from_value(const Value& v) {
  Val out;
  switch (v.kind()) {
    case Value::Kind::kNull: out = Val::nil(); break;
    case Value::Kind::kBool: out = Val::boolean(v.as_bool()); break;
    case Value::Kind::kNumber: out = Val::floating(v.as_number().as_double()); break;
    case Value::Kind::kString: out = Val::string(v.as_string()); break;
    case Value::Kind::kList: {
      Val::List l;
      l.reserve(v.as_list().size());
      for (const auto& e : v.as_list()) l.push_back(from_value(e));
      out = Val::list(std::move(l));
      break;
    }
    case Value::Kind::kMap: {
      Val::Map m;
      for (const auto& [k, e] : v.as_map()) m.emplace_hint(m.end(), k, from_value(e));
      out = Val::map(std::move(m));
      break;
    }
  }
  if (v.sensitive()) out.set_sensitive();
  return out;
}

Value to_value(const Val& v) {
  Value out;
  switch (v.kind()) {
    case Val::Kind::kInvalid:
    case Val::Kind::kNil: break;
    case Val::Kind::kBool: out = Value(v.as_bool()); break;
    case Val::Kind::kInt: out = Value(Number::from_int(v.as_int())); break;
    case Val::Kind::kFloat: out = Value(Number::from_double(v.as_float())); break;
    case Val::Kind::kString: out = Value(v.as_string()); break;
    case Val::Kind::kTime: out = Value(Number::from_int(v.as_time() / 1000000000)); break;
    case Val::Kind::kList: {
      Value::List l;
      for (const auto& e : v.as_list()) l.push_back(to_value(e));
      out = Value(std::move(l));
      break;
    }
    case Val::Kind::kMap: {
      Value::Map m;
      for (const auto& [k, e] : v.as_map()) m.emplace_hint(m.end(), k, to_value(e));
      out = Value(std::move(m));
      break;
    }
  }
  if (v.sensitive()) out.set_sensitive();
  return out;
}

bool is_true(const Val& v) {
  switch (v.kind()) {
    case Val::Kind::kInvalid:
    case Val::Kind::kNil: return false;
    case Val::Kind::kBool: return v.as_bool();
    case Val::Kind::kInt: return v.as_int() != 0;
    case Val::Kind::kFloat: return v.as_float() != 0;
    case Val::Kind::kString: return !v.as_string().empty();
    case Val::Kind::kList: return !v.as_list().empty();
    case Val::Kind::kMap: return !v.as_map().empty();
    case Val::Kind::kTime: return true;
  }
  return false;
}

bool is_empty(const Val& v) { return v.kind() == Val::Kind::kTime ? false : !is_true(v); }

bool deep_equal(const Val& a, const Val& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Val::Kind::kInvalid:
    case Val::Kind::kNil: return true;
    case Val::Kind::kBool: return a.as_bool() == b.as_bool();
    case Val::Kind::kInt: return a.int_type() == b.int_type() && a.as_int() == b.as_int();
    case Val::Kind::kFloat: return a.as_float() == b.as_float();
    case Val::Kind::kString: return a.as_string() == b.as_string();
    case Val::Kind::kTime: return a.as_time() == b.as_time();
    case Val::Kind::kList: {
      const auto &x = a.as_list(), &y = b.as_list();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i)
        if (!deep_equal(x[i], y[i])) return false;
      return true;
    }
    case Val::Kind::kMap: {
      const auto &x = a.as_map(), &y = b.as_map();
      if (x.size() != y.size()) return false;
      for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j)
        if (i->first != j->first || !deep_equal(i->second, j->second)) return false;
      return true;
    }
  }
  return false;
}

}  // namespace strata::tpl

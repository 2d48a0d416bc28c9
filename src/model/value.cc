#include "model/value.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "model/error.h"

namespace strata {

Number Number::from_double(double v) {
  if (std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 9.0e15) {
    return from_int(static_cast<int64_t>(v));
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return Number(std::string(buf, res.ptr));
}

double Number::as_double() const { return std::strtod(text_.c_str(), nullptr); }

bool Number::is_integer() const { return as_int().has_value(); }

std::optional<int64_t> Number::as_int() const {
  int64_t v = 0;
  const char* begin = text_.data();
  const char* end = begin + text_.size();
  auto res = std::from_chars(begin, end, v);
  if (res.ec != std::errc() || res.ptr != end) return std::nullopt;
  return v;
}

bool Number::operator==(const Number& o) const {
  if (text_ == o.text_) return true;
  auto a = as_int(), b = o.as_int();
  if (a && b) return *a == *b;
  return as_double() == o.as_double();
}

const Value* Value::find(const std::string& key) const {
  if (!is_map()) return nullptr;
  const auto& m = as_map();
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

Value* Value::find(const std::string& key) {
  return const_cast<Value*>(static_cast<const Value*>(this)->find(key));
}

Value& Value::set(const std::string& key, Value v) {
  if (is_null()) data_ = Map{};
  return as_map()[key] = std::move(v);
}

Value& Value::push(Value v) {
  if (is_null()) data_ = List{};
  auto& l = as_list();
  l.push_back(std::move(v));
  return l.back();
}

bool Value::contains_sensitive() const {
  if (sensitive_) return true;
  if (is_list()) {
    for (const auto& v : as_list())
      if (v.contains_sensitive()) return true;
  } else if (is_map()) {
    for (const auto& [k, v] : as_map())
      if (v.contains_sensitive()) return true;
  }
  return false;
}

bool Value::operator==(const Value& o) const { return data_ == o.data_; }

const char* Value::kind_name(Kind k) {
  switch (k) {
    case Kind::kNull: return "null";
    case Kind::kBool: return "bool";
    case Kind::kNumber: return "number";
    case Kind::kString: return "string";
    case Kind::kList: return "list";
    case Kind::kMap: return "map";
  }
  return "?";
}

nlohmann::json to_json(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull: return nullptr;
    case Value::Kind::kBool: return v.as_bool();
    case Value::Kind::kNumber: {
      const Number& n = v.as_number();
      if (auto i = n.as_int()) return *i;
      return n.as_double();
    }
    case Value::Kind::kString: return v.as_string();
    case Value::Kind::kList: {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& e : v.as_list()) j.push_back(to_json(e));
      return j;
    }
    case Value::Kind::kMap: {
      nlohmann::json j = nlohmann::json::object();
      for (const auto& [k, e] : v.as_map()) j[k] = to_json(e);
      return j;
    }
  }
  return nullptr;
}

Value from_json(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null: return Value();
    case nlohmann::json::value_t::boolean: return Value(j.get<bool>());
    case nlohmann::json::value_t::number_integer: return Value(Number::from_int(j.get<int64_t>()));
    case nlohmann::json::value_t::number_unsigned: return Value(Number::from_uint(j.get<uint64_t>()));
    case nlohmann::json::value_t::number_float: return Value(Number::from_double(j.get<double>()));
    case nlohmann::json::value_t::string: return Value(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      Value::List l;
      l.reserve(j.size());
      for (const auto& e : j) l.push_back(from_json(e));
      return Value(std::move(l));
    }
    case nlohmann::json::value_t::object: {
      Value::Map m;
      for (auto it = j.begin(); it != j.end(); ++it) m.emplace(it.key(), from_json(it.value()));
      return Value(std::move(m));
    }
    default: return Value();
  }
}

namespace {

void write_string(std::string& out, const std::string& s) { out += nlohmann::json(s).dump(); }

void write_json(std::string& out, const Value& v, int indent, int depth) {
  auto newline = [&](int d) {
    if (indent < 0) return;
    out += '\n';
    out.append(static_cast<size_t>(indent * d), ' ');
  };
  switch (v.kind()) {
    case Value::Kind::kNull: out += "null"; break;
    case Value::Kind::kBool: out += v.as_bool() ? "true" : "false"; break;
    case Value::Kind::kNumber: out += v.as_number().text(); break;
    case Value::Kind::kString: write_string(out, v.as_string()); break;
    case Value::Kind::kList: {
      const auto& l = v.as_list();
      if (l.empty()) { out += "[]"; break; }
      out += '[';
      for (size_t i = 0; i < l.size(); ++i) {
        if (i) out += ',';
        newline(depth + 1);
        write_json(out, l[i], indent, depth + 1);
      }
      newline(depth);
      out += ']';
      break;
    }
    case Value::Kind::kMap: {
      const auto& m = v.as_map();
      if (m.empty()) { out += "{}"; break; }
      out += '{';
      bool first = true;
      for (const auto& [k, e] : m) {
        if (!first) out += ',';
        first = false;
        newline(depth + 1);
        write_string(out, k);
        out += indent < 0 ? ":" : ": ";
        write_json(out, e, indent, depth + 1);
      }
      newline(depth);
      out += '}';
      break;
    }
  }
}

// Builds a Value straight from nlohmann's SAX events, so float text stays exact.
class ValueBuilder {
 public:
  using number_integer_t = nlohmann::json::number_integer_t;
  using number_unsigned_t = nlohmann::json::number_unsigned_t;
  using number_float_t = nlohmann::json::number_float_t;
  using string_t = std::string;
  using binary_t = nlohmann::json::binary_t;

  bool null() { return put(Value()); }
  bool boolean(bool b) { return put(Value(b)); }
  bool number_integer(number_integer_t v) { return put(Value(Number::from_int(v))); }
  bool number_unsigned(number_unsigned_t v) { return put(Value(Number::from_uint(v))); }
  bool number_float(number_float_t, const string_t& text) { return put(Value(Number(text))); }
  bool string(string_t& s) { return put(Value(std::move(s))); }
  bool binary(binary_t&) { return false; }
  bool start_object(std::size_t) { return open(Value::map()); }
  bool key(string_t& k) { keys_.push_back(std::move(k)); return true; }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open(Value::list()); }
  bool end_array() { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    error_ = e.what();
    return false;
  }

  Value result() { return std::move(root_); }
  const std::string& error() const { return error_; }

 private:
  bool put(Value v) {
    if (stack_.empty()) {
      root_ = std::move(v);
    } else if (stack_.back().is_list()) {
      stack_.back().push(std::move(v));
    } else {
      stack_.back().as_map().insert_or_assign(std::move(keys_.back()), std::move(v));
      keys_.pop_back();
    }
    return true;
  }
  bool open(Value v) { stack_.push_back(std::move(v)); return true; }
  bool close() {
    Value v = std::move(stack_.back());
    stack_.pop_back();
    return put(std::move(v));
  }

  std::vector<Value> stack_;
  std::vector<std::string> keys_;
  Value root_;
  std::string error_;
};

}  // namespace

std::string to_json_text(const Value& v, int indent) {
  std::string out;
  write_json(out, v, indent, 0);
  return out;
}

Value parse_json_text(const std::string& text, const Origin& origin) {
  ValueBuilder builder;
  bool ok = nlohmann::json::sax_parse(text, &builder);
  if (!ok) {
    throw Error("invalid JSON: " + builder.error(), origin);
  }
  return builder.result();
}

Value redacted(const Value& v) {
  if (v.sensitive()) return Value("(sensitive)");
  if (v.is_list()) {
    Value::List l;
    for (const auto& e : v.as_list()) l.push_back(redacted(e));
    return Value(std::move(l));
  }
  if (v.is_map()) {
    Value::Map m;
    for (const auto& [k, e] : v.as_map()) m.emplace(k, redacted(e));
    return Value(std::move(m));
  }
  return v;
}

}  // namespace strata

// text/template's builtin functions with Go's semantics (funcs.go).
#include <cstdio>

#include "template/functions.h"
#include "template/go_format.h"
#include "template/utf8.h"

namespace strata::tpl {

namespace {

enum class BasicKind { kInvalid, kBool, kInt, kFloat, kString };

// Go's indirectInterface: a nil interface is treated as no value.
BasicKind basic_kind(const Val& v) {
  switch (v.kind()) {
    case Val::Kind::kBool: return BasicKind::kBool;
    case Val::Kind::kInt: return BasicKind::kInt;
    case Val::Kind::kFloat: return BasicKind::kFloat;
    case Val::Kind::kString: return BasicKind::kString;
    default: return BasicKind::kInvalid;
  }
}

bool is_zero_value(const Val& v) { return v.is_nil_or_invalid(); }

bool eq_pair(const Val& a, const Val& b) {
  BasicKind k1 = basic_kind(a), k2 = basic_kind(b);
  if (k1 != k2) {
    if (!is_zero_value(a) && !is_zero_value(b)) throw FuncError("incompatible types for comparison");
    return false;
  }
  switch (k1) {
    case BasicKind::kBool: return a.as_bool() == b.as_bool();
    case BasicKind::kInt: return a.as_int() == b.as_int();
    case BasicKind::kFloat: return a.as_float() == b.as_float();
    case BasicKind::kString: return a.as_string() == b.as_string();
    case BasicKind::kInvalid: break;
  }
  if (is_zero_value(a) || is_zero_value(b)) return is_zero_value(a) == is_zero_value(b);
  if (a.kind() != b.kind()) throw FuncError("incompatible types for comparison");
  throw FuncError("non-comparable type " + value_string(b) + ": " + b.type_name());
}

Val fn_eq(CallContext&, std::vector<Val>& a) {
  if (a.size() < 2) throw FuncError("missing argument for comparison");
  for (size_t i = 1; i < a.size(); ++i)
    if (eq_pair(a[0], a[i])) return Val::boolean(true);
  return Val::boolean(false);
}

Val fn_ne(CallContext&, std::vector<Val>& a) { return Val::boolean(!eq_pair(a[0], a[1])); }

bool less(const Val& a, const Val& b) {
  BasicKind k1 = basic_kind(a), k2 = basic_kind(b);
  if (k1 == BasicKind::kInvalid || k2 == BasicKind::kInvalid) throw FuncError("invalid type for comparison");
  if (k1 != k2) throw FuncError("incompatible types for comparison");
  switch (k1) {
    case BasicKind::kInt: return a.as_int() < b.as_int();
    case BasicKind::kFloat: return a.as_float() < b.as_float();
    case BasicKind::kString: return a.as_string() < b.as_string();
    default: throw FuncError("invalid type for comparison");
  }
}

Val fn_lt(CallContext&, std::vector<Val>& a) { return Val::boolean(less(a[0], a[1])); }
Val fn_le(CallContext&, std::vector<Val>& a) {
  if (less(a[0], a[1])) return Val::boolean(true);
  return Val::boolean(eq_pair(a[0], a[1]));
}
Val fn_gt(CallContext&, std::vector<Val>& a) {
  if (less(a[0], a[1])) return Val::boolean(false);
  return Val::boolean(!eq_pair(a[0], a[1]));
}
Val fn_ge(CallContext&, std::vector<Val>& a) { return Val::boolean(!less(a[0], a[1])); }

Val fn_not(CallContext&, std::vector<Val>& a) { return Val::boolean(!is_true(a[0])); }
Val fn_and_or(CallContext&, std::vector<Val>& a) { return a.empty() ? Val() : a.back(); }

Val fn_len(CallContext&, std::vector<Val>& a) {
  const Val& v = a[0];
  switch (v.kind()) {
    case Val::Kind::kString: return Val::integer(static_cast<int64_t>(v.as_string().size()));
    case Val::Kind::kList: return Val::integer(static_cast<int64_t>(v.as_list().size()));
    case Val::Kind::kMap: return Val::integer(static_cast<int64_t>(v.as_map().size()));
    case Val::Kind::kInvalid:
    case Val::Kind::kNil: throw FuncError("len of nil pointer");
    default: throw FuncError("len of type " + v.type_name());
  }
}

int64_t index_arg(const Val& index, size_t cap) {
  if (index.kind() == Val::Kind::kInvalid || index.kind() == Val::Kind::kNil)
    throw FuncError("cannot index slice/array with nil");
  if (index.kind() != Val::Kind::kInt) throw FuncError("cannot index slice/array with type " + index.type_name());
  int64_t x = index.as_int();
  if (x < 0 || static_cast<uint64_t>(x) > cap) throw FuncError("index out of range: " + std::to_string(x));
  return x;
}

Val fn_index(CallContext&, std::vector<Val>& a) {
  Val item = a[0];
  if (item.is_nil_or_invalid()) throw FuncError("index of untyped nil");
  for (size_t i = 1; i < a.size(); ++i) {
    const Val& index = a[i];
    switch (item.kind()) {
      case Val::Kind::kList: {
        int64_t x = index_arg(index, item.as_list().size());
        if (static_cast<size_t>(x) == item.as_list().size()) throw FuncError("reflect: slice index out of range");
        Val next = item.as_list()[static_cast<size_t>(x)];
        item = next;
        break;
      }
      case Val::Kind::kString: {
        int64_t x = index_arg(index, item.as_string().size());
        if (static_cast<size_t>(x) == item.as_string().size()) throw FuncError("reflect: string index out of range");
        item = Val::integer(static_cast<unsigned char>(item.as_string()[static_cast<size_t>(x)]), Val::IntType::kUint8);
        break;
      }
      case Val::Kind::kMap: {
        if (index.is_nil_or_invalid()) throw FuncError("value is nil; should be of type string");
        if (index.kind() != Val::Kind::kString)
          throw FuncError("value has type " + index.type_name() + "; should be string");
        auto it = item.as_map().find(index.as_string());
        Val next = it == item.as_map().end() ? Val::nil() : it->second;
        item = next;
        break;
      }
      case Val::Kind::kNil:
      case Val::Kind::kInvalid: throw FuncError("index of nil pointer");
      default: throw FuncError("can't index item of type " + item.type_name());
    }
  }
  return item;
}

std::string eval_args_text(const std::vector<Val>& a) {
  if (a.size() == 1 && a[0].kind() == Val::Kind::kString) return a[0].as_string();
  return go_sprint(a);
}

Val fn_print(CallContext& ctx, std::vector<Val>& a) {
  std::string s = go_sprint(a);
  check_size(ctx, s.size());
  return Val::string(std::move(s));
}
Val fn_println(CallContext&, std::vector<Val>& a) { return Val::string(go_sprintln(a)); }
Val fn_printf(CallContext& ctx, std::vector<Val>& a) {
  std::vector<Val> rest(a.begin() + 1, a.end());
  std::string s = go_sprintf(a[0].as_string(), rest);
  check_size(ctx, s.size());
  return Val::string(std::move(s));
}

Val fn_html(CallContext&, std::vector<Val>& a) {
  std::string s = eval_args_text(a), out;
  for (char c : s) {
    switch (c) {
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\0': out += "\xEF\xBF\xBD"; break;
      default: out += c;
    }
  }
  return Val::string(out);
}

Val fn_js(CallContext&, std::vector<Val>& a) {
  std::string s = eval_args_text(a), out;
  for (size_t i = 0; i < s.size();) {
    size_t len = 0;
    int32_t r = decode_utf8(s, i, len);
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (r < 0x80 && r >= 0) {
      switch (c) {
        case '\\': out += "\\\\"; break;
        case '\'': out += "\\'"; break;
        case '"': out += "\\\""; break;
        case '<': out += "\\u003C"; break;
        case '>': out += "\\u003E"; break;
        case '&': out += "\\u0026"; break;
        case '=': out += "\\u003D"; break;
        default:
          if (c < ' ') {
            char buf[16];
            std::snprintf(buf, sizeof buf, "\\u%04X", c);
            out += buf;
          } else {
            out += static_cast<char>(c);
          }
      }
    } else if (r < 0) {
      out += "\\uFFFD";
    } else if (rune_printable(r)) {
      out.append(s, i, len);
    } else {
      char buf[16];
      std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(r));
      out += buf;
    }
    i += len;
  }
  return Val::string(out);
}

Val fn_urlquery(CallContext&, std::vector<Val>& a) {
  std::string s = eval_args_text(a), out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return Val::string(out);
}

Val fn_call(CallContext&, std::vector<Val>& a) {
  if (a[0].is_nil_or_invalid()) throw FuncError("call of nil");
  throw FuncError("non-function of type " + a[0].type_name());
}

Val fn_slice(CallContext&, std::vector<Val>& a) {
  const Val& item = a[0];
  if (item.is_nil_or_invalid()) throw FuncError("slice of untyped nil");
  if (a.size() > 4) throw FuncError("too many slice indexes: " + std::to_string(a.size() - 1));
  size_t len;
  if (item.kind() == Val::Kind::kString) {
    if (a.size() == 4) throw FuncError("cannot 3-index slice a string");
    len = item.as_string().size();
  } else if (item.kind() == Val::Kind::kList) {
    len = item.as_list().size();
  } else {
    throw FuncError("can't slice item of type " + item.type_name());
  }
  int64_t idx[3] = {0, static_cast<int64_t>(len), static_cast<int64_t>(len)};
  for (size_t i = 1; i < a.size(); ++i) idx[i - 1] = index_arg(a[i], len);
  if (idx[0] > idx[1]) throw FuncError("invalid slice index: " + std::to_string(idx[0]) + " > " + std::to_string(idx[1]));
  if (item.kind() == Val::Kind::kString)
    return Val::string(item.as_string().substr(static_cast<size_t>(idx[0]), static_cast<size_t>(idx[1] - idx[0])));
  const auto& l = item.as_list();
  return Val::list(Val::List(l.begin() + idx[0], l.begin() + idx[1]));
}

}  // namespace

void register_builtins(FunctionTable& t) {
  using P = Param;
  t.push_back({"and", {P::kReflect, P::kReflect}, true, fn_and_or});
  t.push_back({"or", {P::kReflect, P::kReflect}, true, fn_and_or});
  t.push_back({"not", {P::kReflect}, false, fn_not});
  t.push_back({"len", {P::kReflect}, false, fn_len});
  t.push_back({"index", {P::kReflect, P::kReflect}, true, fn_index});
  t.push_back({"slice", {P::kReflect, P::kReflect}, true, fn_slice});
  t.push_back({"print", {P::kAny}, true, fn_print});
  t.push_back({"println", {P::kAny}, true, fn_println});
  t.push_back({"printf", {P::kString, P::kAny}, true, fn_printf});
  t.push_back({"html", {P::kAny}, true, fn_html});
  t.push_back({"js", {P::kAny}, true, fn_js});
  t.push_back({"urlquery", {P::kAny}, true, fn_urlquery});
  t.push_back({"call", {P::kReflect, P::kReflect}, true, fn_call});
  t.push_back({"eq", {P::kReflect, P::kReflect}, true, fn_eq});
  t.push_back({"ne", {P::kReflect, P::kReflect}, false, fn_ne});
  t.push_back({"lt", {P::kReflect, P::kReflect}, false, fn_lt});
  t.push_back({"le", {P::kReflect, P::kReflect}, false, fn_le});
  t.push_back({"gt", {P::kReflect, P::kReflect}, false, fn_gt});
  t.push_back({"ge", {P::kReflect, P::kReflect}, false, fn_ge});
}

}  // namespace strata::tpl

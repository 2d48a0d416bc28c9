// Sprig's list and dict functions (list.go, dict.go). Lists and dicts are shared like Go's
// slices and maps, so set/unset/merge change the dict in place, as in Sprig.
#include <algorithm>

#include "template/functions.h"
#include "template/go_format.h"

namespace strata::tpl {

namespace {

std::string kind_name(const Val& v) {
  switch (v.kind()) {
    case Val::Kind::kList: return "slice";
    case Val::Kind::kMap: return "map";
    case Val::Kind::kInvalid:
    case Val::Kind::kNil: return "invalid";
    case Val::Kind::kTime: return "struct";
    default: return v.type_name();
  }
}

const Val::List& need_list(const Val& v, const std::string& what) {
  if (v.kind() != Val::Kind::kList) {
    if (v.is_nil_or_invalid()) throw FuncError("runtime error: invalid memory address or nil pointer dereference");
    throw FuncError("Cannot " + what + " on type " + kind_name(v));
  }
  return v.as_list();
}

Val fn_list(CallContext&, std::vector<Val>& a) { return Val::list(a); }

Val fn_append(CallContext&, std::vector<Val>& a) {
  Val::List l = need_list(a[0], "push");
  l.push_back(a[1]);
  return Val::list(std::move(l));
}

Val fn_prepend(CallContext&, std::vector<Val>& a) {
  const Val::List& src = need_list(a[0], "prepend");
  Val::List l;
  l.reserve(src.size() + 1);
  l.push_back(a[1]);
  l.insert(l.end(), src.begin(), src.end());
  return Val::list(std::move(l));
}

Val fn_first(CallContext&, std::vector<Val>& a) {
  const auto& l = need_list(a[0], "find first");
  return l.empty() ? Val::nil() : l.front();
}

Val fn_last(CallContext&, std::vector<Val>& a) {
  const auto& l = need_list(a[0], "find last");
  return l.empty() ? Val::nil() : l.back();
}

Val fn_rest(CallContext&, std::vector<Val>& a) {
  const auto& l = need_list(a[0], "find rest");
  if (l.empty()) return Val::list();
  return Val::list(Val::List(l.begin() + 1, l.end()));
}

Val fn_initial(CallContext&, std::vector<Val>& a) {
  const auto& l = need_list(a[0], "find initial");
  if (l.empty()) return Val::list();
  return Val::list(Val::List(l.begin(), l.end() - 1));
}

Val fn_reverse(CallContext&, std::vector<Val>& a) {
  Val::List l = need_list(a[0], "find reverse");
  std::reverse(l.begin(), l.end());
  return Val::list(std::move(l));
}

bool in_list(const Val::List& l, const Val& v) {
  for (const auto& e : l)
    if (deep_equal(e, v)) return true;
  return false;
}

Val fn_uniq(CallContext&, std::vector<Val>& a) {
  Val::List out;
  for (const auto& e : need_list(a[0], "find uniq"))
    if (!in_list(out, e)) out.push_back(e);
  return Val::list(std::move(out));
}

Val fn_without(CallContext&, std::vector<Val>& a) {
  Val::List omit(a.begin() + 1, a.end());
  Val::List out;
  for (const auto& e : need_list(a[0], "find without"))
    if (!in_list(omit, e)) out.push_back(e);
  return Val::list(std::move(out));
}

Val fn_has(CallContext&, std::vector<Val>& a) {
  if (a[1].is_nil_or_invalid()) return Val::boolean(false);
  return Val::boolean(in_list(need_list(a[1], "find has"), a[0]));
}

Val fn_compact(CallContext&, std::vector<Val>& a) {
  Val::List out;
  for (const auto& e : need_list(a[0], "compact"))
    if (!is_empty(e)) out.push_back(e);
  return Val::list(std::move(out));
}

Val fn_concat(CallContext&, std::vector<Val>& a) {
  Val::List out;
  for (const auto& l : a) {
    if (l.kind() != Val::Kind::kList) throw FuncError("Cannot concat type " + kind_name(l) + " as list");
    out.insert(out.end(), l.as_list().begin(), l.as_list().end());
  }
  return Val::list(std::move(out));
}

Val fn_sort_alpha(CallContext&, std::vector<Val>& a) {
  std::vector<std::string> s;
  if (a[0].kind() == Val::Kind::kList) {
    for (const auto& e : a[0].as_list())
      if (!e.is_nil_or_invalid()) s.push_back(strval(e));
  } else {
    s.push_back(a[0].is_nil_or_invalid() ? "<nil>" : strval(a[0]));
  }
  std::sort(s.begin(), s.end());
  Val::List out;
  for (auto& x : s) out.push_back(Val::string(std::move(x)));
  return Val::list(std::move(out));
}

int64_t to_int(const Val& v) { return cast_int64(v); }

Val fn_sprig_slice(CallContext&, std::vector<Val>& a) {
  if (a[0].kind() != Val::Kind::kList)
    throw FuncError("list should be type of slice or array but " + kind_name(a[0]));
  const auto& l = a[0].as_list();
  if (l.empty()) return Val::nil();
  int64_t start = a.size() > 1 ? to_int(a[1]) : 0;
  int64_t end = a.size() > 2 ? to_int(a[2]) : static_cast<int64_t>(l.size());
  if (start < 0 || end < start || end > static_cast<int64_t>(l.size()))
    throw FuncError("reflect.Value.Slice: slice index out of bounds");
  return Val::list(Val::List(l.begin() + start, l.begin() + end));
}

Val fn_chunk(CallContext&, std::vector<Val>& a) {
  int64_t size = a[0].as_int();
  const auto& l = need_list(a[1], "chunk");
  if (size <= 0) throw FuncError("runtime error: integer divide by zero");
  Val::List out;
  for (size_t i = 0; i < l.size(); i += static_cast<size_t>(size)) {
    size_t e = std::min(l.size(), i + static_cast<size_t>(size));
    out.push_back(Val::list(Val::List(l.begin() + static_cast<std::ptrdiff_t>(i), l.begin() + static_cast<std::ptrdiff_t>(e))));
  }
  return Val::list(std::move(out));
}

Val fn_until(CallContext& ctx, std::vector<Val>& a) {
  int64_t n = a[0].as_int();
  int64_t step = n < 0 ? -1 : 1;
  check_size(ctx, static_cast<size_t>(n < 0 ? -n : n) * 16);
  Val::List out;
  for (int64_t i = 0; step > 0 ? i < n : i > n; i += step) out.push_back(Val::integer(i));
  return Val::list(std::move(out));
}

// --- dicts

Val fn_dict(CallContext&, std::vector<Val>& a) {
  Val::Map m;
  for (size_t i = 0; i < a.size(); i += 2) {
    std::string key = a[i].is_nil_or_invalid() ? "<nil>" : strval(a[i]);
    m[key] = i + 1 < a.size() ? a[i + 1] : Val::string("");
  }
  return Val::map(std::move(m));
}

Val fn_get(CallContext&, std::vector<Val>& a) {
  const auto& m = a[0].as_map();
  auto it = m.find(a[1].as_string());
  return it == m.end() ? Val::string("") : it->second;
}

Val fn_set(CallContext&, std::vector<Val>& a) {
  a[0].mutable_map()[a[1].as_string()] = a[2];
  return a[0];
}

Val fn_unset(CallContext&, std::vector<Val>& a) {
  a[0].mutable_map().erase(a[1].as_string());
  return a[0];
}

Val fn_has_key(CallContext&, std::vector<Val>& a) { return Val::boolean(a[0].as_map().count(a[1].as_string()) > 0); }

Val fn_pluck(CallContext&, std::vector<Val>& a) {
  Val::List out;
  for (size_t i = 1; i < a.size(); ++i) {
    auto it = a[i].as_map().find(a[0].as_string());
    if (it != a[i].as_map().end()) out.push_back(it->second);
  }
  return Val::list(std::move(out));
}

Val fn_keys(CallContext&, std::vector<Val>& a) {
  Val::List out;
  for (const auto& m : a)
    for (const auto& [k, v] : m.as_map()) out.push_back(Val::string(k));
  return Val::list(std::move(out));
}

Val fn_values(CallContext&, std::vector<Val>& a) {
  Val::List out;
  for (const auto& [k, v] : a[0].as_map()) out.push_back(v);
  return Val::list(std::move(out));
}

Val fn_pick(CallContext&, std::vector<Val>& a) {
  Val::Map out;
  const auto& m = a[0].as_map();
  for (size_t i = 1; i < a.size(); ++i) {
    auto it = m.find(a[i].as_string());
    if (it != m.end()) out[it->first] = it->second;
  }
  return Val::map(std::move(out));
}

Val fn_omit(CallContext&, std::vector<Val>& a) {
  Val::Map out;
  for (const auto& [k, v] : a[0].as_map()) {
    bool drop = false;
    for (size_t i = 1; i < a.size(); ++i) drop = drop || a[i].as_string() == k;
    if (!drop) out[k] = v;
  }
  return Val::map(std::move(out));
}

// mergo's deep merge of map[string]interface{} values, as Sprig's merge/mergeOverwrite use it.
void deep_merge(Val::Map& dst, const Val::Map& src, bool overwrite, int depth) {
  if (depth > 100) throw FuncError("merge: maximum depth exceeded");
  for (const auto& [k, s] : src) {
    auto it = dst.find(k);
    bool has = it != dst.end();
    if (s.kind() == Val::Kind::kMap && has && it->second.kind() == Val::Kind::kMap) {
      deep_merge(it->second.mutable_map(), s.as_map(), overwrite, depth + 1);
      continue;
    }
    if (overwrite) {
      dst[k] = s;
    } else if (!s.is_nil_or_invalid() && (!has || is_empty(it->second))) {
      dst[k] = s;
    }
  }
}

Val merge_impl(std::vector<Val>& a, bool overwrite) {
  for (size_t i = 1; i < a.size(); ++i) deep_merge(a[0].mutable_map(), a[i].as_map(), overwrite, 0);
  return a[0];
}

Val fn_merge(CallContext&, std::vector<Val>& a) { return merge_impl(a, false); }
Val fn_merge_overwrite(CallContext&, std::vector<Val>& a) { return merge_impl(a, true); }

Val fn_dig(CallContext&, std::vector<Val>& a) {
  if (a.size() < 3) throw FuncError("dig needs at least three arguments");
  const Val& dict = a.back();
  if (dict.kind() != Val::Kind::kMap)
    throw FuncError("interface conversion: interface {} is " + dict.type_name() + ", not map[string]interface {}");
  const Val& def = a[a.size() - 2];
  const Val* cur = &dict;
  for (size_t i = 0; i + 2 < a.size(); ++i) {
    if (a[i].kind() != Val::Kind::kString)
      throw FuncError("interface conversion: interface {} is " + a[i].type_name() + ", not string");
    if (cur->kind() != Val::Kind::kMap)
      throw FuncError("interface conversion: interface {} is " + cur->type_name() + ", not map[string]interface {}");
    auto it = cur->as_map().find(a[i].as_string());
    if (it == cur->as_map().end()) return def;
    cur = &it->second;
  }
  return *cur;
}

}  // namespace

void register_sprig_lists(FunctionTable& t) {
  using P = Param;
  t.push_back({"list", {P::kAny}, true, fn_list});
  t.push_back({"tuple", {P::kAny}, true, fn_list});
  t.push_back({"append", {P::kAny, P::kAny}, false, fn_append});
  t.push_back({"push", {P::kAny, P::kAny}, false, fn_append});
  t.push_back({"prepend", {P::kAny, P::kAny}, false, fn_prepend});
  t.push_back({"first", {P::kAny}, false, fn_first});
  t.push_back({"last", {P::kAny}, false, fn_last});
  t.push_back({"rest", {P::kAny}, false, fn_rest});
  t.push_back({"initial", {P::kAny}, false, fn_initial});
  t.push_back({"reverse", {P::kAny}, false, fn_reverse});
  t.push_back({"uniq", {P::kAny}, false, fn_uniq});
  t.push_back({"without", {P::kAny, P::kAny}, true, fn_without});
  t.push_back({"has", {P::kAny, P::kAny}, false, fn_has});
  t.push_back({"compact", {P::kAny}, false, fn_compact});
  t.push_back({"concat", {P::kAny}, true, fn_concat});
  t.push_back({"sortAlpha", {P::kAny}, false, fn_sort_alpha});
  t.push_back({"slice", {P::kAny, P::kAny}, true, fn_sprig_slice});
  t.push_back({"chunk", {P::kInt, P::kAny}, false, fn_chunk});
  t.push_back({"until", {P::kInt}, false, fn_until});
  t.push_back({"dict", {P::kAny}, true, fn_dict});
  t.push_back({"get", {P::kMap, P::kString}, false, fn_get});
  t.push_back({"set", {P::kMap, P::kString, P::kAny}, false, fn_set});
  t.push_back({"unset", {P::kMap, P::kString}, false, fn_unset});
  t.push_back({"hasKey", {P::kMap, P::kString}, false, fn_has_key});
  t.push_back({"pluck", {P::kString, P::kMap}, true, fn_pluck});
  t.push_back({"keys", {P::kMap}, true, fn_keys});
  t.push_back({"values", {P::kMap}, false, fn_values});
  t.push_back({"pick", {P::kMap, P::kString}, true, fn_pick});
  t.push_back({"omit", {P::kMap, P::kString}, true, fn_omit});
  t.push_back({"merge", {P::kMap, P::kMap}, true, fn_merge});
  t.push_back({"mergeOverwrite", {P::kMap, P::kMap}, true, fn_merge_overwrite});
  t.push_back({"dig", {P::kAny}, true, fn_dig});
}

}  // namespace strata::tpl

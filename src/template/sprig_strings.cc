// Sprig's string functions (strings.go, functions.go), with Sprig's argument order: the
// string being worked on comes last so it can be piped in.
#include <algorithm>

#include "template/functions.h"
#include "template/go_format.h"
#include "template/utf8.h"

namespace strata::tpl {

namespace {

const std::string& str(const Val& v) { return v.as_string(); }

bool is_ascii_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

Val fn_upper(CallContext&, std::vector<Val>& a) {
  std::string s = str(a[0]);
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  return Val::string(std::move(s));
}

Val fn_lower(CallContext&, std::vector<Val>& a) {
  std::string s = str(a[0]);
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return Val::string(std::move(s));
}

// strings.Title: upper-case the first letter of each word.
Val fn_title(CallContext&, std::vector<Val>& a) {
  std::string s = str(a[0]);
  bool prev_sep = true;
  for (char& c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (prev_sep && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    if (u >= 0x80) prev_sep = false;
    else prev_sep = !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
  }
  return Val::string(std::move(s));
}

// goutils.Uncapitalize: lower-case the first letter of each space-separated word.
Val fn_untitle(CallContext&, std::vector<Val>& a) {
  std::string s = str(a[0]);
  bool word_start = true;
  for (char& c : s) {
    if (word_start && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    word_start = is_ascii_space(static_cast<unsigned char>(c));
  }
  return Val::string(std::move(s));
}

Val fn_trim(CallContext&, std::vector<Val>& a) {
  const std::string& s = str(a[0]);
  size_t b = 0, e = s.size();
  while (b < e && is_ascii_space(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && is_ascii_space(static_cast<unsigned char>(s[e - 1]))) --e;
  return Val::string(s.substr(b, e - b));
}

bool in_cutset(const std::string& cutset, const std::string& s, size_t i, size_t& len) {
  decode_utf8(s, i, len);
  std::string rune = s.substr(i, len);
  return cutset.find(rune) != std::string::npos;
}

Val fn_trim_all(CallContext&, std::vector<Val>& a) {
  const std::string& cutset = str(a[0]);
  const std::string& s = str(a[1]);
  size_t b = 0, len = 0;
  while (b < s.size() && in_cutset(cutset, s, b, len)) b += len;
  size_t e = s.size();
  while (e > b) {
    size_t start = e - 1;
    while (start > b && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    if (!in_cutset(cutset, s, start, len)) break;
    e = start;
  }
  return Val::string(s.substr(b, e - b));
}

Val fn_trim_prefix(CallContext&, std::vector<Val>& a) {
  const std::string &p = str(a[0]), &s = str(a[1]);
  return Val::string(s.rfind(p, 0) == 0 ? s.substr(p.size()) : s);
}

Val fn_trim_suffix(CallContext&, std::vector<Val>& a) {
  const std::string &p = str(a[0]), &s = str(a[1]);
  bool has = s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
  return Val::string(has ? s.substr(0, s.size() - p.size()) : s);
}

std::string replace_all(const std::string& s, const std::string& from, const std::string& to, const CallContext& ctx) {
  std::string out;
  if (from.empty()) {
    // Go inserts `to` before every rune and at the end.
    for (size_t i = 0; i < s.size();) {
      size_t len = 0;
      decode_utf8(s, i, len);
      out += to;
      out.append(s, i, len);
      i += len;
      check_size(ctx, out.size());
    }
    out += to;
    return out;
  }
  size_t i = 0;
  for (;;) {
    size_t j = s.find(from, i);
    if (j == std::string::npos) break;
    out.append(s, i, j - i);
    out += to;
    i = j + from.size();
    check_size(ctx, out.size());
  }
  out.append(s, i, std::string::npos);
  return out;
}

Val fn_replace(CallContext& ctx, std::vector<Val>& a) { return Val::string(replace_all(str(a[2]), str(a[0]), str(a[1]), ctx)); }

Val fn_contains(CallContext&, std::vector<Val>& a) { return Val::boolean(str(a[1]).find(str(a[0])) != std::string::npos); }
Val fn_has_prefix(CallContext&, std::vector<Val>& a) { return Val::boolean(str(a[1]).rfind(str(a[0]), 0) == 0); }
Val fn_has_suffix(CallContext&, std::vector<Val>& a) {
  const std::string &p = str(a[0]), &s = str(a[1]);
  return Val::boolean(s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0);
}

Val fn_quote(CallContext&, std::vector<Val>& a) {
  std::string out;
  bool first = true;
  for (const auto& v : a) {
    if (v.is_nil_or_invalid()) continue;
    if (!first) out += ' ';
    first = false;
    out += go_quote(strval(v));
  }
  return Val::string(out);
}

Val fn_squote(CallContext&, std::vector<Val>& a) {
  std::string out;
  bool first = true;
  for (const auto& v : a) {
    if (v.is_nil_or_invalid()) continue;
    if (!first) out += ' ';
    first = false;
    out += "'" + value_string(v) + "'";
  }
  return Val::string(out);
}

Val fn_cat(CallContext&, std::vector<Val>& a) {
  std::string out;
  bool first = true;
  for (const auto& v : a) {
    if (v.is_nil_or_invalid()) continue;
    if (!first) out += ' ';
    first = false;
    out += value_string(v);
  }
  return Val::string(out);
}

std::string indent(int64_t spaces, const std::string& s, const CallContext& ctx) {
  if (spaces < 0) throw FuncError("strings: negative Repeat count");
  check_size(ctx, static_cast<size_t>(spaces));
  std::string pad(static_cast<size_t>(spaces), ' ');
  return pad + replace_all(s, "\n", "\n" + pad, ctx);
}

Val fn_indent(CallContext& ctx, std::vector<Val>& a) { return Val::string(indent(a[0].as_int(), str(a[1]), ctx)); }
Val fn_nindent(CallContext& ctx, std::vector<Val>& a) { return Val::string("\n" + indent(a[0].as_int(), str(a[1]), ctx)); }

Val fn_repeat(CallContext& ctx, std::vector<Val>& a) {
  int64_t n = a[0].as_int();
  const std::string& s = str(a[1]);
  if (n < 0) throw FuncError("strings: negative Repeat count");
  if (!s.empty() && static_cast<uint64_t>(n) > ctx.limits.max_output / s.size())
    throw FuncError("repeat count " + std::to_string(n) + " would exceed the output limit of " +
                    std::to_string(ctx.limits.max_output) + " bytes");
  std::string out;
  out.reserve(s.size() * static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out += s;
  return Val::string(std::move(out));
}

[[noreturn]] void slice_panic(int64_t lo, int64_t hi, size_t len) {
  if (hi > static_cast<int64_t>(len) || hi < 0)
    throw FuncError("runtime error: slice bounds out of range [:" + std::to_string(hi) + "] with length " + std::to_string(len));
  throw FuncError("runtime error: slice bounds out of range [" + std::to_string(lo) + ":" + std::to_string(hi) + "]");
}

std::string go_slice(const std::string& s, int64_t lo, int64_t hi) {
  if (hi < 0 || hi > static_cast<int64_t>(s.size()) || lo < 0 || lo > hi) slice_panic(lo, hi, s.size());
  return s.substr(static_cast<size_t>(lo), static_cast<size_t>(hi - lo));
}

Val fn_substr(CallContext&, std::vector<Val>& a) {
  int64_t start = a[0].as_int(), end = a[1].as_int();
  const std::string& s = str(a[2]);
  int64_t len = static_cast<int64_t>(s.size());
  if (start < 0) return Val::string(go_slice(s, 0, end));
  if (end < 0 || end > len) return Val::string(go_slice(s, start, len));
  return Val::string(go_slice(s, start, end));
}

Val fn_trunc(CallContext&, std::vector<Val>& a) {
  int64_t c = a[0].as_int();
  const std::string& s = str(a[1]);
  int64_t len = static_cast<int64_t>(s.size());
  if (c < 0 && len + c > 0) return Val::string(s.substr(static_cast<size_t>(len + c)));
  if (c >= 0 && len > c) return Val::string(s.substr(0, static_cast<size_t>(c)));
  return Val::string(s);
}

std::vector<std::string> go_split(const std::string& s, const std::string& sep) {
  std::vector<std::string> parts;
  if (sep.empty()) {
    for (size_t i = 0; i < s.size();) {
      size_t len = 0;
      decode_utf8(s, i, len);
      parts.push_back(s.substr(i, len));
      i += len;
    }
    return parts;
  }
  size_t i = 0;
  for (;;) {
    size_t j = s.find(sep, i);
    if (j == std::string::npos) break;
    parts.push_back(s.substr(i, j - i));
    i = j + sep.size();
  }
  parts.push_back(s.substr(i));
  return parts;
}

Val fn_split(CallContext&, std::vector<Val>& a) {
  Val::Map m;
  auto parts = go_split(str(a[1]), str(a[0]));
  for (size_t i = 0; i < parts.size(); ++i) m["_" + std::to_string(i)] = Val::string(parts[i]);
  return Val::map(std::move(m));
}

Val fn_split_list(CallContext&, std::vector<Val>& a) {
  Val::List l;
  for (auto& p : go_split(str(a[1]), str(a[0]))) l.push_back(Val::string(std::move(p)));
  return Val::list(std::move(l));
}

// Sprig's strslice: a list's non-nil elements as strings, or a single value as a one-item list.
std::vector<std::string> strslice(const Val& v) {
  std::vector<std::string> out;
  if (v.kind() == Val::Kind::kList) {
    for (const auto& e : v.as_list())
      if (!e.is_nil_or_invalid()) out.push_back(strval(e));
  } else if (!v.is_nil_or_invalid()) {
    out.push_back(strval(v));
  }
  return out;
}

Val fn_join(CallContext& ctx, std::vector<Val>& a) {
  std::string out;
  auto parts = strslice(a[1]);
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += str(a[0]);
    out += parts[i];
    check_size(ctx, out.size());
  }
  return Val::string(out);
}

std::string wrap_custom(const std::string& s, int64_t width, const std::string& nl, bool long_words) {
  if (s.empty()) return "";
  if (width < 1) width = 1;
  size_t w = static_cast<size_t>(width);
  size_t n = s.size(), offset = 0;
  std::string out;
  while (n - offset > w) {
    if (s[offset] == ' ') {
      ++offset;
      continue;
    }
    size_t end = w + offset + 1;
    size_t sp = s.substr(offset, end - offset).rfind(' ');
    if (sp != std::string::npos) {
      out += s.substr(offset, sp) + nl;
      offset = offset + sp + 1;
    } else if (long_words) {
      out += s.substr(offset, w) + nl;
      offset += w;
    } else {
      size_t e2 = w + offset;
      size_t idx = s.find(' ', e2);
      if (idx == std::string::npos) {
        out += s.substr(offset);
        offset = n;
      } else {
        out += s.substr(offset, idx - offset) + nl;
        offset = idx + 1;
      }
    }
  }
  out += s.substr(offset);
  return out;
}

Val fn_wrap(CallContext&, std::vector<Val>& a) { return Val::string(wrap_custom(str(a[1]), a[0].as_int(), "\n", false)); }
Val fn_wrap_with(CallContext&, std::vector<Val>& a) {
  return Val::string(wrap_custom(str(a[2]), a[0].as_int(), str(a[1]), true));
}

Val fn_nospace(CallContext&, std::vector<Val>& a) {
  std::string out;
  for (char c : str(a[0]))
    if (!is_ascii_space(static_cast<unsigned char>(c))) out += c;
  return Val::string(out);
}

Val fn_plural(CallContext&, std::vector<Val>& a) { return a[2].as_int() == 1 ? a[0] : a[1]; }

}  // namespace

void register_sprig_strings(FunctionTable& t) {
  using P = Param;
  t.push_back({"upper", {P::kString}, false, fn_upper});
  t.push_back({"lower", {P::kString}, false, fn_lower});
  t.push_back({"title", {P::kString}, false, fn_title});
  t.push_back({"untitle", {P::kString}, false, fn_untitle});
  t.push_back({"trim", {P::kString}, false, fn_trim});
  t.push_back({"trimAll", {P::kString, P::kString}, false, fn_trim_all});
  t.push_back({"trimall", {P::kString, P::kString}, false, fn_trim_all});
  t.push_back({"trimPrefix", {P::kString, P::kString}, false, fn_trim_prefix});
  t.push_back({"trimSuffix", {P::kString, P::kString}, false, fn_trim_suffix});
  t.push_back({"replace", {P::kString, P::kString, P::kString}, false, fn_replace});
  t.push_back({"contains", {P::kString, P::kString}, false, fn_contains});
  t.push_back({"hasPrefix", {P::kString, P::kString}, false, fn_has_prefix});
  t.push_back({"hasSuffix", {P::kString, P::kString}, false, fn_has_suffix});
  t.push_back({"quote", {P::kAny}, true, fn_quote});
  t.push_back({"squote", {P::kAny}, true, fn_squote});
  t.push_back({"cat", {P::kAny}, true, fn_cat});
  t.push_back({"indent", {P::kInt, P::kString}, false, fn_indent});
  t.push_back({"nindent", {P::kInt, P::kString}, false, fn_nindent});
  t.push_back({"repeat", {P::kInt, P::kString}, false, fn_repeat});
  t.push_back({"substr", {P::kInt, P::kInt, P::kString}, false, fn_substr});
  t.push_back({"trunc", {P::kInt, P::kString}, false, fn_trunc});
  t.push_back({"split", {P::kString, P::kString}, false, fn_split});
  t.push_back({"splitList", {P::kString, P::kString}, false, fn_split_list});
  t.push_back({"join", {P::kString, P::kAny}, false, fn_join});
  t.push_back({"wrap", {P::kInt, P::kString}, false, fn_wrap});
  t.push_back({"wrapWith", {P::kInt, P::kString, P::kString}, false, fn_wrap_with});
  t.push_back({"nospace", {P::kString}, false, fn_nospace});
  t.push_back({"plural", {P::kString, P::kString, P::kInt}, false, fn_plural});
}

}  // namespace strata::tpl

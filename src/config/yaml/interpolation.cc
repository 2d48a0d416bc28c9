#include "config/yaml/interpolation.h"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <set>
#include <string_view>

namespace strata::yaml {
namespace {

// One `{{…}}` in a string: [begin, end) in the string, and its inner text.
struct Placeholder {
  size_t begin = 0;
  size_t end = 0;
  std::string inner;
};

// The next innermost, unescaped placeholder at or after `from`. ``{{` … `}}`` is skipped.
// Linear in the length of `s`: the first `}}` after an opening is kept while the search moves
// to the openings nested before it (finding it again for each of them made a string of many
// unclosed `{{` quadratic: a 1 MiB value took minutes).
std::optional<Placeholder> next_placeholder(const std::string& s, size_t from) {
  size_t open = s.find("{{", from);
  size_t close = std::string::npos;  // the first "}}" at or after `close_from`
  size_t close_from = std::string::npos;
  auto first_close = [&](size_t at) {
    if (close_from == std::string::npos || at < close_from || (close != std::string::npos &&
                                                               at > close)) {
      close = s.find("}}", at);
      close_from = at;
    }
    return close;
  };
  while (open != std::string::npos) {
    if (open + 2 < s.size() && s[open + 2] == '`') {
      size_t end = s.find("`}}", open + 3);
      if (end == std::string::npos) return std::nullopt;
      open = s.find("{{", end + 3);
      continue;
    }
    size_t c = first_close(open + 2);
    if (c == std::string::npos) return std::nullopt;
    size_t inner_open = s.find("{{", open + 2);
    if (inner_open != std::string::npos && inner_open < c) {
      open = inner_open;  // nested: the inner placeholder goes first
      continue;
    }
    std::string inner = s.substr(open + 2, c - open - 2);
    if (!inner.empty() && inner.back() != '`') return Placeholder{open, c + 2, inner};
    open = s.find("{{", open + 2);
  }
  return std::nullopt;
}

std::string without_spaces(std::string s) {
  std::erase_if(s, [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
  return s;
}

// "1.5" for a float, "80" for an int, as Python's str() would write them.
std::string scalar_text(const Value& v) {
  if (v.is_string()) return v.as_string();
  if (v.is_bool()) return v.as_bool() ? "True" : "False";
  if (v.is_number()) return v.as_number().text();
  return "";
}

class Resolver {
 public:
  Resolver(Value& data, const InterpolationOptions& options, Diagnostics& diagnostics)
      : data_(data), options_(options), diagnostics_(diagnostics) {}

  // One pass over the tree; true if anything changed. With `record`, the key paths of the
  // values that changed are kept (to name cycles after the last pass).
  bool pass(bool record = false) {
    changed_ = false;
    recording_ = record;
    walk(data_);
    return changed_ && !exhausted_;
  }

  static constexpr size_t kMaxUnresolved = 50;

  // Placeholders left unresolved (reported or not), and where the first one not reported is.
  size_t unresolved() const { return unresolved_; }
  const Origin& first_unreported() const { return first_unreported_; }

  // Reports every placeholder still left, then unwraps escapes.
  void finish(Value& v, const std::string& path) {
    if (v.is_string()) {
      const std::string& s = v.as_string();
      if (auto p = next_placeholder(s, 0)) {
        // After a growth error the rest is a consequence of it; past kMaxUnresolved, one
        // summary stands for the others (see interpolate()).
        if (reported_.contains(path) || exhausted_) return;
        if (++unresolved_ > kMaxUnresolved) {
          if (!first_unreported_.known()) first_unreported_ = v.origin();
          return;
        }
        if (cyclic_.contains(path))
          diagnostics_.error(v.origin(),
                             "unresolved placeholder {{" + p->inner + "}} in `" + path +
                                 "`: it still changed after " +
                                 std::to_string(options_.max_passes) +
                                 " passes, so placeholders refer to each other in a cycle "
                                 "(or through more steps than that)",
                             "make one of the values in the cycle a plain value");
        else
          diagnostics_.error(v.origin(),
                             "unresolved placeholder {{" + p->inner + "}} in `" + path + "`",
                             "define `" + without_spaces(p->inner) +
                                 "` in a layer at or above this folder, or write {{`{{" + p->inner +
                                 "}}`}} to keep it literal");
        return;
      }
      if (s.find("{{`") != std::string::npos) set_string(v, unescape(s));
    } else if (v.is_list()) {
      for (size_t i = 0; i < v.as_list().size(); ++i)
        finish(v.as_list()[i], path + "[" + std::to_string(i) + "]");
    } else if (v.is_map()) {
      for (auto& [k, item] : v.as_map()) finish(item, path.empty() ? k : path + "." + k);
    }
  }

  void resolve_secrets(Value& v, const std::string& path) {
    if (v.is_string()) {
      if (v.as_string().rfind("sops://", 0) != 0) return;
      try {
        Origin o = v.origin();
        v = options_.secrets->resolve(v.as_string(), o);
        v.set_sensitive(true);
        v.set_origin(std::move(o));
      } catch (const Error& e) {
        diagnostics_.error(e.origin().known() ? e.origin() : v.origin(),
                           "secret for `" + path + "`: " + e.message(), e.hint());
      }
    } else if (v.is_list()) {
      for (size_t i = 0; i < v.as_list().size(); ++i)
        resolve_secrets(v.as_list()[i], path + "[" + std::to_string(i) + "]");
    } else if (v.is_map()) {
      for (auto& [k, item] : v.as_map()) resolve_secrets(item, path.empty() ? k : path + "." + k);
    }
  }

 private:
  static std::string unescape(const std::string& s) {
    std::string out;
    size_t pos = 0;
    for (size_t open; (open = s.find("{{`", pos)) != std::string::npos;) {
      size_t close = s.find("`}}", open + 3);
      if (close == std::string::npos) break;
      out += s.substr(pos, open - pos) + s.substr(open + 3, close - open - 3);
      pos = close + 3;
    }
    return out + s.substr(pos);
  }

  static void set_string(Value& v, std::string s) {
    Origin o = v.origin();
    bool sensitive = v.sensitive();
    v = Value(std::move(s));
    v.set_origin(std::move(o));
    v.set_sensitive(sensitive);
  }

  // The key path of the value being walked ("a.b[2].c"), built only when an error needs it.
  std::string current_path() const {
    std::string out;
    for (const auto& [key, index] : path_) {
      if (key)
        out += (out.empty() ? "" : ".") + *key;
      else
        out += "[" + std::to_string(index) + "]";
    }
    return out;
  }

  void walk(Value& v) {
    if (exhausted_) return;
    if (v.is_string()) {
      if (v.as_string().find("{{") != std::string::npos) resolve_string(v);
    } else if (v.is_list()) {
      for (size_t i = 0; i < v.as_list().size(); ++i) {
        path_.emplace_back(nullptr, i);
        walk(v.as_list()[i]);
        path_.pop_back();
      }
    } else if (v.is_map()) {
      for (auto& [k, item] : v.as_map()) {
        path_.emplace_back(&k, 0);
        walk(item);
        path_.pop_back();
      }
    }
  }

  // The value of a placeholder's inner text (in the tree, or in env_value_ for env()), or
  // nullptr when it cannot be resolved (yet). Not a copy: the caller counts what it copies.
  const Value* value_of(const std::string& inner, bool whole) {
    std::string key = without_spaces(inner);
    if (key.rfind("env(", 0) == 0 && key.back() == ')') {
      std::string name = key.substr(4, key.size() - 5);
      env_value_ = whole ? Value() : Value("");
      if (options_.environment) {
        auto it = options_.environment->find(name);
        if (it != options_.environment->end()) env_value_ = Value(it->second);
      } else if (const char* e = std::getenv(name.c_str())) {
        env_value_ = Value(std::string(e));
      }
      return &env_value_;
    }
    return lookup_path(data_, key);
  }

  void resolve_string(Value& v) {
    std::string s = v.as_string();
    size_t from = 0;
    bool changed = false;
    while (auto p = next_placeholder(s, from)) {
      bool whole = p->begin == 0 && p->end == s.size();
      const Value* found = value_of(p->inner, whole);
      if (!found) {
        from = p->end;
        continue;
      }
      if (whole) {
        if (!afford_copy(*found, v)) return;
        Value copy = *found;  // `found` may hold `v` itself
        Origin o = v.origin();
        v = std::move(copy);
        v.set_origin(std::move(o));
        mark_changed();
        return;
      }
      if (found->is_bool() || (found->is_number() && found->as_number().is_integer())) {
        // himl: an int or bool inside a string makes the whole value that int or bool.
        Value copy = *found;
        Origin o = v.origin();
        v = std::move(copy);
        v.set_origin(std::move(o));
        mark_changed();
        return;
      }
      if (found->is_map() || found->is_list() || found->is_null()) {
        std::string path = current_path();
        if (reported_.insert(path).second)
          diagnostics_.error(
              v.origin(),
              "placeholder {{" + p->inner + "}} in `" + path + "` refers to " +
                  (found->is_null() ? "null" : std::string("a ") + found->kind_name()) +
                  ", which cannot be put inside a string",
              "make the placeholder the whole value, or point it at a string");
        from = p->end;
        continue;
      }
      std::string text = scalar_text(*found);
      if (s.size() - (p->end - p->begin) + text.size() > options_.max_string_size) {
        report_growth(v, "grows past " + std::to_string(options_.max_string_size) +
                             " characters: its placeholders expand to too large a value");
        return;
      }
      // Each string may stay under the bound and many of them still exhaust memory together.
      grown_ += text.size();
      if (grown_ > options_.max_total_growth) {
        report_growth(v, "adds more than " + std::to_string(options_.max_total_growth >> 20) +
                             " MiB of text in all: its placeholders expand to too large values");
        return;
      }
      s.replace(p->begin, p->end - p->begin, text);
      // Placeholders the substituted text brings in are left to the next pass.
      from = p->begin + text.size();
      changed = true;
    }
    if (changed) {
      set_string(v, std::move(s));
      mark_changed();
    }
  }

  void mark_changed() {
    changed_ = true;
    if (recording_) cyclic_.insert(current_path());
  }

  // How many values `v` holds and how deep it nests (a scalar: 1 and 1). Copies are bounded in
  // depth (afford_copy), so this recursion is too.
  static void measure(const Value& v, size_t level, size_t& count, size_t& depth) {
    ++count;
    depth = std::max(depth, level);
    if (v.is_list())
      for (const auto& item : v.as_list()) measure(item, level + 1, count, depth);
    else if (v.is_map())
      for (const auto& [k, item] : v.as_map()) measure(item, level + 1, count, depth);
  }

  // Whole-value placeholders copy maps and lists. One inside the map it copies ({{c}} in c)
  // nests the copy deeper on every pass, and ones that repeat each other multiply the copies,
  // so both the depth and the number of values copied are bounded.
  bool afford_copy(const Value& found, Value& at) {
    size_t count = 0, depth = 0;
    measure(found, 1, count, depth);
    if (path_.size() + depth > options_.max_depth) {
      report_growth(at, "nests deeper than " + std::to_string(options_.max_depth) +
                            " levels: whole-value placeholders copy maps or lists into each other "
                            "or into themselves");
      return false;
    }
    copied_ += count;
    if (copied_ <= options_.max_copied_values) return true;
    report_growth(at, "copies more than " + std::to_string(options_.max_copied_values) +
                          " values in all: whole-value placeholders expand to too large a tree");
    return false;
  }

  // Stops interpolation: what is left is reported as unresolved (once per path).
  void report_growth(const Value& at, const std::string& what) {
    std::string path = current_path();
    exhausted_ = true;
    if (!reported_.insert(path).second) return;
    constexpr size_t kMaxShown = 80;
    std::string shown = path.size() > kMaxShown ? path.substr(0, kMaxShown) + "…" : path;
    diagnostics_.error(at.origin(), "interpolating `" + shown + "` " + what,
                       "placeholders that repeat other placeholders multiply in size "
                       "(a: \"{{b}}{{b}}\", b: \"{{c}}{{c}}\", …), and placeholders that refer to "
                       "each other grow on every pass: write such a value out, or break the cycle");
  }

  Value& data_;
  const InterpolationOptions& options_;
  Diagnostics& diagnostics_;
  std::set<std::string> reported_;
  std::vector<std::pair<const std::string*, size_t>> path_;  // map key, or list index
  bool changed_ = false;
  bool recording_ = false;
  bool exhausted_ = false;        // a growth bound was hit: no more passes
  size_t copied_ = 0;             // values copied by whole-value placeholders
  size_t grown_ = 0;              // bytes put into strings by placeholders
  std::set<std::string> cyclic_;  // paths still changing after the last pass
  Value env_value_;               // the value of the last {{env(…)}}
  size_t unresolved_ = 0;         // placeholders found unresolved by finish()
  Origin first_unreported_;       // the first of them past kMaxUnresolved
};

}  // namespace

const Value* lookup_path(const Value& data, const std::string& dotted) {
  const Value* cur = &data;
  size_t pos = 0;
  while (true) {
    size_t dot = dotted.find('.', pos);
    std::string_view key(dotted.data() + pos,
                         (dot == std::string::npos ? dotted.size() : dot) - pos);
    if (!cur->is_map()) return nullptr;
    auto it = cur->as_map().find(std::string(key));
    if (it == cur->as_map().end()) return nullptr;
    cur = &it->second;
    if (dot == std::string::npos) return cur;
    pos = dot + 1;
  }
}

void interpolate(Value& data, const InterpolationOptions& options, Diagnostics& diagnostics) {
  if (!data.is_map()) return;
  for (const std::string& key : options.exclude) data.as_map().erase(key);
  Resolver resolver(data, options, diagnostics);
  bool settled = false;
  for (int i = 0; i < options.max_passes && !settled; ++i) settled = !resolver.pass();
  // Values still changing now are in a cycle: one more pass names them.
  if (!settled) resolver.pass(/*record=*/true);
  if (options.secrets) resolver.resolve_secrets(data, "");
  resolver.finish(data, "");
  if (resolver.unresolved() > Resolver::kMaxUnresolved)
    diagnostics.error(resolver.first_unreported(),
                      std::to_string(resolver.unresolved() - Resolver::kMaxUnresolved) +
                          " more unresolved placeholders, the first of them here",
                      "fix the ones above first; the rest often follow from them");
  if (!options.filter.empty()) {
    Value::Map kept;
    for (const std::string& key : options.filter)
      if (auto it = data.as_map().find(key); it != data.as_map().end())
        kept.emplace(key, it->second);
    Origin o = data.origin();
    data = Value(std::move(kept));
    data.set_origin(std::move(o));
  }
}

}  // namespace strata::yaml

#include "engine/plan_diff.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <set>

#include "engine/json_fields.h"

namespace strata {

namespace {

using engine_json::field;
using engine_json::string_field;

bool has(const Value* actions, const char* action) {
  if (!actions || !actions->is_list()) return false;
  for (const auto& a : actions->as_list())
    if (a.is_string() && a.as_string() == action) return true;
  return false;
}

// A sensitivity or unknown mark: `true`, or a structure of marks beside the value's own.
bool marked(const Value* mark) { return mark && mark->is_bool() && mark->as_bool(); }

bool any_marked(const Value* mark) {
  if (!mark) return false;
  if (mark->is_bool()) return mark->as_bool();
  if (mark->is_list()) {
    for (const auto& e : mark->as_list())
      if (any_marked(&e)) return true;
  }
  if (mark->is_map()) {
    for (const auto& [k, e] : mark->as_map())
      if (any_marked(&e)) return true;
  }
  return false;
}

const Value* child(const Value* v, const std::string& key) {
  return v && v->is_map() ? v->find(key) : nullptr;
}

const Value* child(const Value* v, size_t index) {
  return v && v->is_list() && index < v->as_list().size() ? &v->as_list()[index] : nullptr;
}

// A map key as Terraform writes it in a path: an identifier as is, anything else quoted.
std::string key_step(const std::string& prefix, const std::string& key) {
  bool ident = !key.empty() && !std::isdigit(static_cast<unsigned char>(key[0]));
  for (char c : key) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') ident = false;
  }
  if (ident) return prefix.empty() ? key : prefix + "." + key;
  return prefix + "[" + render_plan_value(Value(key)) + "]";
}

std::string index_step(const std::string& prefix, size_t i) { return prefix + "[" + std::to_string(i) + "]"; }

std::string cut(std::string s) {
  if (s.size() <= kMaxRenderedValue) return s;
  size_t n = kMaxRenderedValue;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // not inside a UTF-8 character
  return s.substr(0, n) + "…";
}

// The paths in replace_paths, written as attribute paths.
std::set<std::string> replace_paths(const Value* paths) {
  std::set<std::string> out;
  if (!paths || !paths->is_list()) return out;
  for (const auto& p : paths->as_list()) {
    if (!p.is_list()) continue;
    std::string path;
    for (const auto& step : p.as_list()) {
      if (step.is_string()) {
        path = key_step(path, step.as_string());
      } else if (step.is_number()) {
        path = index_step(path, static_cast<size_t>(step.as_number().as_double()));
      }
    }
    out.insert(path);
  }
  return out;
}

struct Differ {
  std::set<std::string> replace;
  std::vector<AttributeChange>* out;

  static bool is_null(const Value* v) { return !v || v->is_null(); }

  void add(const std::string& path, const Value* before, const Value* after, const Value* bsens,
           const Value* asens, bool unknown) {
    AttributeChange c;
    c.path = path;
    if (!is_null(before)) c.before = any_marked(bsens) ? kSensitiveText : render_plan_value(*before);
    if (unknown) {
      c.after = kUnknownText;
    } else if (!is_null(after)) {
      c.after = any_marked(asens) ? kSensitiveText : render_plan_value(*after);
    }
    if (!c.before && !c.after) return;
    c.forces_replacement = replace.count(path) > 0;
    out->push_back(std::move(c));
  }

  // Records the leaves that differ between before and after under `path`: objects key by key
  // and lists of one length element by element, so "object.number = 10 -> 2" rather than two
  // whole objects; a value marked sensitive is compared, never shown.
  void diff(const std::string& path, const Value* before, const Value* after, const Value* bsens,
            const Value* asens, const Value* unknown) {
    if (marked(unknown)) return add(path, before, after, bsens, asens, true);
    bool some_unknown = any_marked(unknown);
    if (is_null(before) && is_null(after) && !some_unknown) return;
    if (!some_unknown && before && after && *before == *after && any_marked(bsens) == any_marked(asens)) return;
    // An object or map added or removed whole: each of its values, as Terraform lists them.
    if (!marked(bsens) && !marked(asens) && !some_unknown) {
      if (is_null(after) && before->is_map() && !before->as_map().empty()) {
        for (const auto& [k, v] : before->as_map())
          diff(key_step(path, k), &v, nullptr, child(bsens, k), nullptr, nullptr);
        return;
      }
      if (is_null(before) && after->is_map() && !after->as_map().empty()) {
        for (const auto& [k, v] : after->as_map())
          diff(key_step(path, k), nullptr, &v, nullptr, child(asens, k), nullptr);
        return;
      }
      if (is_null(after) && before->is_list() && !before->as_list().empty()) {
        for (size_t i = 0; i < before->as_list().size(); ++i)
          diff(index_step(path, i), &before->as_list()[i], nullptr, child(bsens, i), nullptr, nullptr);
        return;
      }
      if (is_null(before) && after->is_list() && !after->as_list().empty()) {
        for (size_t i = 0; i < after->as_list().size(); ++i)
          diff(index_step(path, i), nullptr, &after->as_list()[i], nullptr, child(asens, i), nullptr);
        return;
      }
    }
    if (!marked(bsens) && !marked(asens) && !is_null(before) && !is_null(after)) {
      if (before->is_list() && after->is_list() && !some_unknown) {
        return diff_lists(path, before->as_list(), after->as_list(), bsens, asens);
      }
      if (before->is_map() && after->is_map()) {
        std::set<std::string> keys;
        for (const auto& [k, v] : before->as_map()) keys.insert(k);
        for (const auto& [k, v] : after->as_map()) keys.insert(k);
        if (unknown && unknown->is_map()) {
          for (const auto& [k, v] : unknown->as_map()) keys.insert(k);
        }
        for (const auto& k : keys) {
          diff(key_step(path, k), before->find(k), after->find(k), child(bsens, k), child(asens, k),
               child(unknown, k));
        }
        return;
      }
      if (before->is_list() && after->is_list() && before->as_list().size() == after->as_list().size()) {
        for (size_t i = 0; i < before->as_list().size(); ++i) {
          diff(index_step(path, i), child(before, i), child(after, i), child(bsens, i), child(asens, i),
               child(unknown, i));
        }
        return;
      }
    }
    // A list or object of other shape, partly unknown: not known until apply as a whole.
    add(path, before, after, bsens, asens, some_unknown);
  }

  // Lists, as Terraform shows them: of objects (nested blocks), element by element by
  // position, then what was added or removed at the end; of other values, the elements both
  // keep (longest common subsequence) are unchanged and between them removed and added elements
  // are paired in order and compared, the rest shown as removed (at their old index) or added
  // (at their new one). Plan JSON does not say which lists are sets; Terraform knows from the
  // provider schema and shows a set of objects as elements that went and came.
  void diff_lists(const std::string& path, const Value::List& before, const Value::List& after,
                  const Value* bsens, const Value* asens) {
    const size_t n = before.size(), m = after.size();
    auto objects = [](const Value::List& l) {
      for (const auto& e : l)
        if (!e.is_map()) return false;
      return true;
    };
    if (objects(before) && objects(after)) {
      for (size_t k = 0; k < std::max(n, m); ++k) {
        diff(index_step(path, k), k < n ? &before[k] : nullptr, k < m ? &after[k] : nullptr,
             child(bsens, k), child(asens, k), nullptr);
      }
      return;
    }
    if (n * m > 250000) return add(path, &before_value(before), &after_value(after), bsens, asens, false);
    std::vector<std::vector<uint32_t>> lcs(n + 1, std::vector<uint32_t>(m + 1, 0));
    for (size_t i = n; i-- > 0;) {
      for (size_t j = m; j-- > 0;) {
        lcs[i][j] = before[i] == after[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    size_t i = 0, j = 0;
    std::vector<size_t> removed, added;
    auto flush = [&] {
      size_t paired = std::min(removed.size(), added.size());
      for (size_t k = 0; k < paired; ++k) {
        diff(index_step(path, added[k]), &before[removed[k]], &after[added[k]], child(bsens, removed[k]),
             child(asens, added[k]), nullptr);
      }
      for (size_t k = paired; k < removed.size(); ++k)
        diff(index_step(path, removed[k]), &before[removed[k]], nullptr, child(bsens, removed[k]), nullptr, nullptr);
      for (size_t k = paired; k < added.size(); ++k)
        diff(index_step(path, added[k]), nullptr, &after[added[k]], nullptr, child(asens, added[k]), nullptr);
      removed.clear();
      added.clear();
    };
    while (i < n || j < m) {
      if (i < n && j < m && before[i] == after[j]) {
        flush();
        ++i, ++j;
      } else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) {
        added.push_back(j++);
      } else {
        removed.push_back(i++);
      }
    }
    flush();
  }
  Value list_holder_;
  const Value& before_value(const Value::List& l) { return list_holder_ = Value(l); }
  Value list_holder2_;
  const Value& after_value(const Value::List& l) { return list_holder2_ = Value(l); }

  // Everything a create sets, leaf by leaf (null attributes left out, as Terraform does).
  void created(const std::string& path, const Value* after, const Value* asens, const Value* unknown) {
    if (marked(unknown)) return add(path, nullptr, nullptr, nullptr, asens, true);
    if (is_null(after)) return;
    if (after->is_map() && !after->as_map().empty() && !marked(asens)) {
      std::set<std::string> keys;
      for (const auto& [k, v] : after->as_map()) keys.insert(k);
      if (unknown && unknown->is_map()) {
        for (const auto& [k, v] : unknown->as_map()) keys.insert(k);
      }
      for (const auto& k : keys) created(key_step(path, k), after->find(k), child(asens, k), child(unknown, k));
      return;
    }
    add(path, nullptr, after, nullptr, asens, any_marked(unknown));
  }
};

}  // namespace

std::string plan_action(const Value* actions) {
  bool create = has(actions, "create"), del = has(actions, "delete");
  if (create && del) return "replace";
  if (create) return "create";
  if (del) return "delete";
  if (has(actions, "update")) return "update";
  if (has(actions, "read")) return "read";
  if (has(actions, "forget")) return "forget";
  return "no-op";
}

ResourcePlan describe_resource_change(const Value& entry) {
  ResourcePlan r;
  r.address = string_field(&entry, "address");
  r.moved_from = string_field(&entry, "previous_address");
  r.reason = string_field(&entry, "action_reason");
  const Value* change = field(&entry, "change");
  r.action = plan_action(field(change, "actions"));
  r.importing = field(change, "importing") != nullptr;
  Differ d;
  d.replace = replace_paths(field(change, "replace_paths"));
  d.out = &r.attributes;
  const Value* before = field(change, "before");
  const Value* after = field(change, "after");
  const Value* bsens = field(change, "before_sensitive");
  const Value* asens = field(change, "after_sensitive");
  const Value* unknown = field(change, "after_unknown");
  if (r.action == "update" || r.action == "replace") {
    d.diff("", before, after, bsens, asens, unknown);
  } else if (r.action == "create") {
    d.created("", after, asens, unknown);
  }
  return r;
}

OutputPlan describe_output_change(const std::string& name, const Value& change) {
  OutputPlan o;
  o.name = name;
  o.action = plan_action(field(&change, "actions"));
  const Value* before = field(&change, "before");
  const Value* after = field(&change, "after");
  bool sensitive = any_marked(field(&change, "before_sensitive")) || any_marked(field(&change, "after_sensitive"));
  auto shown = [&](const Value* v) -> std::optional<std::string> {
    if (!v || v->is_null()) return std::nullopt;
    return sensitive ? std::string(kSensitiveText) : render_plan_value(*v);
  };
  if (o.action != "create") o.before = shown(before);
  if (any_marked(field(&change, "after_unknown"))) {
    o.after = std::string(kUnknownText);
  } else if (o.action != "delete") {
    o.after = shown(after);
  }
  return o;
}

std::string render_plan_value(const Value& v) {
  std::string out;
  switch (v.kind()) {
    case Value::Kind::kNull: out = "null"; break;
    case Value::Kind::kBool: out = v.as_bool() ? "true" : "false"; break;
    case Value::Kind::kNumber: out = v.as_number().text(); break;
    case Value::Kind::kString: out = to_json_text(v, -1); break;
    case Value::Kind::kList: {
      out = "[";
      bool first = true;
      for (const auto& e : v.as_list()) {
        out += (first ? "" : ", ") + render_plan_value(e);
        first = false;
        if (out.size() > kMaxRenderedValue) break;
      }
      out += "]";
      break;
    }
    case Value::Kind::kMap: {
      if (v.as_map().empty()) {
        out = "{}";
        break;
      }
      out = "{ ";
      bool first = true;
      for (const auto& [k, e] : v.as_map()) {
        out += (first ? "" : ", ") + key_step("", k) + " = " + render_plan_value(e);
        first = false;
        if (out.size() > kMaxRenderedValue) break;
      }
      out += " }";
      break;
    }
  }
  return cut(std::move(out));
}

}  // namespace strata

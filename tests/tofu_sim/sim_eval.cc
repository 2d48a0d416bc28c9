#include "sim_eval.h"

namespace tofu_sim {

namespace {

using strata::Diagnostics;

std::string join_path(const std::vector<std::string>& path, size_t n) {
  std::string out;
  for (size_t i = 0; i < n && i < path.size(); ++i) out += (i ? "." : "") + path[i];
  return out;
}

// Follows attribute/index steps into a value (for var.obj.key or terraform_data.a.output[0]).
std::optional<Typed> traverse(Typed t, const Expr& e, size_t from, Diagnostics& diags) {
  for (size_t i = from; i < e.path.size(); ++i) {
    if (t.unknown) return t;
    const std::string& step = e.path[i];
    Typed next;
    next.sensitive = t.sensitive;
    if (t.value.is_map() && t.value.find(step)) {
      next.value = *t.value.find(step);
    } else if (t.value.is_list()) {
      char* end = nullptr;
      long idx = std::strtol(step.c_str(), &end, 10);
      if (*end != '\0' || idx < 0 || static_cast<size_t>(idx) >= t.value.as_list().size()) {
        diags.error(e.origin, "Invalid index",
                    "The given key does not identify an element in this collection value.");
        return std::nullopt;
      }
      next.value = t.value.as_list()[static_cast<size_t>(idx)];
    } else {
      diags.error(e.origin, "Unsupported attribute",
                  "This value does not have an attribute named \"" + step + "\".");
      return std::nullopt;
    }
    next.type = implied_type(next.value);
    t = next;
  }
  return t;
}

std::optional<Typed> evaluate_ref(const Expr& e, const EvalScope& scope, Diagnostics& diags) {
  const auto& p = e.path;
  if (p[0] == "var") {
    if (p.size() < 2) {
      diags.error(e.origin, "Invalid reference", "A reference to var needs a variable name.");
      return std::nullopt;
    }
    auto it = scope.variables.find(p[1]);
    if (it == scope.variables.end()) {
      diags.error(e.origin, "Reference to undeclared input variable",
                  "An input variable with the name \"" + p[1] +
                      "\" has not been declared. This variable can be declared with a "
                      "variable \"" + p[1] + "\" {} block.");
      return std::nullopt;
    }
    return traverse(it->second, e, 2, diags);
  }
  if (p.size() >= 2) {
    auto it = scope.resources.find(p[0] + "." + p[1]);
    if (it != scope.resources.end()) {
      if (p.size() == 2) {
        Typed whole;
        whole.type = Value("dynamic");
        Value obj = Value::map();
        for (const auto& [k, v] : it->second) {
          if (v.unknown) whole.unknown = true;
          obj.set(k, v.value);
        }
        whole.value = obj;
        return whole;
      }
      auto attr = it->second.find(p[2]);
      if (attr == it->second.end()) {
        diags.error(e.origin, "Unsupported attribute",
                    "This object has no argument, nested block, or exported attribute named \"" +
                        p[2] + "\".");
        return std::nullopt;
      }
      return traverse(attr->second, e, 3, diags);
    }
    if (p[0] == "local" || p[0] == "data" || p[0] == "module" || p[0] == "each" ||
        p[0] == "count" || p[0] == "path" || p[0] == "terraform" || p[0] == "self") {
      diags.error(e.origin, "unsupported reference " + join_path(p, 2) + " (tofu-sim)",
                  "tofu-sim resolves only var.NAME and attributes of terraform_data and "
                  "null_resource resources");
      return std::nullopt;
    }
    diags.error(e.origin, "Reference to undeclared resource",
                "A managed resource \"" + p[0] + "\" \"" + p[1] +
                    "\" has not been declared in the root module.");
    return std::nullopt;
  }
  diags.error(e.origin, "Invalid reference",
              "A reference to a resource type must be followed by at least one attribute "
              "access, specifying the resource name.");
  return std::nullopt;
}

Value tuple_type(const Value::List& items) {
  Value types = Value::list();
  for (const auto& i : items) types.push(implied_type(i));
  return Value(Value::List{Value("tuple"), types});
}

}  // namespace

Value implied_type(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull: return Value("dynamic");
    case Value::Kind::kBool: return Value("bool");
    case Value::Kind::kNumber: return Value("number");
    case Value::Kind::kString: return Value("string");
    case Value::Kind::kList: return tuple_type(v.as_list());
    case Value::Kind::kMap: {
      Value attrs = Value::map();
      for (const auto& [k, e] : v.as_map()) attrs.set(k, implied_type(e));
      return Value(Value::List{Value("object"), attrs});
    }
  }
  return Value("dynamic");
}

std::optional<std::string> primitive_text(const Value& v) {
  if (v.is_string()) return v.as_string();
  if (v.is_number()) return v.as_number().text();
  if (v.is_bool()) return std::string(v.as_bool() ? "true" : "false");
  return std::nullopt;
}

std::optional<Typed> evaluate(const Expr& e, const EvalScope& scope, Diagnostics& diags) {
  Typed out;
  switch (e.kind) {
    case Expr::Kind::kLiteral:
      out.value = e.literal;
      out.type = implied_type(e.literal);
      return out;
    case Expr::Kind::kTemplate: {
      std::string s;
      for (const auto& part : e.items) {
        auto v = evaluate(part, scope, diags);
        if (!v) return std::nullopt;
        out.unknown |= v->unknown;
        out.sensitive |= v->sensitive;
        if (v->unknown) continue;
        if (v->value.is_null()) {
          diags.error(part.origin, "Invalid template interpolation value",
                      "The expression result is null. Cannot include a null value in a string "
                      "template.");
          return std::nullopt;
        }
        auto text = primitive_text(v->value);
        if (!text) {
          diags.error(part.origin, "Invalid template interpolation value",
                      "Cannot include the given value in a string template: string required.");
          return std::nullopt;
        }
        s += *text;
      }
      out.value = out.unknown ? Value() : Value(s);
      out.type = Value("string");
      return out;
    }
    case Expr::Kind::kList: {
      Value list = Value::list();
      Value types = Value::list();
      for (const auto& item : e.items) {
        auto v = evaluate(item, scope, diags);
        if (!v) return std::nullopt;
        out.unknown |= v->unknown;
        out.sensitive |= v->sensitive;
        list.push(v->value);
        types.push(v->type);
      }
      out.value = list;
      out.type = Value(Value::List{Value("tuple"), types});
      return out;
    }
    case Expr::Kind::kObject: {
      Value obj = Value::map();
      Value types = Value::map();
      for (size_t i = 0; i < e.keys.size(); ++i) {
        auto v = evaluate(e.items[i], scope, diags);
        if (!v) return std::nullopt;
        out.unknown |= v->unknown;
        out.sensitive |= v->sensitive;
        obj.set(e.keys[i], v->value);
        types.set(e.keys[i], v->type);
      }
      out.value = obj;
      out.type = Value(Value::List{Value("object"), types});
      return out;
    }
    case Expr::Kind::kRef:
      return evaluate_ref(e, scope, diags);
    case Expr::Kind::kCall:
      diags.error(e.origin, "function calls such as " + e.name + "() are not supported by tofu-sim",
                  "tofu-sim understands literals, var.NAME, resource attributes and \"${...}\" "
                  "templates; use real Terraform for functions");
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<Value> type_constraint(const Expr& e, Diagnostics& diags) {
  auto bad = [&]() -> std::optional<Value> {
    diags.error(e.origin, "Invalid type specification",
                "A type constraint is string, number, bool, any, list(T), set(T), map(T), "
                "object({...}) or tuple([...]).");
    return Value("dynamic");
  };
  if (e.kind == Expr::Kind::kRef && e.path.size() == 1) {
    const std::string& n = e.path[0];
    if (n == "string" || n == "number" || n == "bool") return Value(n);
    if (n == "any") return std::nullopt;
    return bad();
  }
  if (e.kind == Expr::Kind::kCall && e.items.size() == 1) {
    if (e.name == "list" || e.name == "set" || e.name == "map") {
      auto inner = type_constraint(e.items[0], diags);
      return Value(Value::List{Value(e.name), inner ? *inner : Value("dynamic")});
    }
    if (e.name == "object" && e.items[0].kind == Expr::Kind::kObject) {
      Value attrs = Value::map();
      for (size_t i = 0; i < e.items[0].keys.size(); ++i) {
        auto t = type_constraint(e.items[0].items[i], diags);
        attrs.set(e.items[0].keys[i], t ? *t : Value("dynamic"));
      }
      return Value(Value::List{Value("object"), attrs});
    }
    if (e.name == "tuple" && e.items[0].kind == Expr::Kind::kList) {
      Value elems = Value::list();
      for (const auto& i : e.items[0].items) {
        auto t = type_constraint(i, diags);
        elems.push(t ? *t : Value("dynamic"));
      }
      return Value(Value::List{Value("tuple"), elems});
    }
  }
  return bad();
}

std::optional<Typed> convert(const Typed& in, const std::optional<Value>& type, std::string* err) {
  if (!type || (type->is_string() && type->as_string() == "dynamic")) {
    Typed out = in;
    if (!in.unknown) out.type = implied_type(in.value);
    return out;
  }
  Typed out;
  out.sensitive = in.sensitive;
  out.unknown = in.unknown;
  out.type = *type;
  if (in.unknown || in.value.is_null()) {
    out.value = in.value;
    return out;
  }
  const Value& v = in.value;
  if (type->is_string()) {
    const std::string& t = type->as_string();
    if (t == "string") {
      auto text = primitive_text(v);
      if (!text) {
        *err = "string required";
        return std::nullopt;
      }
      out.value = Value(*text);
      return out;
    }
    if (t == "number") {
      if (v.is_number()) {
        out.value = v;
        return out;
      }
      if (v.is_string()) {
        char* end = nullptr;
        std::strtod(v.as_string().c_str(), &end);
        if (!v.as_string().empty() && *end == '\0') {
          out.value = Value(strata::Number(v.as_string()));
          return out;
        }
        *err = "a number is required";
        return std::nullopt;
      }
      *err = "number required";
      return std::nullopt;
    }
    if (t == "bool") {
      if (v.is_bool()) {
        out.value = v;
        return out;
      }
      if (v.is_string() && (v.as_string() == "true" || v.as_string() == "false")) {
        out.value = Value(v.as_string() == "true");
        return out;
      }
      *err = "bool required";
      return std::nullopt;
    }
  }
  const Value::List& spec = type->as_list();
  const std::string kind = spec[0].as_string();
  if (kind == "list" || kind == "set" || kind == "tuple") {
    if (!v.is_list()) {
      *err = kind + " required";
      return std::nullopt;
    }
    Value list = Value::list();
    Value elem_types = Value::list();
    for (size_t i = 0; i < v.as_list().size(); ++i) {
      std::optional<Value> elem_type;
      if (kind == "tuple") {
        if (i >= spec[1].as_list().size()) {
          *err = "tuple has too many elements";
          return std::nullopt;
        }
        elem_type = spec[1].as_list()[i];
      } else if (!(spec[1].is_string() && spec[1].as_string() == "dynamic")) {
        elem_type = spec[1];
      }
      auto c = convert(Typed{v.as_list()[i], Value("dynamic"), false, false}, elem_type, err);
      if (!c) return std::nullopt;
      list.push(c->value);
      elem_types.push(c->type);
    }
    out.value = list;
    // list(any) takes the type of its elements.
    if (kind != "tuple" && spec[1].is_string() && spec[1].as_string() == "dynamic") {
      Value elem = elem_types.as_list().empty() ? Value("dynamic") : elem_types.as_list()[0];
      out.type = Value(Value::List{Value(kind), elem});
    }
    return out;
  }
  if (kind == "map" || kind == "object") {
    if (!v.is_map()) {
      *err = kind == "map" ? "map of " + to_json_text(spec[1], -1) + " required"
                           : "object required";
      return std::nullopt;
    }
    Value obj = Value::map();
    Value first_type;
    for (const auto& [k, e] : v.as_map()) {
      std::optional<Value> elem_type;
      if (kind == "object") {
        const Value* t = spec[1].find(k);
        if (!t) continue;  // extra attributes are dropped, as Terraform does
        elem_type = *t;
      } else if (!(spec[1].is_string() && spec[1].as_string() == "dynamic")) {
        elem_type = spec[1];
      }
      auto c = convert(Typed{e, Value("dynamic"), false, false}, elem_type, err);
      if (!c) {
        *err = "attribute \"" + k + "\": " + *err;
        return std::nullopt;
      }
      if (first_type.is_null()) first_type = c->type;
      obj.set(k, c->value);
    }
    if (kind == "object") {
      for (const auto& [k, t] : spec[1].as_map()) {
        if (!obj.find(k)) {
          *err = "attribute \"" + k + "\" is required";
          return std::nullopt;
        }
      }
    }
    out.value = obj;
    if (kind == "map" && spec[1].is_string() && spec[1].as_string() == "dynamic") {
      out.type = Value(Value::List{Value("map"), first_type.is_null() ? Value("dynamic")
                                                                      : first_type});
    }
    return out;
  }
  *err = "unsupported type";
  return std::nullopt;
}

}  // namespace tofu_sim

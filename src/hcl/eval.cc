// The expression evaluator. Errors are reported as diagnostics and unwind the evaluation of the
// current expression with an internal exception, so every operation can assume valid operands.
#include "hcl/eval.h"

#include <algorithm>

#include "base/suggest.h"

namespace strata::hcl {

std::vector<std::string> FunctionTable::names() const {
  std::vector<std::string> out;
  for (const auto& [name, f] : functions_) out.push_back(name);
  return out;
}

Decimal to_decimal(const Value& v) {
  auto d = Decimal::parse(v.as_number().text());
  return d ? *d : Decimal();
}

Value from_decimal(const Decimal& d) { return Value(Number(d.str())); }

namespace {

struct EvalFailed {};

const char* type_word(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull:
      return "null";
    case Value::Kind::kBool:
      return "bool";
    case Value::Kind::kNumber:
      return "number";
    case Value::Kind::kString:
      return "string";
    case Value::Kind::kList:
      return "tuple";
    case Value::Kind::kMap:
      return "object";
  }
  return "?";
}

class Evaluator {
 public:
  Evaluator(const EvalContext* ctx, HclDiagnostics& diags) : ctx_(ctx), diags_(diags) {}

  Value eval(const Expr& e) {
    if (++*steps_ > kMaxSteps) {
      fail(e.range, "Expression too complex",
           "Evaluating this expression takes more than " + std::to_string(kMaxSteps) +
               " steps; simplify it.");
    }
    switch (e.kind) {
      case ExprKind::kLiteral:
        if (e.dynamic) fail(e.range, "Invalid expression", "This expression has a syntax error.");
        if (e.value.is_number()) return from_decimal(to_decimal(e.value));
        return e.value;
      case ExprKind::kTemplate:
        return template_value(e);
      case ExprKind::kTemplateWrap:
      case ExprKind::kParentheses:
        return eval(*e.a);
      case ExprKind::kScopeTraversal:
        return scope_traversal(e);
      case ExprKind::kRelativeTraversal: {
        Value v = eval(*e.a);
        return apply_traversal(v, e.traversal, 0);
      }
      case ExprKind::kFunctionCall:
        return call(e);
      case ExprKind::kConditional:
        return conditional(e);
      case ExprKind::kBinaryOp:
        return binary(e);
      case ExprKind::kUnaryOp:
        return unary(e);
      case ExprKind::kTuple: {
        Value::List out;
        out.reserve(e.items.size());
        for (const auto& item : e.items) out.push_back(eval(*item));
        return Value(std::move(out));
      }
      case ExprKind::kObject:
        return object(e);
      case ExprKind::kObjectKey:
        return object_key(e);
      case ExprKind::kFor:
        return for_expr(e);
      case ExprKind::kIndex: {
        Value coll = eval(*e.a);
        Value key = eval(*e.b);
        return index(coll, key, e.b->range);
      }
      case ExprKind::kSplat:
        return splat(e);
      case ExprKind::kAnonSymbol:
        if (!anon_) fail(e.range, "Invalid use of splat symbol", "The splat item is not set.");
        return *anon_;
      case ExprKind::kTemplateIf:
      case ExprKind::kTemplateFor:
        return Value(template_part(e));
    }
    return Value();
  }

 private:
  [[noreturn]] void fail(const Range& r, std::string summary, std::string detail) {
    diags_.error(r, std::move(summary), std::move(detail));
    throw EvalFailed{};
  }

  const Value* lookup(const std::string& name) const {
    for (auto it = locals_.rbegin(); it != locals_.rend(); ++it) {
      if (it->first == name) return &it->second;
    }
    if (ctx_) return ctx_->variables.find(name);
    return nullptr;
  }

  Value scope_traversal(const Expr& e) {
    const std::string& root = e.traversal[0].name;
    const Value* v = lookup(root);
    if (!v) {
      if (!ctx_) {
        fail(e.traversal[0].range, "Variables not allowed", "Variables may not be used here.");
      }
      fail(e.traversal[0].range, "Unknown variable",
           "There is no variable named \"" + root + "\".");
    }
    return apply_traversal(*v, e.traversal, 1);
  }

  Value apply_traversal(Value v, const Traversal& t, size_t from) {
    for (size_t i = from; i < t.size(); ++i) {
      const TraverseStep& s = t[i];
      if (s.kind == TraverseStep::Kind::kAttr) {
        if (v.is_null()) {
          fail(s.range, "Attempt to get attribute from null value",
               "This value is null, so it does not have any attributes.");
        }
        if (!v.is_map()) {
          fail(s.range, "Unsupported attribute",
               std::string("Can't access attributes on a primitive-typed value (") + type_word(v) +
                   ").");
        }
        const Value* child = v.find(s.name);
        if (!child) {
          fail(s.range, "Unsupported attribute",
               "This object does not have an attribute named \"" + s.name + "\".");
        }
        Value next = *child;
        v = std::move(next);
      } else if (s.kind == TraverseStep::Kind::kIndex) {
        if (s.key_unknown) fail(s.range, "Invalid index", "The index is not known.");
        v = index(v, s.key, s.range);
      }
    }
    return v;
  }

  Value index(const Value& coll, const Value& key, const Range& r) {
    if (coll.is_null()) {
      fail(r, "Attempt to index null value",
           "This value is null, so it does not have any indices.");
    }
    if (key.is_null()) fail(r, "Invalid index", "Can't use a null value as an indexing key.");
    if (coll.is_list()) {
      Decimal k;
      if (key.is_number()) {
        k = to_decimal(key);
      } else if (key.is_string() && Decimal::parse(key.as_string())) {
        k = *Decimal::parse(key.as_string());
      } else {
        fail(r, "Invalid index",
             "The given key does not identify an element in this collection "
             "value: a number is required.");
      }
      auto n = k.to_int64();
      if (!n || *n < 0 || *n >= static_cast<int64_t>(coll.as_list().size())) {
        fail(r, "Invalid index",
             "The given key does not identify an element in this collection value.");
      }
      return coll.as_list()[*n];
    }
    if (coll.is_map()) {
      std::string k;
      if (key.is_string()) {
        k = key.as_string();
      } else if (key.is_number()) {
        k = to_decimal(key).str();
      } else if (key.is_bool()) {
        k = key.as_bool() ? "true" : "false";
      } else {
        fail(r, "Invalid index",
             "The given key does not identify an element in this collection "
             "value: a string is required.");
      }
      const Value* child = coll.find(k);
      if (!child) {
        fail(r, "Invalid index",
             "The given key does not identify an element in this collection value.");
      }
      return *child;
    }
    fail(r, "Invalid index",
         std::string("This value does not have any indices (it is a ") + type_word(coll) + ").");
  }

  Value splat(const Expr& e) {
    Value src = eval(*e.a);
    if (src.is_null()) return Value::list();
    Value::List items;
    if (src.is_list()) {
      items = src.as_list();
    } else {
      items.push_back(src);
    }
    Value::List out;
    const Value* saved = anon_;
    for (const Value& item : items) {
      anon_ = &item;
      try {
        out.push_back(eval(*e.b));
      } catch (...) {
        anon_ = saved;
        throw;
      }
    }
    anon_ = saved;
    return Value(std::move(out));
  }

  // String form of a template interpolation result.
  std::string stringify(const Value& v, const Range& r) {
    if (v.sensitive()) saw_sensitive_ = true;
    switch (v.kind()) {
      case Value::Kind::kString:
        return v.as_string();
      case Value::Kind::kNumber:
        return to_decimal(v).str();
      case Value::Kind::kBool:
        return v.as_bool() ? "true" : "false";
      case Value::Kind::kNull:
        fail(r, "Invalid template interpolation value",
             "The expression result is null. Cannot include a null value in a string template.");
      default:
        fail(r, "Invalid template interpolation value",
             std::string("Cannot include the given value in a string template: string "
                         "required, but have ") +
                 type_word(v) + ".");
    }
  }

  std::string template_part(const Expr& e) {
    if (e.kind == ExprKind::kTemplateIf) {
      Value c = eval(*e.cond);
      bool b = to_bool(c, e.cond->range, "Invalid template if condition");
      return template_string(b ? *e.a : *e.b);
    }
    if (e.kind == ExprKind::kTemplateFor) {
      Value coll = eval(*e.a);
      std::string out;
      iterate(coll, e.a->range, [&](const Value& k, const Value& v) {
        push_iteration(e.key_var, k, e.val_var, v);
        try {
          out += template_string(*e.c);
        } catch (...) {
          pop_iteration(e.key_var);
          throw;
        }
        pop_iteration(e.key_var);
      });
      return out;
    }
    return stringify(eval(e), e.range);
  }

  std::string template_string(const Expr& t) {
    std::string out;
    for (const auto& part : t.items) out += template_part(*part);
    return out;
  }

  // A string built from a sensitive value is sensitive too.
  Value template_value(const Expr& e) {
    bool outer = saw_sensitive_;
    saw_sensitive_ = false;
    Value v(template_string(e));
    v.set_sensitive(saw_sensitive_);
    saw_sensitive_ = saw_sensitive_ || outer;
    return v;
  }

  static Value mark(Value v, bool sensitive) {
    if (sensitive) v.set_sensitive();
    return v;
  }

  bool to_bool(const Value& v, const Range& r, const char* summary) {
    if (v.is_bool()) return v.as_bool();
    if (v.is_string() && (v.as_string() == "true" || v.as_string() == "false")) {
      return v.as_string() == "true";
    }
    if (v.is_null())
      fail(r, summary,
           "The condition value is null. Conditions must either be "
           "true or false.");
    fail(r, summary, std::string("A bool value is required, but have ") + type_word(v) + ".");
  }

  Decimal to_number(const Value& v, const Range& r) {
    if (v.is_number()) return to_decimal(v);
    if (v.is_string()) {
      if (auto d = Decimal::parse(v.as_string())) return *d;
      fail(r, "Invalid operand",
           "Unsuitable value for operand: a number is required, but \"" + v.as_string() +
               "\" is not a number.");
    }
    if (v.is_null())
      fail(r, "Invalid operand",
           "Unsuitable value for operand: a number is "
           "required, but the value is null.");
    fail(r, "Invalid operand",
         std::string("Unsuitable value for operand: number required, but have ") + type_word(v) +
             ".");
  }

  // True when e is certainly a string without evaluating it.
  static bool static_string(const Expr& e) {
    if (e.kind == ExprKind::kLiteral) return e.value.is_string();
    if (e.kind == ExprKind::kParentheses) return static_string(*e.a);
    return e.kind == ExprKind::kTemplate;
  }

  Value conditional(const Expr& e) {
    Value c = eval(*e.cond);
    bool b = to_bool(c, e.cond->range, c.is_null() ? "Null condition" : "Incorrect condition type");
    Value chosen = eval(b ? *e.a : *e.b);
    // HCL unifies the two result types: a string on the other side turns a number or bool into
    // a string. Only the other side's static shape is used, so evaluation stays linear.
    if ((chosen.is_number() || chosen.is_bool()) && static_string(b ? *e.b : *e.a)) {
      return Value(stringify(chosen, e.range));
    }
    return chosen;
  }

  Value binary(const Expr& e) {
    Value l = eval(*e.a);
    Value r = eval(*e.b);
    return mark(binary_value(e, l, r), l.contains_sensitive() || r.contains_sensitive());
  }

  Value binary_value(const Expr& e, const Value& l, const Value& r) {
    switch (e.op) {
      case Op::kEqual:
        return Value(values_equal(l, r));
      case Op::kNotEqual:
        return Value(!values_equal(l, r));
      case Op::kAnd:
      case Op::kOr: {
        bool lb = to_bool(l, e.a->range, "Invalid operand");
        bool rb = to_bool(r, e.b->range, "Invalid operand");
        return Value(e.op == Op::kAnd ? (lb && rb) : (lb || rb));
      }
      default:
        break;
    }
    Decimal a = to_number(l, e.a->range);
    Decimal b = to_number(r, e.b->range);
    bool ok = true;
    switch (e.op) {
      case Op::kAdd:
        return from_decimal(a + b);
      case Op::kSub:
        return from_decimal(a - b);
      case Op::kMul:
        return from_decimal(a * b);
      case Op::kDiv: {
        Decimal q = Decimal::divide(a, b, &ok);
        if (!ok) fail(e.range, "Operation failed", "Error during operation: can't divide by zero.");
        return from_decimal(q);
      }
      case Op::kMod: {
        Decimal m = Decimal::modulo(a, b, &ok);
        if (!ok) fail(e.range, "Operation failed", "Error during operation: can't divide by zero.");
        return from_decimal(m);
      }
      case Op::kLess:
        return Value(Decimal::compare(a, b) < 0);
      case Op::kLessEq:
        return Value(Decimal::compare(a, b) <= 0);
      case Op::kGreater:
        return Value(Decimal::compare(a, b) > 0);
      case Op::kGreaterEq:
        return Value(Decimal::compare(a, b) >= 0);
      default:
        break;
    }
    fail(e.range, "Invalid operator", "Unsupported operator.");
  }

  static bool values_equal(const Value& a, const Value& b) {
    if (a.kind() != b.kind()) return false;
    if (a.is_number()) return to_decimal(a) == to_decimal(b);
    if (a.is_list()) {
      const auto& x = a.as_list();
      const auto& y = b.as_list();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!values_equal(x[i], y[i])) return false;
      }
      return true;
    }
    if (a.is_map()) {
      const auto& x = a.as_map();
      const auto& y = b.as_map();
      if (x.size() != y.size()) return false;
      for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j) {
        if (i->first != j->first || !values_equal(i->second, j->second)) return false;
      }
      return true;
    }
    return a == b;
  }

  Value unary(const Expr& e) {
    Value v = eval(*e.a);
    if (e.op == Op::kNot)
      return mark(Value(!to_bool(v, e.a->range, "Invalid operand")), v.sensitive());
    return mark(from_decimal(-to_number(v, e.a->range)), v.sensitive());
  }

  std::string key_string(const Value& k, const Range& r) {
    if (k.is_string()) return k.as_string();
    if (k.is_number()) return to_decimal(k).str();
    if (k.is_bool()) return k.as_bool() ? "true" : "false";
    if (k.is_null()) fail(r, "Null value as key", "Can't use a null value as a key.");
    fail(r, "Incorrect key type", "Can't use this value as a key: string is required.");
  }

  Value object_key(const Expr& e) {
    const Expr& inner = *e.a;
    if (!e.force_non_literal && inner.kind == ExprKind::kScopeTraversal &&
        inner.traversal.size() == 1) {
      return Value(inner.traversal[0].name);
    }
    return eval(inner);
  }

  Value object(const Expr& e) {
    Value::Map out;
    for (size_t i = 0; i + 1 < e.items.size(); i += 2) {
      Value k = eval(*e.items[i]);
      std::string key = key_string(k, e.items[i]->range);
      out[key] = eval(*e.items[i + 1]);
    }
    return Value(std::move(out));
  }

  template <typename F>
  void iterate(const Value& coll, const Range& r, F&& f) {
    if (coll.is_list()) {
      const auto& l = coll.as_list();
      for (size_t i = 0; i < l.size(); ++i) f(Value(static_cast<int64_t>(i)), l[i]);
    } else if (coll.is_map()) {
      for (const auto& [k, v] : coll.as_map()) f(Value(k), v);
    } else if (coll.is_null()) {
      fail(r, "Iteration over null value",
           "A null value cannot be used as the collection in a "
           "'for' expression.");
    } else {
      fail(r, "Iteration over non-iterable value",
           std::string("A value of type ") + type_word(coll) +
               " cannot be used as the collection in a 'for' expression.");
    }
  }

  void push_iteration(const std::string& key_var, const Value& k, const std::string& val_var,
                      const Value& v) {
    if (!key_var.empty()) locals_.emplace_back(key_var, k);
    locals_.emplace_back(val_var, v);
  }
  void pop_iteration(const std::string& key_var) {
    locals_.pop_back();
    if (!key_var.empty()) locals_.pop_back();
  }

  Value for_expr(const Expr& e) {
    Value coll = eval(*e.a);
    bool make_obj = e.b != nullptr;
    Value::List list_out;
    Value::Map map_out;
    iterate(coll, e.a->range, [&](const Value& k, const Value& v) {
      push_iteration(e.key_var, k, e.val_var, v);
      try {
        bool keep = true;
        if (e.cond) {
          Value c = eval(*e.cond);
          keep = to_bool(c, e.cond->range,
                         c.is_null() ? "Condition is null" : "Invalid 'for' condition");
        }
        if (keep) {
          if (make_obj) {
            Value kv = eval(*e.b);
            std::string key = key_string(kv, e.b->range);
            Value val = eval(*e.c);
            if (e.group) {
              map_out[key].push(std::move(val));
            } else {
              if (map_out.count(key)) {
                fail(e.b->range, "Duplicate object key",
                     "Two different items produced the key \"" + key +
                         "\" in this 'for' expression. If duplicates are expected, use the "
                         "ellipsis (...) after the value expression to enable grouping by key.");
              }
              map_out[key] = std::move(val);
            }
          } else {
            list_out.push_back(eval(*e.c));
          }
        }
      } catch (...) {
        pop_iteration(e.key_var);
        throw;
      }
      pop_iteration(e.key_var);
    });
    if (make_obj) return Value(std::move(map_out));
    return Value(std::move(list_out));
  }

  Value call(const Expr& e) {
    if (!ctx_ || !ctx_->functions) {
      fail(e.range, "Function calls not allowed", "Functions may not be called here.");
    }
    const Function* f = ctx_->functions->find(e.name);
    if (!f) {
      // As HCL's own message, with its suggestion.
      std::string near = closest_match(e.name, ctx_->functions->names());
      fail(e.range, "Call to unknown function",
           "There is no function named \"" + e.name + "\"." + (near.empty() ? "" : " Did you mean \"" + near + "\"?"));
    }
    if (e.name == "try" || e.name == "can") return try_or_can(e);
    std::vector<Value> args;
    args.reserve(e.items.size());
    for (size_t i = 0; i < e.items.size(); ++i) {
      Value v = eval(*e.items[i]);
      if (e.expand_final && i + 1 == e.items.size()) {
        if (!v.is_list()) {
          fail(e.items[i]->range, "Invalid expanding argument value",
               "The expanding argument (indicated by ...) must be of a tuple, list, or set type.");
        }
        for (const auto& item : v.as_list()) args.push_back(item);
      } else {
        args.push_back(std::move(v));
      }
    }
    try {
      bool sensitive = false;
      for (const auto& a : args) sensitive = sensitive || a.contains_sensitive();
      return mark((*f)(args), sensitive);
    } catch (const FunctionError& err) {
      if (err.arg >= 0 && err.arg < static_cast<int>(e.items.size())) {
        fail(e.items[err.arg]->range, "Invalid function argument",
             "Invalid value for argument " + std::to_string(err.arg + 1) + " of " + e.name +
                 "(): " + err.message);
      }
      fail(e.range, "Error in function call",
           "Call to function \"" + e.name + "\" failed: " + err.message);
    } catch (const std::exception& err) {  // e.g. JSON encoding of invalid UTF-8
      fail(e.range, "Error in function call",
           "Call to function \"" + e.name + "\" failed: " + err.what());
    }
  }

  Value try_or_can(const Expr& e) {
    bool is_can = e.name == "can";
    if (e.items.empty() || (is_can && e.items.size() != 1)) {
      fail(e.range, "Not enough function arguments",
           is_can ? "Function \"can\" expects exactly one argument."
                  : "Function \"try\" expects at least one argument.");
    }
    for (const auto& arg : e.items) {
      HclDiagnostics scratch;
      Evaluator sub(ctx_, scratch);
      sub.locals_ = locals_;
      sub.anon_ = anon_;
      sub.steps_ = steps_;
      try {
        Value v = sub.eval(*arg);
        return is_can ? Value(true) : v;
      } catch (const EvalFailed&) {
      }
    }
    if (is_can) return Value(false);
    fail(e.range, "Error in function call",
         "Call to function \"try\" failed: no expression succeeded.");
  }

  const EvalContext* ctx_;
  HclDiagnostics& diags_;
  std::vector<std::pair<std::string, Value>> locals_;
  const Value* anon_ = nullptr;
  bool saw_sensitive_ = false;  // a sensitive value went into the template being built
  static constexpr int64_t kMaxSteps = 1 << 22;
  int64_t own_steps_ = 0;
  int64_t* steps_ = &own_steps_;  // shared with nested evaluators (try, can)
};

}  // namespace

Value evaluate(const Expr& expr, const EvalContext* ctx, HclDiagnostics& diags) {
  Evaluator ev(ctx, diags);
  try {
    return ev.eval(expr);
  } catch (const EvalFailed&) {
    return Value();
  }
}

}  // namespace strata::hcl

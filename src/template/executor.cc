#include "template/executor.h"

#include "template/go_format.h"

namespace strata::tpl {

namespace {

std::string param_type_name(Param p) {
  switch (p) {
    case Param::kString: return "string";
    case Param::kInt: return "int";
    case Param::kInt64: return "int64";
    case Param::kFloat: return "float64";
    case Param::kBool: return "bool";
    case Param::kList: return "[]interface {}";
    case Param::kMap: return "map[string]interface {}";
    case Param::kReflect: return "reflect.Value";
    case Param::kAny: return "interface {}";
  }
  return "?";
}

// A pipeline's result of type interface{} is unwrapped by Go; a nil inside becomes "no value".
Val dig(Val v) {
  if (v.kind() == Val::Kind::kNil) return Val();
  return v;
}

class Executor {
 public:
  Executor(const ParsedTemplate& tpl, const ExecOptions& options, CallContext& ctx, std::string& out)
      : tpl_(tpl), options_(options), ctx_(ctx), out_(out), current_(options.name) {}

  void run(const Val& data, Val* single_value) {
    if (data.sensitive()) ctx_.sensitive = true;
    vars_.emplace_back("$", data);
    if (single_value && tpl_.root.nodes.size() == 1 && tpl_.root.nodes[0].kind == Node::Kind::kAction &&
        tpl_.root.nodes[0].pipe->decl.empty()) {
      const Node& n = tpl_.root.nodes[0];
      at(n.pos, n.end);
      *single_value = eval_pipeline(data, n.pipe.get());
      return;
    }
    walk(data, tpl_.root);
  }

 private:
  enum class Flow { kNormal, kBreak, kContinue };

  void at(size_t pos, size_t end) {
    at_pos_ = pos;
    at_end_ = end;
    at_context_.clear();
  }

  [[noreturn]] void fail(const std::string& msg, ErrorKind kind = ErrorKind::kUserInput,
                          const std::string& function = {}, const std::string& detail = {}) {
    std::string context = at_context_;
    if (context.empty() && at_end_ > at_pos_ && at_end_ <= tpl_.text.size())
      context = tpl_.text.substr(at_pos_, at_end_ - at_pos_);
    // Go cuts the node to 20 characters; the user's message shows more of it.
    std::string shown = context.size() > 80 ? context.substr(0, 80) + "…" : context;
    if (context.size() > 20) context = context.substr(0, 20) + "...";
    throw ExecError(at_pos_, "executing \"" + current_ + "\" at <" + context + ">: " + msg, kind, shown,
                    function.empty() ? msg : detail, function);
  }

  void step() {
    if (++steps_ > ctx_.limits.max_steps)
      fail("template execution exceeded " + std::to_string(ctx_.limits.max_steps) + " steps");
  }

  void write(const std::string& s) {
    out_ += s;
    if (out_.size() > ctx_.limits.max_output)
      fail("output exceeds the limit of " + std::to_string(ctx_.limits.max_output) + " bytes");
  }

  Flow walk(const Val& dot, const ListNode& list) {
    for (const Node& n : list.nodes) {
      Flow f = walk_node(dot, n);
      if (f != Flow::kNormal) return f;
    }
    return Flow::kNormal;
  }

  Flow walk_node(const Val& dot, const Node& n) {
    step();
    switch (n.kind) {
      case Node::Kind::kText: write(n.text); return Flow::kNormal;
      case Node::Kind::kAction: {
        Val v = eval_pipeline(dot, n.pipe.get());
        if (n.pipe->decl.empty()) {
          at(n.pos, n.end);
          if (v.sensitive()) ctx_.sensitive = true;
          if (v.kind() == Val::Kind::kInvalid) write("<no value>");
          else if (v.kind() == Val::Kind::kString) write(v.as_string());
          else write(value_string(v));
        }
        return Flow::kNormal;
      }
      case Node::Kind::kIf:
      case Node::Kind::kWith: return walk_if_with(dot, n);
      case Node::Kind::kRange: return walk_range(dot, n);
      case Node::Kind::kTemplate: walk_template(dot, n); return Flow::kNormal;
      case Node::Kind::kBreak: return Flow::kBreak;
      case Node::Kind::kContinue: return Flow::kContinue;
    }
    return Flow::kNormal;
  }

  Flow walk_if_with(const Val& dot, const Node& n) {
    size_t mark = vars_.size();
    Val v = eval_pipeline(dot, n.pipe.get());
    Flow f = Flow::kNormal;
    if (is_true(v)) {
      f = walk(n.kind == Node::Kind::kWith ? v : dot, *n.list);
    } else if (n.else_list) {
      f = walk(dot, *n.else_list);
    }
    vars_.resize(mark);
    return f;
  }

  Flow walk_range(const Val& dot, const Node& n) {
    size_t mark = vars_.size();
    Val v = eval_pipeline(dot, n.pipe.get());
    size_t body_mark = vars_.size();
    const auto& decl = n.pipe->decl;
    auto iteration = [&](const Val& key, const Val& elem) {
      if (!decl.empty()) {
        if (decl.size() == 1) {
          set_top_var(1, elem);
        } else {
          set_top_var(1, elem);
          set_top_var(2, key);
        }
      }
      Flow f = walk(elem, *n.list);
      vars_.resize(body_mark);
      return f;
    };
    bool ran = false;
    if (v.kind() == Val::Kind::kList) {
      const Val::List items = v.as_list();  // a copy: the body may modify the list via sprig
      for (size_t i = 0; i < items.size(); ++i) {
        ran = true;
        if (iteration(Val::integer(static_cast<int64_t>(i)), items[i]) == Flow::kBreak) break;
      }
    } else if (v.kind() == Val::Kind::kMap) {
      const Val::Map items = v.as_map();
      for (const auto& [k, e] : items) {
        ran = true;
        if (iteration(Val::string(k), e) == Flow::kBreak) break;
      }
    } else if (v.kind() != Val::Kind::kInvalid) {
      at(n.pipe->pos, n.pipe->end);
      fail("range can't iterate over " + value_string(v));
    }
    if (!ran && n.else_list) walk(dot, *n.else_list);
    vars_.resize(mark);
    return Flow::kNormal;
  }

  void set_top_var(size_t n, const Val& v) { vars_[vars_.size() - n].second = v; }

  void walk_template(const Val& dot, const Node& n) {
    at(n.pos, n.end);
    at_context_ = "{{template " + go_quote(n.text);
    if (n.pipe) at_context_ += " " + tpl_.text.substr(n.pipe->pos, n.pipe->end - n.pipe->pos);
    at_context_ += "}}";
    const ListNode* body = nullptr;
    auto it = tpl_.defines.find(n.text);
    if (it != tpl_.defines.end()) body = it->second.get();
    else if (n.text == options_.name) body = &tpl_.root;
    if (!body) fail("template \"" + n.text + "\" not defined");
    if (depth_ >= ctx_.limits.max_depth)
      fail("exceeded maximum template depth (" + std::to_string(ctx_.limits.max_depth) + ")");
    Val new_dot = n.pipe ? eval_pipeline(dot, n.pipe.get()) : Val();
    at(n.pos, n.end);
    std::vector<std::pair<std::string, Val>> saved_vars;
    saved_vars.swap(vars_);
    vars_.emplace_back("$", new_dot);
    std::string saved_name = current_;
    current_ = n.text;
    ++depth_;
    walk(new_dot, *body);
    --depth_;
    current_ = saved_name;
    vars_.swap(saved_vars);
  }

  Val eval_pipeline(const Val& dot, const Pipe* pipe) {
    if (!pipe) return Val();
    Val value;
    bool have_final = false;
    for (const Command& cmd : pipe->cmds) {
      value = dig(eval_command(dot, cmd, have_final ? &value : nullptr));
      have_final = true;
    }
    for (const auto& name : pipe->decl) {
      if (pipe->is_assign) {
        bool found = false;
        for (size_t i = vars_.size(); i-- > 0;) {
          if (vars_[i].first == name) {
            vars_[i].second = value;
            found = true;
            break;
          }
        }
        if (!found) fail("undefined variable: " + name);
      } else {
        vars_.emplace_back(name, value);
      }
    }
    return value;
  }

  void not_a_function(const Command& cmd, const Val* final) {
    if (cmd.args.size() > 1 || final) {
      const Operand& op = cmd.args[0];
      fail("can't give argument to non-function " + tpl_.text.substr(op.pos, op.end - op.pos));
    }
  }

  Val eval_command(const Val& dot, const Command& cmd, const Val* final) {
    step();
    const Operand& first = cmd.args[0];
    at(first.pos, first.end);
    switch (first.kind) {
      case Operand::Kind::kField: return eval_field_chain(dot, dot, first, 0, &cmd, final);
      case Operand::Kind::kVariable: {
        Val v = var_value(first.name);
        if (first.fields.empty()) {
          not_a_function(cmd, final);
          return v;
        }
        return eval_field_chain(dot, v, first, 0, &cmd, final);
      }
      case Operand::Kind::kFunction:
        if (!first.fields.empty()) {
          Val v = eval_function(dot, first, nullptr, nullptr);
          return eval_field_chain(dot, v, first, 0, &cmd, final);
        }
        return eval_function(dot, first, &cmd, final);
      case Operand::Kind::kPipe:
        if (!first.fields.empty()) {
          Val v = eval_pipeline(dot, first.pipe.get());
          at(first.pos, first.end);
          return eval_field_chain(dot, v, first, 0, &cmd, final);
        }
        not_a_function(cmd, final);
        return eval_pipeline(dot, first.pipe.get());
      default: break;
    }
    not_a_function(cmd, final);
    switch (first.kind) {
      case Operand::Kind::kBool: return Val::boolean(first.bool_value);
      case Operand::Kind::kDot: return dot;
      case Operand::Kind::kNil: fail("nil is not a command");
      case Operand::Kind::kNumber: return ideal_constant(first);
      case Operand::Kind::kString: return Val::string(first.text);
      default: break;
    }
    fail("can't evaluate command");
  }

  Val ideal_constant(const Operand& op) {
    if (op.float_typed) return Val::floating(op.float_value);
    if (op.is_int) return Val::integer(op.int_value);
    fail(op.text + " overflows int");
  }

  Val var_value(const std::string& name) {
    for (size_t i = vars_.size(); i-- > 0;)
      if (vars_[i].first == name) return vars_[i].second;
    fail("undefined variable: " + name);
  }

  // Walks op.fields from receiver; the last field gets the command's arguments (an error for
  // map keys, as in Go).
  Val eval_field_chain(const Val& dot, Val receiver, const Operand& op, size_t /*from*/, const Command* cmd,
                       const Val* final) {
    (void)dot;
    at(op.chain_pos, op.end);
    at_context_ = tpl_.text.substr(op.pos, op.end - op.pos);
    bool has_args = (cmd && cmd->args.size() > 1) || final;
    for (size_t i = 0; i < op.fields.size(); ++i) {
      bool last = i + 1 == op.fields.size();
      receiver = eval_field(receiver, op.fields[i], last && has_args, i > 0 || op.kind != Operand::Kind::kField);
    }
    return receiver;
  }

  Val eval_field(const Val& receiver, const std::string& name, bool has_args, bool from_interface) {
    switch (receiver.kind()) {
      case Val::Kind::kInvalid:
        if (options_.missing_key == MissingKey::kError) fail("nil data; no entry for key \"" + name + "\"");
        return Val();
      case Val::Kind::kNil: fail("nil pointer evaluating interface {}." + name);
      case Val::Kind::kMap: {
        if (has_args) fail(name + " is not a method but has arguments");
        const auto& m = receiver.as_map();
        auto it = m.find(name);
        if (it == m.end()) {
          switch (options_.missing_key) {
            case MissingKey::kDefault: return Val();
            case MissingKey::kZero: return Val::nil();
            case MissingKey::kError:
              try {
                fail("map has no entry for key \"" + name + "\"");
              } catch (ExecError& e) {
                std::vector<std::string> keys;
                for (const auto& [k, _] : m) keys.push_back(k);
                e.set_missing(name, std::move(keys));
                throw;
              }
          }
        }
        if (it->second.sensitive()) ctx_.sensitive = true;
        return it->second;
      }
      default:
        fail("can't evaluate field " + name + " in type " +
             (from_interface ? std::string("interface {}") : receiver.type_name()));
    }
  }

  Val eval_function(const Val& dot, const Operand& fn, const Command* cmd, const Val* final) {
    at(fn.pos, fn.end);
    const FuncDef& f = *fn.func;
    size_t nargs = cmd ? cmd->args.size() - 1 : 0;
    size_t num_in = nargs + (final ? 1 : 0);
    size_t num_params = f.params.size();
    size_t num_fixed = nargs;
    if (f.variadic) {
      num_fixed = num_params - 1;
      if (num_in < num_fixed)
        fail("wrong number of args for " + f.name + ": want at least " + std::to_string(num_fixed) + " got " +
             std::to_string(nargs));
    } else if (num_in != num_params) {
      fail("wrong number of args for " + f.name + ": want " + std::to_string(num_params) + " got " +
           std::to_string(num_in));
    }
    // and/or evaluate lazily and return the deciding operand.
    if (f.name == "and" || f.name == "or") {
      bool want = f.name == "or";
      Val v;
      for (size_t i = 0; i < nargs; ++i) {
        v = eval_arg(dot, Param::kReflect, cmd->args[i + 1]);
        if (is_true(v) == want) return v;
      }
      if (final) v = *final;
      return v;
    }
    std::vector<Val> argv;
    argv.reserve(num_in);
    size_t i = 0;
    for (; i < num_fixed && i < nargs; ++i) argv.push_back(eval_arg(dot, f.params[i], cmd->args[i + 1]));
    if (f.variadic)
      for (; i < nargs; ++i) argv.push_back(eval_arg(dot, f.params.back(), cmd->args[i + 1]));
    if (final) {
      Param t = f.params.back();
      if (f.variadic && num_in - 1 < num_fixed) t = f.params[num_in - 1];
      argv.push_back(validate(*final, t));
    }
    at(fn.pos, fn.end);
    try {
      return f.impl(ctx_, argv);
    } catch (const FuncError& e) {
      // Go reports a failed call at the whole command.
      if (cmd) at(cmd->pos, cmd->end);
      fail("error calling " + f.name + ": " + e.message(), e.kind(), f.name, e.message());
    }
  }

  Val eval_arg(const Val& dot, Param type, const Operand& op) {
    at(op.pos, op.end);
    switch (op.kind) {
      case Operand::Kind::kDot: return validate(dot, type);
      case Operand::Kind::kNil:
        if (type == Param::kReflect) return Val();
        if (type == Param::kAny || type == Param::kList || type == Param::kMap)
          return type == Param::kList ? Val::list() : type == Param::kMap ? Val::map() : Val::nil();
        fail("cannot assign nil to " + param_type_name(type));
      case Operand::Kind::kField:
      case Operand::Kind::kVariable:
      case Operand::Kind::kPipe:
      case Operand::Kind::kFunction: {
        Command single;
        Val v;
        if (op.kind == Operand::Kind::kFunction && op.fields.empty()) {
          v = eval_function(dot, op, nullptr, nullptr);
        } else if (op.kind == Operand::Kind::kVariable && op.fields.empty()) {
          v = var_value(op.name);
        } else if (op.kind == Operand::Kind::kPipe && op.fields.empty()) {
          v = eval_pipeline(dot, op.pipe.get());
        } else {
          Val receiver = dot;
          if (op.kind == Operand::Kind::kVariable) receiver = var_value(op.name);
          else if (op.kind == Operand::Kind::kPipe) receiver = eval_pipeline(dot, op.pipe.get());
          else if (op.kind == Operand::Kind::kFunction) receiver = eval_function(dot, op, nullptr, nullptr);
          at(op.pos, op.end);
          v = eval_field_chain(dot, receiver, op, 0, nullptr, nullptr);
        }
        at(op.pos, op.end);
        return validate(v, type);
      }
      case Operand::Kind::kBool:
        if (type == Param::kBool || type == Param::kAny || type == Param::kReflect) return Val::boolean(op.bool_value);
        break;
      case Operand::Kind::kString:
        if (type == Param::kString || type == Param::kAny || type == Param::kReflect) return Val::string(op.text);
        break;
      case Operand::Kind::kNumber:
        switch (type) {
          case Param::kAny:
          case Param::kReflect: return ideal_constant(op);
          case Param::kInt:
          case Param::kInt64:
            if (!op.is_int) fail("expected integer; found " + op.text);
            return Val::integer(op.int_value, type == Param::kInt ? Val::IntType::kInt : Val::IntType::kInt64);
          case Param::kFloat:
            if (!op.is_float) fail("expected float; found " + op.text);
            return Val::floating(op.float_value);
          default: break;
        }
        break;
    }
    std::string src = tpl_.text.substr(op.pos, op.end - op.pos);
    switch (type) {
      case Param::kBool: fail("expected bool; found " + src);
      case Param::kString: fail("expected string; found " + src);
      case Param::kInt:
      case Param::kInt64: fail("expected integer; found " + src);
      case Param::kFloat: fail("expected float; found " + src);
      default: fail("can't handle " + src + " for arg of type " + param_type_name(type));
    }
  }

  // Go's validateType: the value must have the parameter's exact type.
  Val validate(const Val& v, Param type) {
    if (v.sensitive()) ctx_.sensitive = true;
    if (type == Param::kReflect) return v;
    if (v.kind() == Val::Kind::kInvalid) {
      switch (type) {
        case Param::kAny: return Val::nil();
        case Param::kList: return Val::list();
        case Param::kMap: return Val::map();
        default: fail("invalid value; expected " + param_type_name(type));
      }
    }
    bool ok = false;
    switch (type) {
      case Param::kAny: ok = true; break;
      case Param::kString: ok = v.kind() == Val::Kind::kString; break;
      case Param::kInt: ok = v.kind() == Val::Kind::kInt && v.int_type() == Val::IntType::kInt; break;
      case Param::kInt64: ok = v.kind() == Val::Kind::kInt && v.int_type() == Val::IntType::kInt64; break;
      case Param::kFloat: ok = v.kind() == Val::Kind::kFloat; break;
      case Param::kBool: ok = v.kind() == Val::Kind::kBool; break;
      case Param::kList: ok = v.kind() == Val::Kind::kList || v.kind() == Val::Kind::kNil; break;
      case Param::kMap: ok = v.kind() == Val::Kind::kMap || v.kind() == Val::Kind::kNil; break;
      case Param::kReflect: ok = true; break;
    }
    if (!ok) fail("wrong type for value; expected " + param_type_name(type) + "; got " + v.type_name());
    if (v.kind() == Val::Kind::kNil && type == Param::kList) return Val::list();
    if (v.kind() == Val::Kind::kNil && type == Param::kMap) return Val::map();
    return v;
  }

  const ParsedTemplate& tpl_;
  const ExecOptions& options_;
  CallContext& ctx_;
  std::string& out_;
  std::string current_;
  std::vector<std::pair<std::string, Val>> vars_;
  size_t at_pos_ = 0, at_end_ = 0;
  std::string at_context_;  // overrides the source span (Go prints {{template "x"}} normalized)
  int depth_ = 0;
  size_t steps_ = 0;
};

}  // namespace

void execute(const ParsedTemplate& tpl, const Val& data, const ExecOptions& options, CallContext& ctx,
             std::string& out, Val* single_value) {
  Executor(tpl, options, ctx, out).run(data, single_value);
}

}  // namespace strata::tpl

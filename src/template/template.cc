#include "template/template.h"

#include <algorithm>
#include <optional>
#include <unordered_map>

#include "base/suggest.h"
#include "model/error.h"
#include "template/functions.h"
#include "template/lexer.h"
#include "template/parser.h"

namespace strata::tpl {

TemplateHost::~TemplateHost() = default;

namespace {

int line_of(const std::string& text, size_t pos) {
  pos = std::min(pos, text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
}

int column_of(const std::string& text, size_t pos) {
  pos = std::min(pos, text.size());
  size_t nl = text.rfind('\n', pos == 0 ? 0 : pos - 1);
  if (pos == 0 || nl == std::string::npos) return static_cast<int>(pos);
  return static_cast<int>(pos - nl - 1);
}

// The value's origin, moved to the position inside the template when it is on one line.
Origin origin_at(const Origin& where, const std::string& text, size_t pos) {
  if (!where.known() || where.column <= 0 || text.find('\n') != std::string::npos) return where;
  return where.at(where.line, where.column + static_cast<int>(std::min(pos, text.size())));
}

std::string hint_for(const std::string& msg) {
  if (msg.find("map has no entry for key") != std::string::npos || msg.find("nil data; no entry") != std::string::npos)
    return "check the key's spelling; guard optional keys with `hasKey`, `dig` or `with`";
  if (msg.find("not defined") != std::string::npos && msg.find("function \"") != std::string::npos) {
    size_t open = msg.find("function \"") + 10;
    std::string near = closest_match(msg.substr(open, msg.find('"', open) - open), function_names());
    return (near.empty() ? std::string() : "did you mean " + near + "? ") +
           "templates use Go text/template with Sprig functions plus state, secret and env";
  }
  if (msg.find("wrong number of args") != std::string::npos)
    return "check the function's arguments; a piped value is passed as the last one";
  if (msg.find("wrong type for value") != std::string::npos)
    return "convert the value first, e.g. with toString, int or float64";
  return {};
}

[[noreturn]] void throw_syntax(const SyntaxError& e, const std::string& text, const std::string& name,
                               const Origin& where, bool at_text = true) {
  std::string go = "template: " + name + ":" + std::to_string(line_of(text, e.pos())) + ": " + e.what();
  // As for execution errors (below): the origin names the place, the message what is wrong.
  std::string hint = hint_for(go);
  if (hint.empty())
    hint = "fix the template syntax: an action is {{ ... }} (Go text/template), here in \"" +
           text.substr(0, 60) + (text.size() > 60 ? "…" : "") + "\"";
  throw Error(where.known() ? std::string(e.what()) : go, at_text ? origin_at(where, text, e.pos()) : where, hint);
}

// For the user, whose file and position the origin already names: what failed, in their words
// — a function's own message ("set TEAM in the environment"), or the failure at the node
// ("<.nope>: map has no entry for key "nope"") — not Go's "template: NAME:1:3: executing "NAME"
// at <…>:" frame. Without an origin (a library caller), Go's message as it is.
[[noreturn]] void throw_exec(const ExecError& e, const std::string& text, const std::string& name,
                             const Origin& where, bool at_text) {
  std::string go = "template: " + name + ":" + std::to_string(line_of(text, e.pos())) + ":" +
                   std::to_string(column_of(text, e.pos())) + ": " + e.message();
  std::string msg = go;
  if (where.known() && !e.detail().empty())
    msg = e.function().empty() ? "<" + e.node() + ">: " + e.detail() : e.detail();
  std::string hint = hint_for(go);
  if (!e.missing_key().empty()) {
    // "did you mean "region"?", and what there is: a state()'s outputs, the stack's keys.
    constexpr size_t kShown = 12;
    std::string near = closest_match(e.missing_key(), e.keys());
    std::string there;
    for (size_t i = 0; i < e.keys().size() && i < kShown; ++i) there += (i ? ", " : "") + e.keys()[i];
    if (e.keys().size() > kShown) there += ", … (" + std::to_string(e.keys().size()) + " in all)";
    hint = (near.empty() ? std::string() : "did you mean \"" + near + "\"? ") +
           (e.keys().empty() ? "the map there is empty" : "the keys there: " + there);
  }
  throw Error(e.kind(), msg, at_text ? origin_at(where, text, e.pos()) : where, hint);
}

void collect_state_calls(const ListNode& list, std::vector<StateCall>& out);

// `cmd` as a call, when it is `state "S" "C"` with literal names.
std::optional<StateCall> state_call(const Command& cmd) {
  const Operand& first = cmd.args[0];
  if (first.kind == Operand::Kind::kFunction && first.name == "state" && cmd.args.size() == 3 &&
      cmd.args[1].kind == Operand::Kind::kString && cmd.args[2].kind == Operand::Kind::kString &&
      cmd.args[1].fields.empty() && cmd.args[2].fields.empty()) {
    StateCall call;
    call.stack = cmd.args[1].text;
    call.component = cmd.args[2].text;
    call.offset = first.pos;
    return call;
  }
  return std::nullopt;
}

// `op` as an output read, when it is `(state "S" "C").a.b`: a parenthesised pipeline that is
// one state call, with a field chain.
std::optional<StateCall> state_field_read(const Operand& op) {
  if (op.kind != Operand::Kind::kPipe || op.fields.empty() || !op.pipe) return std::nullopt;
  const Pipe& inner = *op.pipe;
  if (!inner.decl.empty() || inner.cmds.size() != 1) return std::nullopt;
  std::optional<StateCall> call = state_call(inner.cmds[0]);
  if (call) call->fields = op.fields;
  return call;
}

// `action` as a whole-action output read, when it is exactly `{{ (state "S" "C").a.b }}` with
// double-quoted, non-empty names.
std::optional<StateCall> state_output_read(const Node& action, const std::string& text) {
  const Pipe& pipe = *action.pipe;
  if (!pipe.decl.empty() || pipe.cmds.size() != 1 || pipe.cmds[0].args.size() != 1)
    return std::nullopt;
  std::optional<StateCall> call = state_field_read(pipe.cmds[0].args[0]);
  if (!call || call->stack.empty() || call->component.empty()) return std::nullopt;
  const Command& inner = pipe.cmds[0].args[0].pipe->cmds[0];
  for (size_t i : {1, 2})
    if (text[inner.args[i].pos] != '"') return std::nullopt;
  call->action_begin = action.open;
  call->action_end = action.end;
  return call;
}

void collect_pipe(const Pipe* pipe, std::vector<StateCall>& out) {
  if (!pipe) return;
  for (const Command& cmd : pipe->cmds) {
    if (auto call = state_call(cmd)) out.push_back(std::move(*call));
    for (const Operand& op : cmd.args) {
      if (op.kind != Operand::Kind::kPipe) continue;
      // `(state "S" "C").x` parses as a parenthesised pipeline with a field chain.
      if (auto read = state_field_read(op)) {
        out.push_back(std::move(*read));
        continue;
      }
      collect_pipe(op.pipe.get(), out);
    }
  }
}

void collect_node(const Node& n, std::vector<StateCall>& out) {
  collect_pipe(n.pipe.get(), out);
  if (n.list) collect_state_calls(*n.list, out);
  if (n.else_list) collect_state_calls(*n.else_list, out);
}

void collect_state_calls(const ListNode& list, std::vector<StateCall>& out) {
  for (const Node& n : list.nodes) collect_node(n, out);
}

}  // namespace

MissingKey parse_missing_key(const std::string& option) {
  std::string v = option;
  if (v.rfind("missingkey=", 0) == 0) v = v.substr(11);
  if (v == "error") return MissingKey::kError;
  if (v == "zero") return MissingKey::kZero;
  if (v == "default" || v == "invalid") return MissingKey::kDefault;
  throw Error("unrecognized template option \"" + option + "\"", {},
              "use missingkey=error, missingkey=zero or missingkey=default");
}

std::shared_ptr<const ParsedTemplate> TemplateCache::get(const std::string& text) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = items_.find(text);
    if (it != items_.end()) return it->second;
  }
  std::shared_ptr<const ParsedTemplate> parsed = parse_template(text);
  std::lock_guard<std::mutex> lock(mu_);
  if (items_.size() >= capacity_) items_.clear();
  items_.emplace(text, parsed);
  return parsed;
}

Renderer::Renderer(const Value& data, TemplateHost* host, RenderOptions options, TemplateCache* cache)
    : Renderer(from_value(data), host, std::move(options), cache) {}

Renderer::Renderer(Val data, TemplateHost* host, RenderOptions options, TemplateCache* cache)
    : data_(std::move(data)), host_(host), options_(std::move(options)), cache_(cache ? cache : &own_cache_) {}

std::string Renderer::run(const std::string& text, const Origin& where, Val* single, bool* sensitive,
                          std::shared_ptr<const ParsedTemplate>* parsed_out) {
  std::shared_ptr<const ParsedTemplate> parsed;
  try {
    parsed = cache_->get(text);
  } catch (const SyntaxError& e) {
    throw_syntax(e, text, options_.name, where, options_.origin_is_text_start);
  }
  CallContext ctx;
  ctx.host = host_;
  ctx.origin = &where;
  ctx.limits = options_.limits;
  ExecOptions exec_options{options_.name, options_.missing_key};
  std::string out;
  try {
    execute(*parsed, data_, exec_options, ctx, out, single);
  } catch (const ExecError& e) {
    throw_exec(e, text, options_.name, where, options_.origin_is_text_start);
  }
  if (sensitive) *sensitive = ctx.sensitive;
  if (parsed_out) *parsed_out = std::move(parsed);
  return out;
}

std::string Renderer::render(const std::string& text, const Origin& where, bool* sensitive) {
  return run(text, where, nullptr, sensitive);
}

Value Renderer::render_value(const std::string& text, const Origin& where) {
  if (text.find("{{") == std::string::npos) {
    Value v(text);
    v.set_origin(where);
    return v;
  }
  bool sensitive = false;
  Val single;
  single.set_sensitive(false);
  Value result;
  std::shared_ptr<const ParsedTemplate> parsed_template;
  std::string out = run(text, where, &single, &sensitive, &parsed_template);
  const ParsedTemplate& parsed = *parsed_template;
  bool one_action = parsed.root.nodes.size() == 1 && parsed.root.nodes[0].kind == Node::Kind::kAction &&
                    parsed.root.nodes[0].pipe->decl.empty();
  if (one_action) {
    result = to_value(single);
    if (single.sensitive()) sensitive = true;
  } else {
    result = Value(std::move(out));
  }
  if (sensitive || result.contains_sensitive()) result.set_sensitive();
  result.set_origin(where);
  return result;
}

Value Renderer::render_tree(const Value& tree) {
  switch (tree.kind()) {
    case Value::Kind::kString: {
      Value out = render_value(tree.as_string(), tree.origin());
      if (tree.sensitive()) out.set_sensitive();
      return out;
    }
    case Value::Kind::kList: {
      Value::List l;
      l.reserve(tree.as_list().size());
      for (const auto& e : tree.as_list()) l.push_back(render_tree(e));
      Value out(std::move(l));
      out.set_origin(tree.origin());
      out.set_sensitive(tree.sensitive());
      return out;
    }
    case Value::Kind::kMap: {
      Value::Map m;
      for (const auto& [k, e] : tree.as_map()) m.emplace_hint(m.end(), k, render_tree(e));
      Value out(std::move(m));
      out.set_origin(tree.origin());
      out.set_sensitive(tree.sensitive());
      return out;
    }
    default: return tree;
  }
}

std::string render(const std::string& text, const Value& data, TemplateHost* host, const RenderOptions& options,
                   const Origin& where) {
  return Renderer(data, host, options).render(text, where);
}

Value render_value(const std::string& text, const Value& data, TemplateHost* host, const RenderOptions& options,
                   const Origin& where) {
  return Renderer(data, host, options).render_value(text, where);
}

Value render_tree(const Value& tree, const Value& data, TemplateHost* host, const RenderOptions& options) {
  return Renderer(data, host, options).render_tree(tree);
}

std::vector<StateCall> find_state_calls(const std::string& text, const Origin& where) {
  std::vector<StateCall> out;
  if (text.find("{{") == std::string::npos || text.find("state") == std::string::npos) return out;
  // The same reference is written in many components ({{ (state "shared" "network").vpc_id }} in
  // every stack): what a text holds is found once per thread. Only texts that parse are kept (an
  // error names its origin, which differs).
  thread_local std::unordered_map<std::string, std::vector<StateCall>> found;
  if (auto it = found.find(text); it != found.end()) return it->second;
  if (found.size() >= 4096) found.clear();
  std::unique_ptr<ParsedTemplate> parsed;
  try {
    parsed = parse_template(text);
  } catch (const SyntaxError& e) {
    throw_syntax(e, text, "template", where);
  }
  for (const Node& n : parsed->root.nodes) {
    std::optional<StateCall> read;
    if (n.kind == Node::Kind::kAction) read = state_output_read(n, text);
    if (read) {
      out.push_back(std::move(*read));
      continue;
    }
    collect_node(n, out);
  }
  for (const auto& [name, list] : parsed->defines) collect_state_calls(*list, out);
  found.emplace(text, out);
  return out;
}

}  // namespace strata::tpl

#include "config/hcl/hcl_stack_loader.h"

#include <algorithm>
#include <filesystem>
#include <optional>

#include "base/atomic_file.h"
#include "base/file_walk.h"
#include "base/suggest.h"
#include "hcl/eval.h"
#include "hcl/functions.h"
#include "hcl/parser.h"

namespace strata::hcl_stacks {

namespace fs = std::filesystem;

namespace {

// One stack.hcl being read: turns HCL positions into strata origins.
class Reader {
 public:
  Reader(std::string display, const hcl::EvalContext& ctx, Diagnostics& diags)
      : origin_(std::move(display)), ctx_(ctx), diags_(diags) {}

  Origin at(const hcl::Range& r) const { return origin_.at(r.start.line, r.start.column); }

  void error(const hcl::Range& r, const std::string& message, const std::string& hint = {}) {
    diags_.error(at(r), message, hint);
    failed_ = true;
  }
  bool failed() const { return failed_; }

  // The attribute's value; nullopt (with the problems reported) when it cannot be evaluated.
  std::optional<Value> eval(const hcl::Attribute& a) {
    hcl::HclDiagnostics d;
    Value v = hcl::evaluate(*a.expr, &ctx_, d);
    for (const auto& item : d.items()) {
      if (item.severity != Severity::kError) continue;
      error(item.subject, a.name + ": " + item.summary + (item.detail.empty() ? "" : ": " + item.detail),
            "fix the expression at this position (HCL, with Terraform's functions: lower, format, merge, …)");
    }
    if (d.has_errors()) return std::nullopt;
    return v;
  }

  std::string string_attr(const hcl::Attribute& a) {
    std::optional<Value> value = eval(a);
    if (!value) return {};
    const Value& v = *value;
    if (!v.is_string()) {
      error(a.expr->range, a.name + " must be a string, not " + v.kind_name());
      return {};
    }
    return v.as_string();
  }

  std::vector<std::string> string_list_attr(const hcl::Attribute& a) {
    std::vector<std::string> out;
    std::optional<Value> value = eval(a);
    if (!value) return out;
    const Value& v = *value;
    if (!v.is_list()) {
      error(a.expr->range, a.name + " must be a list of strings, not " + v.kind_name(),
            "write it as " + a.name + " = [\"...\"]");
      return out;
    }
    for (const auto& item : v.as_list()) {
      if (!item.is_string()) {
        error(a.expr->range, a.name + " must be a list of strings; it holds a " + item.kind_name());
        return {};
      }
      out.push_back(item.as_string());
    }
    return out;
  }

  // Names an attribute or block this file may not use, suggesting the closest one allowed.
  void unknown(const hcl::Range& r, const std::string& kind, const std::string& name, const std::string& where,
               const std::vector<std::string>& allowed) {
    std::string guess = closest_match(name, allowed);
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    error(r, "unknown " + kind + " \"" + name + "\" in " + where,
          guess.empty() ? "allowed here: " + list : "did you mean \"" + guess + "\"? (allowed here: " + list + ")");
  }

 private:
  Origin origin_;
  const hcl::EvalContext& ctx_;
  Diagnostics& diags_;
  bool failed_ = false;
};

const std::vector<std::string> kStackAttributes = {"version", "policies"};
const std::vector<std::string> kStackBlocks = {"variables", "hooks", "backend"};
const std::vector<std::string> kHookNames = {"pre_plan", "post_plan", "pre_apply", "post_apply"};

std::vector<std::string>* hook_list(Hooks& hooks, const std::string& name) {
  if (name == "pre_plan") return &hooks.pre_plan;
  if (name == "post_plan") return &hooks.post_plan;
  if (name == "pre_apply") return &hooks.pre_apply;
  if (name == "post_apply") return &hooks.post_apply;
  return nullptr;
}

std::optional<Stack> read_stack(const std::string& root, const std::string& path, const hcl::EvalContext& ctx,
                                Diagnostics& diagnostics) {
  std::string display = fs::path(path).lexically_relative(root).string();
  std::string text;
  try {
    text = read_file(path);
  } catch (const Error& e) {
    diagnostics.error(Origin(display), e.message());
    return std::nullopt;
  }
  hcl::File file = hcl::parse_config(std::move(text), display);
  Reader r(display, ctx, diagnostics);
  // The first syntax error is the root cause; the parser's later ones often follow from it
  // (an unclosed string is also an invalid multi-line string on every line after it).
  size_t syntax_errors = 0;
  for (const auto& d : file.diagnostics.items()) syntax_errors += d.severity == Severity::kError;
  for (const auto& d : file.diagnostics.items()) {
    if (d.severity != Severity::kError) continue;
    r.error(d.subject, d.summary + (d.detail.empty() ? "" : ": " + d.detail),
            "fix the HCL syntax at this position" +
                (syntax_errors > 1 ? " (" + std::to_string(syntax_errors - 1) +
                                         " later syntax error(s) in this file are not shown: they may follow from this one)"
                                   : std::string()));
    break;
  }
  if (r.failed()) return std::nullopt;

  const hcl::Block* block = nullptr;
  for (const auto& a : file.body.attributes) {
    r.error(a.name_range, "unexpected attribute \"" + a.name + "\" outside the stack block",
            "a stack.hcl holds one block: stack \"NAME\" { ... }");
  }
  for (const auto& b : file.body.blocks) {
    if (b.type != "stack") {
      r.unknown(b.type_range, "block", b.type, display, {"stack"});
    } else if (block) {
      r.error(b.type_range, "a second stack block in one stack.hcl",
              "each module declares one stack; the first is at line " + std::to_string(block->type_range.start.line));
    } else {
      block = &b;
    }
  }
  if (r.failed()) return std::nullopt;
  if (!block) {
    r.error(file.body.range, "no stack block in " + display, "add: stack \"NAME\" { variables { ... } }");
    return std::nullopt;
  }
  if (block->labels.size() != 1 || block->labels[0].empty()) {
    r.error(block->type_range, "the stack block needs exactly one label, its name", "write: stack \"NAME\" { ... }");
    return std::nullopt;
  }

  Stack stack;
  stack.name = block->labels[0];
  stack.kind = "hcl";
  stack.source_file = display;
  stack.origin = r.at(block->type_range);
  for (const auto& a : block->body.attributes) {
    if (a.name == "version") {
      stack.version = r.string_attr(a);
    } else if (a.name == "policies") {
      stack.policies = r.string_list_attr(a);
    } else {
      r.unknown(a.name_range, "attribute", a.name, "the stack block", kStackAttributes);
    }
  }

  std::string module_dir = fs::path(display).parent_path().string();
  Component component;
  component.name = fs::path(path).parent_path().filename().string();
  component.stack = stack.name;
  component.source = module_dir.empty() ? "." : module_dir;
  component.origin = stack.origin;
  bool seen_variables = false, seen_hooks = false;
  for (const auto& b : block->body.blocks) {
    if (b.type == "variables" && !seen_variables) {
      seen_variables = true;
      for (const auto& a : b.body.attributes) {
        if (std::optional<Value> v = r.eval(a)) component.inputs.set(a.name, std::move(*v));
      }
      for (const auto& nested : b.body.blocks) {
        r.error(nested.type_range, "variables holds attributes only, not a \"" + nested.type + "\" block",
                "write a map value: " + nested.type + " = { ... }");
      }
    } else if (b.type == "hooks" && !seen_hooks) {
      seen_hooks = true;
      for (const auto& a : b.body.attributes) {
        if (std::vector<std::string>* list = hook_list(stack.hooks, a.name)) {
          *list = r.string_list_attr(a);
        } else {
          r.unknown(a.name_range, "hook", a.name, "hooks", kHookNames);
        }
      }
    } else if (b.type == "backend" && !component.backend) {
      if (b.labels.size() != 1) {
        r.error(b.type_range, "the backend block needs one label, its type", "write: backend \"s3\" { ... }");
        continue;
      }
      Backend backend;
      backend.type = b.labels[0];
      backend.config = Value::map();
      backend.origin = r.at(b.type_range);
      for (const auto& a : b.body.attributes) {
        if (std::optional<Value> v = r.eval(a)) backend.config.set(a.name, std::move(*v));
      }
      stack.backend = backend;
    } else if (b.type == "variables" || b.type == "hooks" || b.type == "backend") {
      r.error(b.type_range, "a second \"" + b.type + "\" block in the stack block", "merge them into one");
    } else {
      r.unknown(b.type_range, "block", b.type, "the stack block", kStackBlocks);
    }
  }
  if (r.failed()) return std::nullopt;
  stack.components.push_back(std::move(component));
  return stack;
}

}  // namespace

std::vector<std::string> find_stack_hcl_files(const std::string& root, const std::vector<std::string>& skip) {
  return find_files(root, skip, [](const fs::path& p) { return p.filename() == "stack.hcl"; });
}

void load_hcl_stacks(const std::string& root, const std::vector<std::string>& files,
                     const std::map<std::string, std::string>& environment,
                     std::map<std::string, Stack>& stacks, Diagnostics& diagnostics) {
  if (files.empty()) return;
  static const hcl::FunctionTable functions = hcl::standard_functions();
  hcl::EvalContext ctx;
  Value env = Value::map();
  for (const auto& [k, v] : environment) env.set(k, Value(v));
  ctx.variables.set("env", env);
  ctx.functions = &functions;
  for (const auto& path : files) {
    std::optional<Stack> stack = read_stack(root, path, ctx, diagnostics);
    if (!stack) continue;
    auto [it, inserted] = stacks.try_emplace(stack->name, std::move(*stack));
    if (!inserted) {
      diagnostics.error(stack->origin,
                        "stack '" + stack->name + "' is declared twice: in " + it->second.source_file + " (" +
                            it->second.origin.str() + ") and in " + stack->source_file,
                        "give each stack its own name; stack names must be unique in a project");
    }
  }
}

}  // namespace strata::hcl_stacks

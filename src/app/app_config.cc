#include "app/app_config.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "app/value_text.h"
#include "base/suggest.h"
#include "hcl/eval.h"
#include "hcl/functions.h"
#include "hcl/parser.h"
#include "hcl/variables.h"

namespace strata::app {

namespace fs = std::filesystem;

const char* phase_name(Phase p) {
  switch (p) {
    case Phase::kBuild:
      return "build";
    case Phase::kRegistry:
      return "registry";
    case Phase::kDeploy:
      return "deploy";
    case Phase::kRelease:
      return "release";
  }
  return "?";
}

const AppConfig* ProjectConfig::find_app(const std::string& name) const {
  for (const auto& a : apps)
    if (a.name == name) return &a;
  return nullptr;
}

namespace {

const std::vector<std::string> kTopLevel = {"project", "variable", "app"};
const std::vector<std::string> kVariableKeys = {"type", "default", "sensitive", "env",
                                                "description"};
const std::vector<std::string> kAppKeys = {"path",   "labels",  "build", "registry",
                                           "deploy", "release", "url",   "config"};
const std::vector<std::string> kConfigKeys = {"env", "internal_port"};

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Reads one file: turns HCL ranges into origins, evaluates, and collects every problem.
class Loader {
 public:
  Loader(const std::string& display, const std::string& root,
         const std::map<std::string, std::string>& environment, Diagnostics& diags)
      : file_(std::make_shared<const std::string>(display)),
        root_(root),
        environment_(environment),
        diags_(diags) {
    functions_ = hcl::standard_functions();
    ctx_.functions = &functions_;
  }

  ProjectConfig load(const std::string& source) {
    ProjectConfig config;
    config.file = *file_;
    config.root = root_;
    hcl::File file = hcl::parse_config(source, *file_);
    for (const auto& d : file.diagnostics.items()) {
      if (d.severity == Severity::kError)
        error(d.subject, d.summary + (d.detail.empty() ? "" : ": " + d.detail));
    }
    if (diags_.has_errors()) return config;

    // Variables first: every other expression may use var.NAME.
    Value vars = Value::map();
    for (const auto& b : file.body.blocks) {
      if (b.type != "variable") continue;
      if (std::optional<VariableConfig> v = variable(b)) {
        if (vars.find(v->name)) {
          error(b.label_ranges[0], "variable \"" + v->name + "\" is declared twice",
                "remove or rename one of them");
          continue;
        }
        vars.set(v->name, v->value);
        if (v->sensitive) collect_sensitive(v->value, config.sensitive_values);
        config.variables.push_back(std::move(*v));
      }
    }
    ctx_.variables.set("var", vars);
    Value path = Value::map();
    path.set("project", root_);
    ctx_.variables.set("path", path);

    for (const auto& a : file.body.attributes) {
      if (a.name == "project") {
        config.project = string_attr(a);
      } else {
        unknown(a.name_range, "attribute", a.name, *file_, kTopLevel);
      }
    }
    std::set<std::string> app_names;
    for (const auto& b : file.body.blocks) {
      if (b.type == "variable") continue;
      if (b.type != "app") {
        unknown(b.type_range, "block", b.type, *file_, kTopLevel);
        continue;
      }
      if (b.labels.size() != 1 || b.labels[0].empty()) {
        error(b.type_range, "an app block needs one label, its name", "write: app \"web\" { ... }");
        continue;
      }
      if (!app_names.insert(b.labels[0]).second) {
        error(b.label_ranges[0], "app \"" + b.labels[0] + "\" is declared twice",
              "give each app its own name");
        continue;
      }
      config.apps.push_back(app(b));
    }
    if (config.apps.empty() && !diags_.has_errors()) {
      error(file.body.range, "no app block in " + *file_,
            "add one: app \"web\" { build { use = \"oci\" } deploy { use = \"local\" } }");
    }
    return config;
  }

 private:
  Origin at(const hcl::Range& r) const { return hcl::origin_of(file_, r); }
  void error(const hcl::Range& r, const std::string& message, const std::string& hint = {}) {
    diags_.error(at(r), message, hint);
  }

  void unknown(const hcl::Range& r, const std::string& kind, const std::string& name,
               const std::string& where, const std::vector<std::string>& allowed) {
    std::string guess = closest_match(name, allowed);
    error(r, "unknown " + kind + " \"" + name + "\" in " + where,
          guess.empty() ? "allowed here: " + join(allowed)
                        : "did you mean \"" + guess + "\"? (allowed here: " + join(allowed) + ")");
  }

  std::optional<Value> eval(const hcl::Attribute& a, const hcl::EvalContext* ctx) {
    hcl::HclDiagnostics d;
    Value v = hcl::evaluate(*a.expr, ctx, d);
    for (const auto& item : d.items()) {
      if (item.severity == Severity::kError)
        error(item.subject,
              a.name + ": " + item.summary + (item.detail.empty() ? "" : ": " + item.detail),
              eval_hint(*a.expr, ctx));
    }
    if (d.has_errors()) return std::nullopt;
    v.set_origin(at(a.range));  // the attribute, name first: what a plugin points at
    return v;
  }
  std::optional<Value> eval(const hcl::Attribute& a) { return eval(a, &ctx_); }

  // What to do about an expression that failed: the variable or function meant, when one of
  // its names is close to one that exists.
  std::string eval_hint(const hcl::Expr& expr, const hcl::EvalContext* ctx) {
    const Value* vars = ctx ? ctx->variables.find("var") : nullptr;
    std::vector<std::string> declared;
    if (vars && vars->is_map())
      for (const auto& [k, v] : vars->as_map()) declared.push_back(k);
    for (const auto& ref : hcl::expr_variables(expr)) {
      const hcl::Traversal& t = ref.traversal;
      if (t.empty() || t[0].name != "var") continue;
      if (t.size() < 2 || (vars && vars->find(t[1].name))) continue;
      std::string guess = closest_match(t[1].name, declared);
      if (!guess.empty()) return "did you mean var." + guess + "?";
      return declared.empty() ? "declare it: variable \"" + t[1].name + "\" { default = ... }"
                              : "declare it, or use one of: var." + join(declared);
    }
    std::string unknown_fn;
    find_unknown_function(expr, unknown_fn);
    if (!unknown_fn.empty()) {
      std::string guess = closest_match(unknown_fn, functions_.names());
      if (!guess.empty()) return "did you mean " + guess + "()?";
    }
    return {};
  }

  void find_unknown_function(const hcl::Expr& e, std::string& out) {
    if (!out.empty()) return;
    if (e.kind == hcl::ExprKind::kFunctionCall && e.name != "try" && e.name != "can" &&
        !functions_.find(e.name)) {
      out = e.name;
      return;
    }
    for (const hcl::Expr* child : {e.a.get(), e.b.get(), e.c.get(), e.cond.get()})
      if (child) find_unknown_function(*child, out);
    for (const auto& item : e.items)
      if (item) find_unknown_function(*item, out);
  }

  std::string string_attr(const hcl::Attribute& a) {
    std::optional<Value> v = eval(a);
    if (!v) return {};
    if (!v->is_string()) {
      error(a.expr->range, a.name + " must be a string, not a " + v->kind_name());
      return {};
    }
    return v->as_string();
  }

  std::map<std::string, std::string> string_map_attr(const hcl::Attribute& a) {
    std::map<std::string, std::string> out;
    std::optional<Value> v = eval(a);
    if (!v) return out;
    if (!v->is_map()) {
      error(a.expr->range, a.name + " must be a map of strings, not a " + v->kind_name(),
            "write it as " + a.name + " = { KEY = \"value\" }");
      return out;
    }
    for (const auto& [k, item] : v->as_map()) {
      std::optional<std::string> text = scalar_text(item);
      if (!text) {
        error(a.expr->range, a.name + "." + k + " must be a string, not a " + item.kind_name());
        continue;
      }
      out[k] = *text;
    }
    return out;
  }

  static void collect_sensitive(const Value& v, std::vector<std::string>& out) {
    if (std::optional<std::string> t = scalar_text(v)) {
      if (!t->empty()) out.push_back(*t);
    } else if (v.is_list()) {
      for (const auto& item : v.as_list()) collect_sensitive(item, out);
    } else if (v.is_map()) {
      for (const auto& [k, item] : v.as_map()) collect_sensitive(item, out);
    }
  }

  // The type a `type = ...` expression names: string, list(string), map(any), ...
  std::string type_of(const hcl::Attribute& a) {
    const hcl::Expr& e = *a.expr;
    std::string name;
    if (e.kind == hcl::ExprKind::kScopeTraversal && e.traversal.size() == 1)
      name = e.traversal[0].name;
    if (e.kind == hcl::ExprKind::kFunctionCall) name = e.name;
    if (name.empty() ||
        std::find(kVariableTypes.begin(), kVariableTypes.end(), name) == kVariableTypes.end()) {
      std::string guess = closest_match(name, kVariableTypes);
      error(e.range, "type must be a type: string, number, bool, any, list(...) or map(...)",
            !guess.empty() ? "did you mean " + guess + "?"
                           : "write the type without quotes: type = string");
      return "any";
    }
    if (name == "set" || name == "tuple") return "list";
    if (name == "object") return "map";
    return name;
  }

  std::optional<VariableConfig> variable(const hcl::Block& b) {
    if (b.labels.size() != 1 || b.labels[0].empty()) {
      error(b.type_range, "a variable block needs one label, its name",
            "write: variable \"port\" { default = 8080 }");
      return std::nullopt;
    }
    VariableConfig v;
    v.name = b.labels[0];
    v.type = "any";
    v.origin = at(b.label_ranges[0]);
    bool has_default = false;
    hcl::EvalContext constant;  // defaults use functions but no other variable
    constant.functions = &functions_;
    const hcl::Attribute* default_attr = nullptr;
    for (const auto& a : b.body.attributes) {
      if (a.name == "type") {
        v.type = type_of(a);
      } else if (a.name == "default") {
        default_attr = &a;
        if (std::optional<Value> d = eval(a, &constant)) {
          v.value = *d;
          has_default = true;
        }
      } else if (a.name == "sensitive") {
        std::optional<Value> s = eval(a, &constant);
        if (s && !s->is_bool())
          error(a.expr->range,
                "sensitive must be true or false, not a " + std::string(s->kind_name()));
        v.sensitive = s && s->is_bool() && s->as_bool();
      } else if (a.name == "env") {
        std::optional<Value> e = eval(a, &constant);
        if (!e) continue;
        if (!e->is_list()) {
          error(a.expr->range, "env must be a list of environment variable names",
                "write: env = [\"PORT\"]");
          continue;
        }
        for (const auto& item : e->as_list()) {
          if (item.is_string())
            v.env.push_back(item.as_string());
          else
            error(a.expr->range,
                  "env must list names as strings, not a " + std::string(item.kind_name()));
        }
      } else if (a.name != "description") {
        unknown(a.name_range, "attribute", a.name, "variable \"" + v.name + "\"", kVariableKeys);
      }
    }
    for (const auto& nested : b.body.blocks)
      unknown(nested.type_range, "block", nested.type, "variable \"" + v.name + "\"",
              kVariableKeys);

    const hcl::Range& where = default_attr ? default_attr->expr->range : b.label_ranges[0];
    for (const auto& name : v.env) {
      auto it = environment_.find(name);
      if (it == environment_.end()) continue;
      std::optional<Value> from_env = convert_to_type(Value(it->second), v.type);
      if (!from_env) {
        error(b.label_ranges[0], "variable \"" + v.name + "\": $" + name + " is not a " + v.type,
              "set $" + name + " to a " + v.type + " or unset it");
        return std::nullopt;
      }
      v.value = *from_env;
      has_default = true;
      break;
    }
    if (!has_default) {
      error(b.label_ranges[0], "variable \"" + v.name + "\" has no value",
            v.env.empty() ? "give it a default: default = ..."
                          : "set $" + v.env[0] + " or give it a default");
      return std::nullopt;
    }
    std::optional<Value> typed = convert_to_type(v.value, v.type);
    if (!typed) {
      error(where,
            "variable \"" + v.name + "\": the default is a " + v.value.kind_name() + ", not a " +
                v.type,
            "change the default or the type");
      return std::nullopt;
    }
    v.value = *typed;
    if (v.sensitive) v.value.set_sensitive();
    return v;
  }

  // A body as a value: attributes evaluated, nested blocks as maps (by label when labelled).
  Value body_value(const hcl::Body& body, const std::set<std::string>& skip) {
    Value out = Value::map();
    for (const auto& a : body.attributes) {
      if (skip.count(a.name)) continue;
      if (std::optional<Value> v = eval(a)) out.set(a.name, std::move(*v));
    }
    for (const auto& b : body.blocks) {
      if (skip.count(b.type)) continue;
      Value inner = body_value(b.body, {});
      inner.set_origin(at(b.type_range));
      Value* slot = out.find(b.type);
      if (!b.labels.empty()) {
        if (!slot) slot = &out.set(b.type, Value::map());
        slot->set(b.labels[0], std::move(inner));
        slot->set_origin(at(b.type_range));
      } else if (slot) {
        error(b.type_range, "\"" + b.type + "\" is given twice", "merge the two blocks into one");
      } else {
        out.set(b.type, std::move(inner));
      }
    }
    return out;
  }

  // A phase block in either form: `build { use = "oci" ... }` or `build { use "oci" { ... } }`.
  std::optional<PluginConfig> plugin_block(const hcl::Block& b, Phase phase,
                                           const std::string& app) {
    const std::string where = std::string(phase_name(phase)) + " block of app \"" + app + "\"";
    if (!b.labels.empty()) {
      error(b.label_ranges[0], "the " + where + " takes no label",
            "name the plugin inside: " + std::string(phase_name(phase)) + " { use = \"" +
                b.labels[0] + "\" }");
      return std::nullopt;
    }
    PluginConfig p;
    p.phase = phase;
    p.origin = at(b.type_range);
    const hcl::Attribute* use_attr = b.body.find_attribute("use");
    std::vector<const hcl::Block*> use_blocks;
    for (const auto& nested : b.body.blocks)
      if (nested.type == "use") use_blocks.push_back(&nested);
    std::set<std::string> skip = {"use"};
    if (phase == Phase::kBuild) skip.insert("registry");  // Waypoint nests the registry in build
    if (use_attr && !use_blocks.empty()) {
      error(use_blocks[0]->type_range,
            "the " + where + " names its plugin twice (use = and a use block)",
            "keep one: use = \"NAME\" with the options beside it, or use \"NAME\" { options }");
      return std::nullopt;
    }
    if (use_attr) {
      p.use = string_attr(*use_attr);
      p.use_origin = at(use_attr->expr->range);
      p.options = body_value(b.body, skip).as_map();
    } else if (!use_blocks.empty()) {
      const hcl::Block& u = *use_blocks[0];
      if (use_blocks.size() > 1) {
        error(use_blocks[1]->type_range, "the " + where + " has more than one use block",
              "an app uses one plugin per phase");
        return std::nullopt;
      }
      if (u.labels.size() != 1 || u.labels[0].empty()) {
        error(u.type_range, "a use block needs one label, the plugin's name",
              "write: use \"docker\" { ... }");
        return std::nullopt;
      }
      p.use = u.labels[0];
      p.use_origin = at(u.label_ranges[0]);
      p.options = body_value(u.body, {}).as_map();
      for (const auto& a : b.body.attributes)
        error(a.name_range, "\"" + a.name + "\" belongs inside the use block of the " + where,
              "move it into use \"" + p.use + "\" { ... }");
      for (const auto& nested : b.body.blocks)
        if (!skip.count(nested.type))
          unknown(nested.type_range, "block", nested.type, "the " + where,
                  phase == Phase::kBuild ? std::vector<std::string>{"use", "registry"}
                                         : std::vector<std::string>{"use"});
    } else {
      error(b.type_range, "the " + where + " names no plugin",
            "add use = \"NAME\" (or Waypoint's use \"NAME\" { ... })");
      return std::nullopt;
    }
    if (p.use.empty()) return std::nullopt;
    return p;
  }

  AppConfig app(const hcl::Block& b) {
    AppConfig app;
    app.name = b.labels[0];
    app.origin = at(b.type_range);
    app.path = ".";
    const std::string where = "app \"" + app.name + "\"";
    for (const auto& a : b.body.attributes) {
      if (a.name == "path") {
        app.path = string_attr(a);
        std::error_code ec;
        if (!app.path.empty() && !fs::is_directory(fs::path(root_) / app.path, ec))
          error(a.expr->range, "path \"" + app.path + "\" is not a folder",
                "path is relative to the folder of " + *file_ +
                    "; create the folder or fix the path");
      } else if (a.name == "labels") {
        app.labels = string_map_attr(a);
      } else {
        unknown(a.name_range, "attribute", a.name, where, kAppKeys);
      }
    }
    for (const auto& nested : b.body.blocks) {
      const std::string& t = nested.type;
      auto once = [&](auto& slot, Phase phase) {
        if (slot) {
          error(nested.type_range, where + " has a second " + t + " block",
                "an app has one " + t + " block");
          return;
        }
        slot = plugin_block(nested, phase, app.name);
      };
      if (t == "build") {
        once(app.build, Phase::kBuild);
        for (const auto& inner : nested.body.blocks) {
          if (inner.type != "registry") continue;
          if (app.registry) {
            error(inner.type_range, where + " has a registry block in build and another beside it",
                  "keep one");
          } else {
            app.registry = plugin_block(inner, Phase::kRegistry, app.name);
          }
        }
      } else if (t == "registry") {
        once(app.registry, Phase::kRegistry);
      } else if (t == "deploy") {
        once(app.deploy, Phase::kDeploy);
      } else if (t == "release") {
        once(app.release, Phase::kRelease);
      } else if (t == "url") {
        app.url = body_value(nested.body, {}).as_map();
      } else if (t == "config") {
        config_block(nested, app);
      } else {
        unknown(nested.type_range, "block", t, where, kAppKeys);
      }
    }
    if (!app.build && !diags_.has_errors())
      error(b.type_range, where + " has no build block", "add one: build { use = \"oci\" }");
    if (!app.deploy && !diags_.has_errors())
      error(b.type_range, where + " has no deploy block", "add one: deploy { use = \"local\" }");
    return app;
  }

  void config_block(const hcl::Block& b, AppConfig& app) {
    for (const auto& a : b.body.attributes) {
      if (a.name == "env") {
        app.env = string_map_attr(a);
      } else if (a.name == "internal_port") {
        std::optional<Value> v = eval(a);
        if (!v) continue;
        std::optional<int64_t> port = v->is_number() ? v->as_number().as_int() : std::nullopt;
        if (!port || *port < 1 || *port > 65535) {
          error(a.expr->range, "internal_port must be a port number from 1 to 65535",
                "write: internal_port = 8080");
          continue;
        }
        app.internal_port = static_cast<int>(*port);
      } else {
        unknown(a.name_range, "attribute", a.name, "the config block of app \"" + app.name + "\"",
                kConfigKeys);
      }
    }
    for (const auto& nested : b.body.blocks)
      unknown(nested.type_range, "block", nested.type,
              "the config block of app \"" + app.name + "\"", kConfigKeys);
  }

  std::shared_ptr<const std::string> file_;
  std::string root_;
  const std::map<std::string, std::string>& environment_;
  Diagnostics& diags_;
  hcl::FunctionTable functions_;
  hcl::EvalContext ctx_;
};

}  // namespace

ProjectConfig parse_project_config(const std::string& source, const std::string& display,
                                   const std::string& root,
                                   const std::map<std::string, std::string>& environment,
                                   Diagnostics& diags) {
  Loader loader(display, root, environment, diags);
  return loader.load(source);
}

}  // namespace strata::app

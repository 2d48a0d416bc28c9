#include "resolve/component_resolver.h"

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <set>

#include <nlohmann/json.hpp>

#include "base/atomic_file.h"
#include "hcl/writer.h"
#include "model/error.h"
#include "model/module_source.h"

namespace strata {

namespace {

// The actions of `text` that read one output of another component, {{ (state "S" "C").out }};
// none when the text does not parse (rendering it then reports why).
std::vector<tpl::StateCall> state_output_reads(const std::string& text, const Origin& where) {
  std::vector<tpl::StateCall> reads;
  try {
    for (auto& call : tpl::find_state_calls(text, where))
      if (call.whole_action()) reads.push_back(std::move(call));
  } catch (const Error&) {
    reads.clear();
  }
  return reads;
}

std::string hcl_escape_text(const std::string& s) {
  std::string q = hcl::write_hcl_string(s);
  return q.substr(1, q.size() - 2);
}

// Leaves without an origin of their own get the component's, so every template error points
// into the stack file.
Value with_default_origin(const Value& v, const Origin& origin) {
  Value out = v;
  if (out.is_map()) {
    for (auto& [k, e] : out.as_map()) e = with_default_origin(e, origin);
  } else if (out.is_list()) {
    for (auto& e : out.as_list()) e = with_default_origin(e, origin);
  }
  if (!out.origin().known()) out.set_origin(origin);
  return out;
}

}  // namespace

std::string remote_state_name(const ComponentRef& ref) {
  std::string out = ref.stack + "_" + ref.component;
  for (char& c : out) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) c = '_';
  }
  return out;
}

class ComponentResolver::Host : public tpl::TemplateHost {
 public:
  Host(ComponentResolver& r) : r_(r) {}
  Value state(const std::string& stack, const std::string& component, const Origin& where) override {
    return r_.state_.outputs(ComponentRef{stack, component, where}, where);
  }
  Value secret(const std::string& ref, const Origin& where) override {
    if (!r_.secrets_) {
      throw Error("cannot resolve secret \"" + ref + "\": no secret provider is configured", where,
                  "secret references need the secrets support (sops://); check the reference");
    }
    Value v = r_.secrets_->resolve(ref, where);
    v.set_sensitive();
    return v;
  }
  std::optional<std::string> env(const std::string& name) override {
    auto it = r_.env_.find(name);
    if (it != r_.env_.end()) return it->second;
    return std::nullopt;
  }

 private:
  ComponentResolver& r_;
};

ComponentResolver::ComponentResolver(const Project& project, StateSource& state, SecretResolver* secrets,
                                     std::map<std::string, std::string> env, tpl::TemplateCache* cache)
    : project_(project), state_(state), secrets_(secrets), env_(std::move(env)),
      cache_(cache ? cache : &own_cache_) {}

Value component_template_data(const Project& project, const Stack& stack, const Component& component) {
  Value data = Value::map();
  std::string stacks_dir = project.root + "/" + project.settings.stacks_dir;
  data.set("stacks_dir", stacks_dir);
  data.set("stack", stack.name);
  data.set("component", component.name);
  if (stack.options.is_map()) {
    for (const auto& [k, v] : stack.options.as_map()) {
      if (!data.find(k)) data.set(k, v);
    }
  }
  return data;
}

// A JavaScript value's origin is its component() call, not where its text starts.
static tpl::RenderOptions render_options(const Stack& stack) {
  tpl::RenderOptions options;
  options.origin_is_text_start = stack.kind != "js";
  return options;
}

Value ComponentResolver::template_data(const Stack& stack, const Component& component) const {
  return component_template_data(project_, stack, component);
}

namespace {

// Answers templates for a preview: state() from mock_outputs only (nothing has run), env from
// the run's variables, and no secrets (a preview never decrypts).
// The outputs in a component's local state file (a local backend, or none), marked sensitive
// where the state says so; nullopt when there is no such file or it has no outputs. `file`
// receives its path relative to the project root.
std::optional<Value> local_state_outputs(const Project& project, const Component& c, std::string* file) {
  const Stack* stack = project.find_stack(c.stack);
  const Backend& b = c.backend ? *c.backend : stack ? stack->backend : Backend{};
  std::string path = "terraform.tfstate";
  if (!b.type.empty() && b.type != "local") return std::nullopt;
  if (const Value* p = b.config.is_map() ? b.config.find("path") : nullptr; p && p->is_string()) path = p->as_string();
  if (path.find("{{") != std::string::npos) return std::nullopt;
  std::string run_dir = project.settings.work_dir + "/" + c.stack + "/" + c.name;
  if (std::string sub = split_module_source(c.source).subdir; !sub.empty()) run_dir += "/" + sub;
  std::string rel = path.starts_with("/") ? path : (std::filesystem::path(run_dir) / path).lexically_normal().string();
  std::string text;
  if (!try_read_file(path.starts_with("/") ? path : project.root + "/" + rel, text)) return std::nullopt;
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (!doc.is_object() || !doc.contains("outputs") || !doc["outputs"].is_object() || doc["outputs"].empty())
    return std::nullopt;
  Value out = Value::map();
  for (const auto& [name, o] : doc["outputs"].items()) {
    if (!o.is_object() || !o.contains("value")) continue;
    Value v = parse_json_text(o["value"].dump());
    if (o.value("sensitive", false)) v.set_sensitive();
    out.set(name, std::move(v));
  }
  *file = rel;
  return out;
}

class PreviewHost : public tpl::TemplateHost {
 public:
  PreviewHost(const Project& project, const std::map<std::string, std::string>& env, SecretResolver* secrets)
      : project_(project), env_(env), secrets_(secrets) {}
  // A dependency's real outputs when its local state holds them, else its mock outputs, else
  // deferred: known only after it is applied.
  Value state(const std::string& stack, const std::string& component, const Origin&) override {
    const Component* c = project_.find({stack, component, {}});
    if (c) {
      std::string file;
      if (std::optional<Value> outputs = local_state_outputs(project_, *c, &file)) {
        used_state.insert(stack + "/" + component + "'s state (" + file + ")");
        return *outputs;
      }
    }
    if (c && c->mock_outputs.is_map() && !c->mock_outputs.as_map().empty()) {
      used_mock.insert(stack + "/" + component + "'s mock outputs (it has no state yet)");
      return c->mock_outputs;
    }
    deferred = true;
    throw Error("the outputs of " + stack + "/" + component + " are known only after it is applied");
  }
  std::set<std::string> used_mock, used_state;
  // A secret is not decrypted: what can be known without its key is checked (the file and the
  // key path), then it stands in as a sensitive value, so what holds it shows as sensitive. A
  // template that needs more of it (a key of a map) fails, and counts as deferred.
  Value secret(const std::string& ref, const Origin& where) override {
    if (secrets_ && !secret_error) {
      try {
        secrets_->check(ref, where);
      } catch (const Error& e) {
        secret_error = e;  // reported at the value, not inside the template text
      }
    }
    read_secret = true;
    Value v("(secret)");
    v.set_sensitive();
    return v;
  }
  // Set when a render failed because a value is known only during a run (not an error).
  bool deferred = false;
  bool read_secret = false;
  std::optional<Error> secret_error;  // what check() found wrong with a secret reference
  std::optional<std::string> env(const std::string& name) override {
    auto it = env_.find(name);
    if (it != env_.end()) return it->second;
    return std::nullopt;
  }

 private:
  const Project& project_;
  const std::map<std::string, std::string>& env_;
  SecretResolver* secrets_;
};

// Renders every string of a tree; a string that cannot be rendered stays as written, reported
// in `unresolved` with its path when it needs a run, else in `errors`.
Value render_what_can_be(const Value& v, const std::string& path, tpl::Renderer& renderer, PreviewHost& host,
                         const Origin& where, ComponentPreview& preview) {
  if (v.is_string()) {
    if (v.as_string().find("{{") == std::string::npos) return v;
    host.deferred = false;
    host.read_secret = false;
    host.secret_error.reset();
    host.used_mock.clear();
    host.used_state.clear();
    try {
      Value out = renderer.render_value(v.as_string(), v.origin().known() ? v.origin() : where);
      if (host.secret_error) {
        const Error& e = *host.secret_error;
        preview.errors.push_back(Error(e.kind(), path + ": " + e.message(), e.origin(), e.hint()));
        return v;
      }
      if (v.sensitive()) out.set_sensitive();
      for (const auto& m : host.used_mock) preview.mocked.push_back(path + ": " + m);
      for (const auto& s : host.used_state) preview.from_state.push_back(path + ": " + s);
      return out;
    } catch (const Error& e) {
      if (host.deferred)
        preview.unresolved.push_back(path + ": " + e.message());
      else if (host.read_secret)
        preview.unresolved.push_back(path + ": uses a secret, which is decrypted only during a run (" + e.message() + ")");
      else
        preview.errors.push_back(Error(e.kind(), path + ": " + e.message(), e.origin(), e.hint()));
      return v;
    }
  }
  Value out = v;
  if (v.is_list()) {
    for (size_t i = 0; i < v.as_list().size(); ++i)
      out.as_list()[i] =
          render_what_can_be(v.as_list()[i], path + "[" + std::to_string(i) + "]", renderer, host, where, preview);
  } else if (v.is_map()) {
    for (const auto& [k, item] : v.as_map())
      out.as_map()[k] = render_what_can_be(item, path + "." + k, renderer, host, where, preview);
  }
  return out;
}

}  // namespace

// The path of the first value marked sensitive in `v` ("backend.password"), or "".
static std::string sensitive_path(const Value& v, const std::string& path) {
  if (v.sensitive()) return path;
  if (v.is_list()) {
    for (size_t i = 0; i < v.as_list().size(); ++i)
      if (auto p = sensitive_path(v.as_list()[i], path + "[" + std::to_string(i) + "]"); !p.empty()) return p;
  } else if (v.is_map()) {
    for (const auto& [k, item] : v.as_map())
      if (auto p = sensitive_path(item, path + "." + k); !p.empty()) return p;
  }
  return "";
}

ComponentPreview preview_component(const Project& project, const Component& component,
                                   const std::map<std::string, std::string>& env, SecretResolver* secrets) {
  const Stack* stack = project.find_stack(component.stack);
  if (!stack) throw Error("component \"" + component.name + "\" belongs to unknown stack \"" + component.stack + "\"");
  PreviewHost host(project, env, secrets);
  tpl::Renderer renderer(component_template_data(project, *stack, component), &host, render_options(*stack));
  ComponentPreview out;
  out.component = &component;
  out.inputs = render_what_can_be(component.inputs, "inputs", renderer, host, component.origin, out);
  out.providers = render_what_can_be(component.providers, "providers", renderer, host, component.origin, out);
  find_secret_lookalikes(out.inputs, "inputs", out.warnings);
  find_secret_lookalikes(out.providers, "providers", out.warnings);
  const Backend& b = component.backend ? *component.backend : stack->backend;
  if (!b.type.empty()) {
    out.backend = b;
    out.backend->config = render_what_can_be(b.config, "backend", renderer, host, component.origin, out);
  }
  // What resolve() refuses at plan: a secret in a setting strata writes into a file.
  if (out.backend)
    if (std::string path = sensitive_path(out.backend->config, "backend"); !path.empty())
      out.errors.push_back(Error(path + ": holds a secret, which would be written in clear into backend.tf.json",
                                 out.backend->origin.known() ? out.backend->origin : component.origin,
                                 "give the backend its credentials through the environment instead (in "
                                 "JavaScript, envs({ AWS_SECRET_ACCESS_KEY: secret('aws.key') }))"));
  if (std::string path = sensitive_path(out.providers, "providers"); !path.empty())
    out.errors.push_back(Error(path + ": holds a secret, which would be written in clear into providers_gen.tf",
                               component.origin,
                               "pass it as an input to a variable marked sensitive and use var.NAME in the module's "
                               "provider block, or set the provider's environment variable with envs()"));
  return out;
}

void find_secret_lookalikes(const Value& v, const std::string& path, std::vector<std::string>& out) {
  if (v.is_string()) {
    const std::string& s = v.as_string();
    if (!v.sensitive() && (s.starts_with("sops://") || s.starts_with("op://"))) {
      out.push_back(path + ": \"" + s.substr(0, s.find_first_of(" \n")) +
                    "\" looks like a secret reference but is passed to the engine as text; "
                    "in JavaScript write secrets('" + s.substr(0, s.find_first_of(" \n'")) +
                    "'), in a template {{ secret \"…\" }}");
    }
  } else if (v.is_list()) {
    for (size_t i = 0; i < v.as_list().size(); ++i)
      find_secret_lookalikes(v.as_list()[i], path + "[" + std::to_string(i) + "]", out);
  } else if (v.is_map()) {
    for (const auto& [k, item] : v.as_map()) find_secret_lookalikes(item, path + "." + k, out);
  }
}

void collect_secret_references(const std::string& text, std::vector<std::string>& out) {
  static constexpr std::string_view kName = "secret";
  for (size_t open = text.find("{{"); open != std::string::npos; open = text.find("{{", open + 2)) {
    size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) return;
    std::string_view action(text.data() + open + 2, close - open - 2);
    for (size_t at = action.find(kName); at != std::string_view::npos; at = action.find(kName, at + 1)) {
      bool starts_word = at == 0 || action[at - 1] == ' ' || action[at - 1] == '(' || action[at - 1] == '-' ||
                         action[at - 1] == '|';
      size_t q = at + kName.size();
      if (!starts_word || q >= action.size() || action[q] != ' ') continue;
      while (q < action.size() && action[q] == ' ') ++q;
      if (q >= action.size() || (action[q] != '`' && action[q] != '"')) continue;
      size_t end = action.find(action[q], q + 1);
      if (end == std::string_view::npos) continue;
      out.emplace_back(action.substr(q + 1, end - q - 1));  // a quoted reference with escapes is rare: kept as written
    }
  }
}

void collect_secret_references(const Value& v, std::vector<std::string>& out) {
  if (v.is_string()) {
    collect_secret_references(v.as_string(), out);
  } else if (v.is_list()) {
    for (const auto& item : v.as_list()) collect_secret_references(item, out);
  } else if (v.is_map()) {
    for (const auto& [_, item] : v.as_map()) collect_secret_references(item, out);
  }
}

void ComponentResolver::decrypt_secrets(const Component& component) {
  const Stack* stack = project_.find_stack(component.stack);
  std::vector<std::string> refs;
  collect_secret_references(component.inputs, refs);
  collect_secret_references(component.providers, refs);
  if (stack) {
    const Backend& b = component.backend ? *component.backend : stack->backend;
    collect_secret_references(b.config, refs);
    for (const auto& [_, value] : stack->env) collect_secret_references(value, refs);
  }
  if (refs.empty()) return;
  Host host(*this);
  for (const auto& ref : refs) host.secret(ref, component.origin);
}

Backend ComponentResolver::resolved_backend(const Stack& stack, const Component& component) {
  const Backend& b = component.backend ? *component.backend : stack.backend;
  if (b.type.empty()) return b;
  Host host(*this);
  tpl::Renderer renderer(template_data(stack, component), &host, render_options(stack), cache_);
  return resolved_backend(stack, component, renderer);
}

// `renderer` renders with the component's template data.
Backend ComponentResolver::resolved_backend(const Stack& stack, const Component& component, tpl::Renderer& renderer) {
  Backend b = component.backend ? *component.backend : stack.backend;
  if (b.type.empty()) return b;
  b.config = renderer.render_tree(b.config.is_null() ? Value::map() : b.config);
  return b;
}

Value ComponentResolver::render_providers(const Component& component, tpl::Renderer& renderer,
                                          ComponentFiles& files) {
  std::function<Value(const Value&, const std::string&)> walk = [&](const Value& v, const std::string& path) -> Value {
    if (v.is_map()) {
      Value out = Value::map();
      for (const auto& [k, e] : v.as_map()) out.set(k, walk(e, path.empty() ? k : path + "/" + k));
      return out;
    }
    if (v.is_list()) {
      Value out = Value::list();
      size_t i = 0;
      for (const auto& e : v.as_list()) out.push(walk(e, path + "/" + std::to_string(i++)));
      return out;
    }
    if (!v.is_string()) return v;
    const std::string& text = v.as_string();
    Origin where = v.origin().known() ? v.origin() : component.origin;
    std::vector<tpl::StateCall> reads = state_output_reads(text, where);
    if (reads.empty()) return renderer.render_value(text, where);

    // Rewrite each output reference into a remote-state lookup Terraform resolves at plan time.
    std::string expr;
    size_t last = 0;
    bool whole = false;
    for (const tpl::StateCall& read : reads) {
      ComponentRef ref{read.stack, read.component, where};
      const Component* target = project_.find(ref);
      if (!target) {
        throw Error("provider configuration refers to component \"" + ref.str() + "\", which does not exist", where,
                    "check the stack and component names in the state() call");
      }
      std::string name = remote_state_name(ref);
      bool known = false;
      for (const auto& rs : files.remote_states) known = known || rs.name == name;
      if (!known) {
        Backend backend = resolved_backend(*project_.find_stack(ref.stack), *target);
        if (backend.type.empty() || backend.type == "local") {
          // Local state lives in the target's run dir; the data source reads it from another
          // workdir, so it gets the absolute path (a relative one would name a file there).
          std::string run_dir = project_.root + "/" + project_.settings.work_dir + "/" + target->stack + "/" + target->name;
          if (std::string sub = split_module_source(target->source).subdir; !sub.empty()) run_dir += "/" + sub;
          const Value* path = backend.config.is_map() ? backend.config.find("path") : nullptr;
          std::string file = path && path->is_string() ? path->as_string() : "terraform.tfstate";
          if (!file.starts_with("/")) file = (std::filesystem::path(run_dir) / file).lexically_normal().string();
          backend.type = "local";
          backend.config = Value::map();
          backend.config.set("path", Value(file));
        }
        files.remote_states.push_back({name, std::move(backend)});
      }
      std::string outputs;
      for (const auto& field : read.fields) outputs += (outputs.empty() ? "" : ".") + field;
      std::string lookup = "try(data.terraform_remote_state." + name + ".outputs." + outputs + ", null)";
      if (read.action_begin == 0 && read.action_end == text.size()) {
        whole = true;
        expr = lookup;
        break;
      }
      std::string literal = text.substr(last, read.action_begin - last);
      expr += hcl_escape_text(renderer.render(literal, where)) + "${" + lookup + "}";
      last = read.action_end;
    }
    if (!whole) expr = "\"" + expr + hcl_escape_text(renderer.render(text.substr(last), where)) + "\"";
    files.provider_expressions.insert(path);
    return Value(expr);
  };
  return walk(with_default_origin(component.providers.is_null() ? Value::map() : component.providers, component.origin), "");
}

ComponentFiles ComponentResolver::resolve(const Component& component) {
  const Stack* stack = project_.find_stack(component.stack);
  if (!stack) throw Error("component \"" + component.name + "\" belongs to unknown stack \"" + component.stack + "\"");
  ComponentFiles files;
  files.ref = component.ref();
  files.project_root = project_.root;
  files.work_root = project_.root + "/" + project_.settings.work_dir;
  files.source = component.source;
  files.generate_backend = project_.settings.generate_backend;
  files.provider_appends = stack->provider_appends;

  if (stack->kind == "yaml") {
    // Kompos stacks: himl already interpolated the merged tree ({{a.b}} is its own dialect);
    // it goes out whole under `config`, with provider.tf.json beside it.
    files.kompos_style = true;
    const Value* config = component.inputs.find("config");
    files.kompos_config = config ? *config : Value::map();
    files.provider_json = component.provider_json;
    files.versioned_data = component.versioned_data;
    files.versioned_extension = component.versioned_extension;
    files.backend = stack->backend;
    files.env = stack->env;
    return files;
  }
  Value data = template_data(*stack, component);
  Host host(*this);
  tpl::Renderer renderer(data, &host, render_options(*stack), cache_);
  files.env = stack->env;
  for (auto& [name, value] : files.env) {
    if (value.find("{{ secret `") == std::string::npos) continue;
    Value rendered = renderer.render_value(value, component.origin);
    value = rendered.is_string() ? rendered.as_string() : to_json_text(rendered, -1);
  }
  files.inputs = renderer.render_tree(
      with_default_origin(component.inputs.is_null() ? Value::map() : component.inputs, component.origin));
  // One renderer (one conversion of the template data) for inputs, backend and providers.
  files.backend = resolved_backend(*stack, component, renderer);
  files.providers = render_providers(component, renderer, files);
  find_secret_lookalikes(files.inputs, "inputs", files.warnings);
  find_secret_lookalikes(files.providers, "providers", files.warnings);
  // Backend and provider settings are written into files (and Terraform copies the backend's
  // into .terraform/terraform.tfstate): a secret there would be on disk in clear.
  if (std::string path = sensitive_path(files.backend.config, "backend"); !path.empty()) {
    throw Error(component.ref().str() + ": the backend setting " + path +
                    " holds a secret, which would be written in clear into backend.tf.json and "
                    "Terraform's .terraform/terraform.tfstate",
                files.backend.origin.known() ? files.backend.origin : component.origin,
                "give the backend its credentials through the environment instead (in JavaScript, "
                "envs({ AWS_SECRET_ACCESS_KEY: secret('aws.key') }); Terraform's backends read such variables)");
  }
  if (std::string path = sensitive_path(files.providers, "providers"); !path.empty()) {
    throw Error(component.ref().str() + ": the provider setting " + path +
                    " holds a secret, which would be written in clear into providers_gen.tf",
                component.origin,
                "pass it as an input to a variable marked sensitive and use var.NAME in the module's "
                "provider block, or set the provider's environment variable with envs()");
  }
  return files;
}

}  // namespace strata

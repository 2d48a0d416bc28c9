#include "resolve/component_resolver.h"

#include <cstdlib>
#include <functional>

#include "hcl/writer.h"
#include "model/error.h"

namespace strata {

namespace {

// The actions of `text` that read one output of another component, {{ (state "S" "C").out }};
// none when the text does not parse (rendering it then reports why).
std::vector<tpl::StateCall> state_output_reads(const std::string& text, const Origin& where) {
  std::vector<tpl::StateCall> reads;
  try {
    for (auto& call : tpl::find_state_calls(text, where))
      if (!call.outputs.empty()) reads.push_back(std::move(call));
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

Value ComponentResolver::template_data(const Stack& stack, const Component& component) const {
  return component_template_data(project_, stack, component);
}

namespace {

// Answers templates for a preview: state() from mock_outputs only (nothing has run), env from
// the run's variables, and no secrets (a preview never decrypts).
class PreviewHost : public tpl::TemplateHost {
 public:
  PreviewHost(const Project& project, const std::map<std::string, std::string>& env)
      : project_(project), env_(env) {}
  Value state(const std::string& stack, const std::string& component, const Origin&) override {
    const Component* c = project_.find({stack, component, {}});
    if (c && c->mock_outputs.is_map() && !c->mock_outputs.as_map().empty()) return c->mock_outputs;
    deferred = true;
    throw Error("the outputs of " + stack + "/" + component + " are known only after it is applied");
  }
  Value secret(const std::string& ref, const Origin&) override {
    deferred = true;
    throw Error("secret " + ref + " is not decrypted by describe");
  }
  // Set when a render failed because a value is known only during a run (not an error).
  bool deferred = false;
  std::optional<std::string> env(const std::string& name) override {
    auto it = env_.find(name);
    if (it != env_.end()) return it->second;
    return std::nullopt;
  }

 private:
  const Project& project_;
  const std::map<std::string, std::string>& env_;
};

// Renders every string of a tree; a string that cannot be rendered stays as written, reported
// in `unresolved` with its path when it needs a run, else in `errors`.
Value render_what_can_be(const Value& v, const std::string& path, tpl::Renderer& renderer, PreviewHost& host,
                         const Origin& where, ComponentPreview& preview) {
  if (v.is_string()) {
    if (v.as_string().find("{{") == std::string::npos) return v;
    host.deferred = false;
    try {
      Value out = renderer.render_value(v.as_string(), where);
      if (v.sensitive()) out.set_sensitive();
      return out;
    } catch (const Error& e) {
      if (host.deferred)
        preview.unresolved.push_back(path + ": " + e.message());
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

ComponentPreview preview_component(const Project& project, const Component& component,
                                   const std::map<std::string, std::string>& env) {
  const Stack* stack = project.find_stack(component.stack);
  if (!stack) throw Error("component \"" + component.name + "\" belongs to unknown stack \"" + component.stack + "\"");
  PreviewHost host(project, env);
  tpl::Renderer renderer(component_template_data(project, *stack, component), &host);
  ComponentPreview out;
  out.component = &component;
  out.inputs = render_what_can_be(component.inputs, "inputs", renderer, host, component.origin, out);
  out.providers = render_what_can_be(component.providers, "providers", renderer, host, component.origin, out);
  const Backend& b = component.backend ? *component.backend : stack->backend;
  if (!b.type.empty()) {
    out.backend = b;
    out.backend->config = render_what_can_be(b.config, "backend", renderer, host, component.origin, out);
  }
  return out;
}

Backend ComponentResolver::resolved_backend(const Stack& stack, const Component& component) {
  const Backend& b = component.backend ? *component.backend : stack.backend;
  if (b.type.empty()) return b;
  Host host(*this);
  tpl::Renderer renderer(template_data(stack, component), &host, {}, cache_);
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
        files.remote_states.push_back({name, resolved_backend(*project_.find_stack(ref.stack), *target)});
      }
      std::string outputs;
      for (const auto& field : read.outputs) outputs += (outputs.empty() ? "" : ".") + field;
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
    return files;
  }
  Value data = template_data(*stack, component);
  Host host(*this);
  tpl::Renderer renderer(data, &host, {}, cache_);
  files.inputs = renderer.render_tree(
      with_default_origin(component.inputs.is_null() ? Value::map() : component.inputs, component.origin));
  // One renderer (one conversion of the template data) for inputs, backend and providers.
  files.backend = resolved_backend(*stack, component, renderer);
  files.providers = render_providers(component, renderer, files);
  return files;
}

}  // namespace strata

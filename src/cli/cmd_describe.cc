// `strata describe STACK [COMPONENT]`: what a stack or component declares — inputs, backend,
// providers, dependencies — after templates, with sensitive values shown as (sensitive).
// STACK may also be a Kompos config folder; one that holds no stack shows its merged tree.
// Other components' outputs (state()) are only known after they are applied: values that need
// them are shown as written (or from mock_outputs) and listed as unresolved.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <tuple>
#include <vector>

#include "cli/commands.h"
#include "cli/project_context.h"
#include "config/project_loader.h"
#include "config/yaml/layers.h"
#include "config/yaml/yaml_stack_loader.h"
#include "model/error.h"
#include "template/template.h"

namespace strata::cli {

namespace {

// Answers templates for describe: state() from mock_outputs only (nothing has run), env from the
// project's variables, and no secrets (describe never decrypts).
class DescribeHost : public tpl::TemplateHost {
 public:
  explicit DescribeHost(const Project& project) : project_(project) {}
  Value state(const std::string& stack, const std::string& component, const Origin&) override {
    const Component* c = project_.find({stack, component, {}});
    if (c && c->mock_outputs.is_map() && !c->mock_outputs.as_map().empty()) return c->mock_outputs;
    throw Error("the outputs of " + stack + "/" + component +
                " are known only after it is applied");
  }
  Value secret(const std::string& ref, const Origin&) override {
    throw Error("secret " + ref + " is not decrypted by describe");
  }
  std::optional<std::string> env(const std::string& name) override {
    auto it = project_.settings.env.find(name);
    if (it != project_.settings.env.end()) return it->second;
    if (const char* v = std::getenv(name.c_str())) return std::string(v);
    return std::nullopt;
  }

 private:
  const Project& project_;
};

// Renders every string of a component's values; a string that cannot be rendered stays as
// written and is reported in `unresolved`.
class ComponentResolver {
 public:
  ComponentResolver(const Project& project, const Stack& stack, const Component& c,
                    DescribeHost& host)
      : renderer_(template_data(project, stack, c), &host), where_(c.origin) {}

  Value resolve(const Value& v, const std::string& path) {
    if (v.is_string()) {
      if (v.as_string().find("{{") == std::string::npos) return v;
      try {
        Value out = renderer_.render_value(v.as_string(), where_);
        if (v.sensitive()) out.set_sensitive();
        return out;
      } catch (const Error& e) {
        unresolved.push_back(path + ": " + e.message());
        return v;
      }
    }
    Value out = v;
    if (v.is_list()) {
      for (size_t i = 0; i < v.as_list().size(); ++i)
        out.as_list()[i] = resolve(v.as_list()[i], path + "[" + std::to_string(i) + "]");
    } else if (v.is_map()) {
      for (const auto& [k, item] : v.as_map()) out.as_map()[k] = resolve(item, path + "." + k);
    }
    return out;
  }

  std::vector<std::string> unresolved;

 private:
  // Comet's template data: stacks_dir, stack, component, then the stack options at top level
  // (without overwriting those three).
  static Value template_data(const Project& project, const Stack& stack, const Component& c) {
    Value data = Value::map();
    data.set("stacks_dir", (std::filesystem::path(project.root) / project.settings.stacks_dir)
                               .lexically_normal()
                               .string());
    data.set("stack", stack.name);
    data.set("component", c.name);
    if (stack.options.is_map())
      for (const auto& [k, v] : stack.options.as_map()) data.as_map().emplace(k, v);
    return data;
  }

  tpl::Renderer renderer_;
  Origin where_;
};

struct ResolvedComponent {
  const Component* component;
  Value inputs, providers;
  std::optional<Backend> backend;
  std::vector<std::string> unresolved;
};

ResolvedComponent resolve_component(const Project& project, const Stack& s, const Component& c,
                                    DescribeHost& host) {
  ComponentResolver r(project, s, c, host);
  ResolvedComponent out{
      &c, r.resolve(c.inputs, "inputs"), r.resolve(c.providers, "providers"), std::nullopt, {}};
  const Backend& b = c.backend ? *c.backend : s.backend;
  if (!b.type.empty()) {
    out.backend = b;
    out.backend->config = r.resolve(b.config, "backend");
  }
  out.unresolved = std::move(r.unresolved);
  return out;
}

nlohmann::json origin_json(const Origin& o) {
  if (!o.known()) return nullptr;
  return {{"file", o.path()}, {"line", o.line}, {"column", o.column}};
}

nlohmann::json value_json(const Value& v) { return to_json(redacted(v)); }

std::string value_text(const Value& v, int indent) {
  std::string text = to_json_text(redacted(v), 2);
  std::string pad(indent, ' ');
  std::string out = pad;
  for (char c : text) {
    out += c;
    if (c == '\n') out += pad;
  }
  return out;
}

nlohmann::json component_json(const ResolvedComponent& r) {
  const Component& c = *r.component;
  nlohmann::json deps = nlohmann::json::array();
  for (const auto& d : c.depends_on) deps.push_back(d.str());
  return {{"name", c.name},
          {"stack", c.stack},
          {"source", c.source},
          {"origin", origin_json(c.origin)},
          {"inputs", value_json(r.inputs)},
          {"providers", value_json(r.providers)},
          {"backend", !r.backend ? nlohmann::json(nullptr)
                                 : nlohmann::json{{"type", r.backend->type},
                                                  {"config", value_json(r.backend->config)}}},
          {"depends_on", deps},
          {"mock_outputs", value_json(c.mock_outputs)},
          {"unresolved", r.unresolved}};
}

// Every leaf under `v` as "a.b[0].c" -> value, with where it was written.
void flatten_leaves(const Value& v, const std::string& path,
                    std::vector<std::tuple<std::string, Value, Origin>>& out) {
  if (v.is_map() && !v.as_map().empty()) {
    for (const auto& [k, child] : v.as_map()) flatten_leaves(child, path.empty() ? k : path + "." + k, out);
  } else if (v.is_list() && !v.as_list().empty()) {
    for (size_t i = 0; i < v.as_list().size(); ++i)
      flatten_leaves(v.as_list()[i], path + "[" + std::to_string(i) + "]", out);
  } else {
    out.emplace_back(path, v, v.origin());
  }
}

// --origins: one line per leaf, "path = value    <- file:line:col".
void print_origins(const Value& tree, const std::string& title, int indent) {
  std::vector<std::tuple<std::string, Value, Origin>> leaves;
  flatten_leaves(tree, "", leaves);
  std::string pad(indent, ' ');
  std::cout << pad << title << ", leaf by leaf, with where each value was written:\n";
  for (const auto& [path, value, origin] : leaves) {
    std::cout << pad << "  " << path << " = " << to_json_text(redacted(value), -1)
              << (origin.known() ? "    <- " + origin.str() : "") << "\n";
  }
}

nlohmann::json origins_json(const Value& inputs) {
  std::vector<std::tuple<std::string, Value, Origin>> leaves;
  flatten_leaves(inputs, "", leaves);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [path, value, origin] : leaves) out[path] = origin.known() ? nlohmann::json(origin.str()) : nullptr;
  return out;
}

void print_component(const ResolvedComponent& r, bool origins) {
  const Component& c = *r.component;
  std::cout << "component " << c.name << "  (" << c.origin.str() << ")\n";
  std::cout << "  source: " << c.source << "\n";
  if (r.backend) {
    std::cout << "  backend: " << r.backend->type << "\n"
              << value_text(r.backend->config, 4) << "\n";
  }
  if (origins) {
    print_origins(r.inputs, "inputs", 2);
  } else {
    std::cout << "  inputs:\n" << value_text(r.inputs, 4) << "\n";
  }
  if (!r.providers.as_map().empty()) {
    std::cout << "  providers:\n" << value_text(r.providers, 4) << "\n";
  }
  if (!c.depends_on.empty()) {
    std::cout << "  depends on:";
    for (const auto& d : c.depends_on) std::cout << " " << d.str();
    std::cout << "\n";
  }
  if (c.mock_outputs.is_map() && !c.mock_outputs.as_map().empty()) {
    std::cout << "  mock outputs:\n" << value_text(c.mock_outputs, 4) << "\n";
  }
  if (!r.unresolved.empty()) {
    std::cout << "  shown as written (not resolvable before a run):\n";
    for (const auto& u : r.unresolved) std::cout << "    " << u << "\n";
  }
}

struct DescribeFlags {
  std::string stack, component;
  bool origins = false;
  std::vector<std::string> exclude, filter;  // top-level keys, for a config folder
};

// A Kompos config folder that is not a stack (`config/cloud=aws`): what himl would print for
// it — the merged, interpolated tree less `komposconfig` — plus the layer files it came from.
int describe_config_folder(const Globals& globals, const ProjectSession& session,
                           const std::string& folder, const DescribeFlags& flags) {
  namespace fs = std::filesystem;
  const Project& project = session.project();
  yaml::YamlLoadOptions options;
  options.environment = &session.loaded.environment;  // no secrets: describe never decrypts
  options.exclude = flags.exclude;
  options.filter = flags.filter;
  Diagnostics diagnostics;
  Value tree =
      yaml::resolve_folder(project.root, project.settings.config_dir, folder, options, diagnostics);
  diagnostics.throw_if_errors();
  if (tree.is_map()) tree.as_map().erase("komposconfig");
  fs::path root = fs::absolute(project.root).lexically_normal();
  std::vector<std::string> layers;
  for (const auto& dir :
       yaml::layer_dirs((root / project.settings.config_dir).string(), (root / folder).string()))
    for (const auto& file : yaml::layer_files(dir))
      layers.push_back(fs::path(file).lexically_relative(root).generic_string());
  if (globals.json) {
    nlohmann::json out = {{"folder", folder}, {"layers", layers}, {"config", value_json(tree)}};
    if (flags.origins) out["origins"] = origins_json(tree);
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << "folder " << folder
            << "  (no stack here: the merged configuration, as himl gives it)\n";
  std::cout << "layers, general to specific (later files win):\n";
  for (const auto& l : layers) std::cout << "  " << l << "\n";
  if (flags.origins) {
    print_origins(tree, "configuration", 0);
  } else {
    std::cout << "configuration:\n" << value_text(tree, 2) << "\n";
  }
  return 0;
}

int run_describe(const Globals& globals, const DescribeFlags& flags) {
  auto session = open_project(globals);
  const Project& project = session->project();
  const StackArgument target = parse_stack_argument(project, flags.stack);
  const std::string& stack_name = target.stack;
  const std::string component_name = flags.component.empty() ? target.component : flags.component;
  const bool origins = flags.origins;
  const Stack* stack = project.find_stack(stack_name);
  if (!stack && !target.config_folder.empty() &&
      std::filesystem::is_directory(std::filesystem::path(project.root) / target.config_folder))
    return describe_config_folder(globals, *session, target.config_folder, flags);
  if (!flags.exclude.empty() || !flags.filter.empty())
    throw Error("--exclude and --filter apply to a configuration folder that holds no stack", {},
                "name such a folder (e.g. " + project.settings.config_dir +
                    "/cloud=aws), or leave them out");
  if (!stack) throw unknown_stack(project, flags.stack);
  std::vector<const Component*> components;
  if (component_name.empty()) {
    for (const auto& c : stack->components) components.push_back(&c);
  } else if (const Component* c = stack->find(component_name)) {
    components.push_back(c);
  } else {
    std::vector<std::string> names;
    for (const auto& c : stack->components) names.push_back(c.name);
    std::string near = closest_match(component_name, names);
    throw Error("stack '" + stack_name + "' has no component '" + component_name + "'",
                stack->origin,
                near.empty() ? "run 'strata list " + stack_name + "' to see its components"
                             : "did you mean '" + near + "'?");
  }

  DescribeHost host(project);
  std::vector<ResolvedComponent> resolved;
  for (const Component* c : components)
    resolved.push_back(resolve_component(project, *stack, *c, host));
  if (globals.json) {
    nlohmann::json comps = nlohmann::json::array();
    for (const auto& r : resolved) {
      comps.push_back(component_json(r));
      if (origins) comps.back()["origins"] = origins_json(r.inputs);
    }
    nlohmann::json out = {{"components", comps}};
    if (component_name.empty()) {
      out["stack"] = {{"name", stack->name},
                      {"file", stack->source_file},
                      {"origin", origin_json(stack->origin)},
                      {"options", value_json(stack->options)},
                      {"metadata", value_json(stack->metadata)},
                      {"env", stack->env},
                      {"provider_appends", stack->provider_appends},
                      {"kind", stack->kind}};
      if (stack->kind == "hcl") {
        out["stack"]["version"] = stack->version;
        out["stack"]["policies"] = stack->policies;
        out["stack"]["hooks"] = {{"pre_plan", stack->hooks.pre_plan},
                                 {"post_plan", stack->hooks.post_plan},
                                 {"pre_apply", stack->hooks.pre_apply},
                                 {"post_apply", stack->hooks.post_apply}};
      }
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  if (component_name.empty()) {
    std::cout << "stack " << stack->name << "  (" << stack->origin.str() << ")\n";
    if (!stack->options.as_map().empty())
      std::cout << "options:\n" << value_text(stack->options, 2) << "\n";
    if (!stack->metadata.as_map().empty())
      std::cout << "metadata:\n" << value_text(stack->metadata, 2) << "\n";
    for (const auto& [k, v] : stack->env) std::cout << "env " << k << "=" << v << "\n";
    for (const auto& line : stack->provider_appends)
      std::cout << "append providers: " << line << "\n";
    if (!stack->version.empty()) std::cout << "version: " << stack->version << "\n";
    for (const auto& p : stack->policies) std::cout << "policy: " << p << "\n";
    for (const auto& [phase, commands] :
         {std::pair{"pre_plan", &stack->hooks.pre_plan}, std::pair{"post_plan", &stack->hooks.post_plan},
          std::pair{"pre_apply", &stack->hooks.pre_apply}, std::pair{"post_apply", &stack->hooks.post_apply}}) {
      for (const auto& command : *commands) std::cout << "hook " << phase << ": " << command << "\n";
    }
  }
  for (const auto& r : resolved) print_component(r, origins);
  return 0;
}

}  // namespace

void add_describe_command(CLI::App& app, Globals& globals, Action& action) {
  auto* cmd =
      app.add_subcommand("describe", "Show a stack's or component's inputs, backend and providers");
  auto flags = std::make_shared<DescribeFlags>();
  cmd->add_option("STACK", flags->stack,
                  "The stack, or a Kompos config folder: a stack's (config/env=dev/), a leaf "
                  "(…/composition=terraform/terraform=vpc) or any other (shows its merged tree)")
      ->required();
  cmd->add_option("COMPONENT", flags->component, "Only this component");
  cmd->add_flag("--json", globals.json, "Print a JSON object");
  cmd->add_flag("--origins", flags->origins,
                "Show every input leaf with the file:line:col it came from (which layer won)");
  cmd->add_option("--exclude", flags->exclude,
                  "For a config folder: leave out this top-level key (before interpolation)");
  cmd->add_option("--filter", flags->filter,
                  "For a config folder: keep only this top-level key (after interpolation)");
  cmd->callback([&globals, &action, flags] {
    action = [&globals, flags] { return run_describe(globals, *flags); };
  });
}

}  // namespace strata::cli

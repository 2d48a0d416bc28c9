// `strata describe STACK [COMPONENT]`: what a stack or component declares — inputs, backend,
// providers, dependencies — with sensitive values shown as (sensitive).
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "config/project_loader.h"
#include "model/error.h"

namespace strata::cli {

namespace {

// Templates ({{ }}) are shown as written until the template engine is wired in here.
constexpr char kUnresolvedNote[] =
    "values are shown as written: templates ({{ }}) and state() references are not resolved yet";

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

const Backend& effective_backend(const Stack& s, const Component& c) {
  return c.backend ? *c.backend : s.backend;
}

nlohmann::json component_json(const Stack& s, const Component& c) {
  nlohmann::json deps = nlohmann::json::array();
  for (const auto& d : c.depends_on) deps.push_back(d.str());
  const Backend& b = effective_backend(s, c);
  return {{"name", c.name},
          {"stack", c.stack},
          {"source", c.source},
          {"origin", origin_json(c.origin)},
          {"inputs", value_json(c.inputs)},
          {"providers", value_json(c.providers)},
          {"backend", b.type.empty() ? nlohmann::json(nullptr)
                                     : nlohmann::json{{"type", b.type}, {"config", value_json(b.config)}}},
          {"depends_on", deps},
          {"mock_outputs", value_json(c.mock_outputs)}};
}

void print_component(const Stack& s, const Component& c) {
  std::cout << "component " << c.name << "  (" << c.origin.str() << ")\n";
  std::cout << "  source: " << c.source << "\n";
  const Backend& b = effective_backend(s, c);
  if (!b.type.empty()) std::cout << "  backend: " << b.type << "\n" << value_text(b.config, 4) << "\n";
  std::cout << "  inputs:\n" << value_text(c.inputs, 4) << "\n";
  if (!c.providers.as_map().empty()) {
    std::cout << "  providers:\n" << value_text(c.providers, 4) << "\n";
  }
  if (!c.depends_on.empty()) {
    std::cout << "  depends on:";
    for (const auto& d : c.depends_on) std::cout << " " << d.str();
    std::cout << "\n";
  }
  if (c.mock_outputs.is_map() && !c.mock_outputs.as_map().empty()) {
    std::cout << "  mock outputs:\n" << value_text(c.mock_outputs, 4) << "\n";
  }
}

int run_describe(const Globals& globals, const std::string& stack_name,
                 const std::string& component_name) {
  config::LoadOptions options;
  if (!globals.quiet) {
    options.log = [](js::LogLevel, const std::string& text, const Origin& where) {
      std::cerr << where.str() << ": " << text << "\n";
    };
  }
  Project project = config::load_project(options);
  const Stack* stack = project.find_stack(stack_name);
  if (!stack) {
    std::vector<std::string> names;
    for (const auto& [n, _] : project.stacks) names.push_back(n);
    std::string near = closest_match(stack_name, names);
    throw Error("no stack named '" + stack_name + "'", {},
                near.empty() ? "run 'strata list' to see the stacks" : "did you mean '" + near + "'?");
  }
  std::vector<const Component*> components;
  if (component_name.empty()) {
    for (const auto& c : stack->components) components.push_back(&c);
  } else if (const Component* c = stack->find(component_name)) {
    components.push_back(c);
  } else {
    std::vector<std::string> names;
    for (const auto& c : stack->components) names.push_back(c.name);
    std::string near = closest_match(component_name, names);
    throw Error("stack '" + stack_name + "' has no component '" + component_name + "'", stack->origin,
                near.empty() ? "run 'strata list " + stack_name + "' to see its components"
                             : "did you mean '" + near + "'?");
  }

  if (globals.json) {
    nlohmann::json comps = nlohmann::json::array();
    for (const Component* c : components) comps.push_back(component_json(*stack, *c));
    nlohmann::json out = {{"resolved", false}, {"note", kUnresolvedNote}, {"components", comps}};
    if (component_name.empty()) {
      out["stack"] = {{"name", stack->name},
                      {"file", stack->source_file},
                      {"origin", origin_json(stack->origin)},
                      {"options", value_json(stack->options)},
                      {"metadata", value_json(stack->metadata)},
                      {"env", stack->env},
                      {"provider_appends", stack->provider_appends}};
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << "note: " << kUnresolvedNote << "\n";
  if (component_name.empty()) {
    std::cout << "stack " << stack->name << "  (" << stack->origin.str() << ")\n";
    if (!stack->options.as_map().empty()) std::cout << "options:\n" << value_text(stack->options, 2) << "\n";
    if (!stack->metadata.as_map().empty()) std::cout << "metadata:\n" << value_text(stack->metadata, 2) << "\n";
    for (const auto& [k, v] : stack->env) std::cout << "env " << k << "=" << v << "\n";
    for (const auto& line : stack->provider_appends) std::cout << "append providers: " << line << "\n";
  }
  for (const Component* c : components) print_component(*stack, *c);
  return 0;
}

}  // namespace

void add_describe_command(CLI::App& app, Globals& globals, Action& action) {
  auto* cmd = app.add_subcommand("describe", "Show a stack's or component's inputs, backend and providers");
  auto stack = std::make_shared<std::string>();
  auto component = std::make_shared<std::string>();
  cmd->add_option("STACK", *stack, "The stack")->required();
  cmd->add_option("COMPONENT", *component, "Only this component");
  cmd->add_flag("--json", globals.json, "Print a JSON object");
  cmd->callback([&globals, &action, stack, component] {
    action = [&globals, stack, component] { return run_describe(globals, *stack, *component); };
  });
}

}  // namespace strata::cli

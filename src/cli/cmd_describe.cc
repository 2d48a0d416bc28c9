// `strata describe STACK [COMPONENT]`: what a stack or component declares — inputs, backend,
// providers, dependencies — after templates, with sensitive values shown as (sensitive).
// STACK may also be a Kompos config folder; one that holds no stack shows its merged tree.
// Other components' outputs (state()) are only known after they are applied: values that need
// them are shown as written (or from mock_outputs) and listed as unresolved.
#include <iostream>
#include <nlohmann/json.hpp>
#include <vector>

#include "cli/commands.h"
#include "cli/open_workspace.h"
#include "model/error.h"
#include "workspace/describe.h"
#include "workspace/model_json.h"

namespace strata::cli {

namespace {

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

// --origins: one line per leaf, "path = value    <- file:line:col".
void print_origins(const Value& tree, const std::string& title, int indent) {
  std::string pad(indent, ' ');
  std::cout << pad << title << ", leaf by leaf, with where each value was written:\n";
  for (const auto& leaf : workspace::leaves(tree)) {
    std::cout << pad << "  " << leaf.path << " = " << to_json_text(redacted(leaf.value), -1)
              << (leaf.origin.known() ? "    <- " + leaf.origin.str() : "") << "\n";
  }
}

void print_component(const ComponentPreview& r, bool origins) {
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
  if (!r.errors.empty()) {
    std::cout << "  errors (plan fails on these):\n";
    for (const auto& e : r.errors) {
      std::cout << "    " << e.origin().str() << ": " << e.message() << "\n";
      if (!e.hint().empty()) std::cout << "      hint: " << e.hint() << "\n";
    }
  }
  if (!r.mocked.empty()) {
    std::cout << "  mock values (plan uses them until the dependency is applied):\n";
    for (const auto& m : r.mocked) std::cout << "    " << m << "\n";
  }
  if (!r.from_state.empty()) {
    std::cout << "  from state (as the last apply left it):\n";
    for (const auto& s : r.from_state) std::cout << "    " << s << "\n";
  }
  if (!r.unresolved.empty()) {
    std::cout << "  shown as written (not known until apply):\n";
    for (const auto& u : r.unresolved) std::cout << "    " << u << "\n";
  }
}

struct DescribeFlags {
  workspace::DescribeRequest request;
  bool origins = false;
};

// A Kompos config folder that is not a stack (`config/cloud=aws`): what himl would print for
// it — the merged, interpolated tree less `komposconfig` — plus the layer files it came from.
int print_config_folder(const workspace::FolderDescription& d, const DescribeFlags& flags) {
  std::cout << "folder " << d.folder << "  (no stack here: the merged configuration, as himl gives it)\n";
  std::cout << "layers, general to specific (later files win):\n";
  for (const auto& l : d.layers) std::cout << "  " << l << "\n";
  if (flags.origins) {
    print_origins(d.tree, "configuration", 0);
  } else {
    std::cout << "configuration:\n" << value_text(d.tree, 2) << "\n";
  }
  return 0;
}

int run_describe(const Globals& globals, const DescribeFlags& flags) {
  auto ws = open_workspace(globals);
  const workspace::Description d = workspace::describe(*ws, flags.request);
  if (globals.json) {
    std::cout << workspace::description_json(d, flags.origins).dump(2) << "\n";
    return 0;
  }
  if (d.folder) return print_config_folder(*d.folder, flags);
  const workspace::StackDescription& described = *d.stack;
  const Stack* stack = described.stack;
  const std::string& component_name = d.component;
  const bool origins = flags.origins;
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
  for (const auto& r : described.components) print_component(r, origins);
  return 0;
}

}  // namespace

void add_describe_command(CLI::App& app, Globals& globals, Action& action) {
  auto* cmd =
      app.add_subcommand("describe", "Show a stack's or component's inputs, backend and providers");
  auto flags = std::make_shared<DescribeFlags>();
  cmd->add_option("STACK", flags->request.target,
                  "The stack, or a Kompos config folder: a stack's (config/env=dev/), a leaf "
                  "(…/composition=terraform/terraform=vpc) or any other (shows its merged tree)")
      ->required();
  cmd->add_option("COMPONENT", flags->request.component, "Only this component");
  cmd->add_flag("--json", globals.json, "Print a JSON object");
  cmd->add_flag("--origins", flags->origins,
                "Show every input leaf with the file:line:col it came from (which layer won)");
  cmd->add_option("--exclude", flags->request.exclude,
                  "For a config folder: leave out this top-level key (before interpolation)");
  cmd->add_option("--filter", flags->request.filter,
                  "For a config folder: keep only this top-level key (after interpolation)");
  cmd->callback([&globals, &action, flags] {
    action = [&globals, flags] { return run_describe(globals, *flags); };
  });
}

}  // namespace strata::cli

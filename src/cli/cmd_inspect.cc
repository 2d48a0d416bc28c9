// `strata inspect MODULE_DIR [--json]`: what a Terraform module declares — variables, outputs,
// providers, module calls, resources, and its references to other stacks' remote state — read by
// strata's own HCL parser.
#include <iostream>

#include "cli/commands.h"
#include "hcl/module_inspector.h"
#include "model/error.h"

namespace strata::cli {

namespace {

std::string refs_text(const std::vector<hcl::Reference>& refs) {
  std::string out;
  for (const auto& r : refs) out += (out.empty() ? "" : ", ") + r.traversal;
  return out;
}

int run_inspect(const std::string& dir, const Globals& globals) {
  hcl::ModuleInfo info = hcl::inspect_module_dir(dir);
  for (const auto& d : info.diagnostics.items()) std::cerr << d.render() << "\n";
  if (info.diagnostics.has_errors()) return 1;
  if (globals.json) {
    std::cout << to_json_text(hcl::to_value(info)) << "\n";
    return 0;
  }
  std::cout << "module " << dir << "\n";
  if (!info.required_core.empty()) std::cout << "  requires terraform " << info.required_core << "\n";
  if (!info.variables.empty()) std::cout << "\nvariables:\n";
  for (const auto& v : info.variables) {
    std::cout << "  " << v.name << (v.type.empty() ? "" : ": " + v.type);
    if (v.has_default) std::cout << " = " << (v.default_value ? to_json_text(*v.default_value, -1) : "(expression)");
    if (v.sensitive) std::cout << "  [sensitive]";
    if (v.validations) std::cout << "  [" << v.validations << " validation" << (v.validations > 1 ? "s" : "") << "]";
    if (!v.description.empty()) std::cout << "  # " << v.description;
    std::cout << "\n";
  }
  if (!info.outputs.empty()) std::cout << "\noutputs:\n";
  for (const auto& o : info.outputs) {
    std::cout << "  " << o.name << (o.sensitive ? "  [sensitive]" : "");
    if (!o.refs.empty()) std::cout << "  <- " << refs_text(o.refs);
    std::cout << "\n";
  }
  if (!info.required_providers.empty() || !info.providers.empty()) std::cout << "\nproviders:\n";
  for (const auto& p : info.required_providers) {
    std::cout << "  " << p.name << "  " << p.source << (p.version.empty() ? "" : " " + p.version) << "\n";
  }
  for (const auto& p : info.providers) {
    std::cout << "  provider \"" << p.name << "\"" << (p.alias.empty() ? "" : " alias " + p.alias) << "  ("
              << p.origin.str() << ")\n";
  }
  if (!info.module_calls.empty()) std::cout << "\nmodule calls:\n";
  for (const auto& m : info.module_calls) {
    std::cout << "  " << m.name << "  " << m.source << (m.version.empty() ? "" : " " + m.version) << "\n";
  }
  if (!info.resources.empty()) std::cout << "\nresources:\n";
  for (const auto& r : info.resources) {
    std::cout << "  " << (r.mode == "data" ? "data." : "") << r.type << "." << r.name << "\n";
  }
  if (!info.remote_state_refs.empty()) std::cout << "\nremote state references:\n";
  for (const auto& r : info.remote_state_refs) {
    std::cout << "  " << r.state << (r.output.empty() ? "" : "." + r.output) << "  at " << r.used_at << "  ("
              << r.ref.origin.str() << ")\n";
  }
  return 0;
}

}  // namespace

void add_inspect_command(CLI::App& app, Globals& globals, Action& action) {
  auto dir = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("inspect", "Show what a Terraform module declares and references");
  cmd->add_option("module_dir", *dir, "The module's folder")->required()->check(CLI::ExistingDirectory);
  cmd->add_flag("--json", globals.json, "Print JSON");
  cmd->callback([&globals, &action, dir] { action = [&globals, dir] { return run_inspect(*dir, globals); }; });
}

}  // namespace strata::cli

// `strata output STACK COMPONENT [NAME]`: a component's outputs, read from its state through
// the engine (`output -json`). Sensitive outputs show as (sensitive) unless --show-sensitive.
#include <iostream>

#include "cli/commands.h"
#include "cli/project_context.h"
#include "execute/component_runner.h"
#include "model/error.h"

namespace strata::cli {

namespace {

struct OutputFlags {
  std::string stack, component, name;
  bool show_sensitive = false;
};

std::string value_text(const Value& v) { return v.is_string() ? v.as_string() : to_json_text(v, -1); }

int run_output(const OutputFlags& given, const Globals& globals) {
  auto session = open_project(globals);
  config::LoadedProject& loaded = session->loaded;
  const Project& project = loaded.project;
  OutputFlags f = given;
  f.stack = stack_name_from_argument(project, f.stack);  // a Kompos config folder names its stack
  const Stack* stack = project.find_stack(f.stack);
  if (!stack) throw Error("no stack named \"" + f.stack + "\"", {}, "`strata list` shows the stacks");
  if (!stack->find(f.component)) {
    throw Error("stack \"" + f.stack + "\" has no component \"" + f.component + "\"", stack->origin,
                "`strata list " + f.stack + "` shows its components");
  }
  std::unique_ptr<Engine> engine = make_engine(globals, project);
  ComponentRunOptions options;
  options.operation = Operation::kApply;  // real outputs only, never mocks
  options.env = loaded.environment;
  engine->set_redactor(session->redactor.get());
  ComponentRunner runner(project, *engine, session->secrets.get(), options);
  Value outputs = runner.outputs(ComponentRef{f.stack, f.component, {}}, {});
  Value shown = f.show_sensitive ? outputs : redacted(outputs);
  if (!f.name.empty()) {
    const Value* v = shown.find(f.name);
    if (!v) {
      throw Error("component " + f.stack + "/" + f.component + " has no output \"" + f.name + "\"", {},
                  "run `strata output " + f.stack + " " + f.component + "` to list its outputs");
    }
    std::cout << (globals.json ? to_json_text(*v, -1) : value_text(*v)) << "\n";
    return 0;
  }
  if (globals.json) {
    std::cout << to_json_text(shown) << "\n";
    return 0;
  }
  for (const auto& [k, v] : shown.as_map()) std::cout << k << " = " << to_json_text(v, -1) << "\n";
  return 0;
}

}  // namespace

void add_output_command(CLI::App& app, Globals& globals, Action& action) {
  auto flags = std::make_shared<OutputFlags>();
  auto* cmd = app.add_subcommand("output", "Show a component's outputs (from its state)");
  cmd->add_option("stack", flags->stack, "Stack name")->required();
  cmd->add_option("component", flags->component, "Component name")->required();
  cmd->add_option("name", flags->name, "One output only (printed raw)");
  cmd->add_flag("--json", globals.json, "Print JSON");
  cmd->add_flag("--show-sensitive", flags->show_sensitive, "Print sensitive outputs in clear text");
  cmd->callback([&globals, &action, flags] { action = [&globals, flags] { return run_output(*flags, globals); }; });
}

}  // namespace strata::cli

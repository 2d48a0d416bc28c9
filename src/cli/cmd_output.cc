// `strata output STACK COMPONENT [NAME]` (or `strata output LEAF_FOLDER [NAME]`, a Kompos leaf
// folder naming both): a component's outputs, read from its state through the engine
// (`output -json`). Sensitive outputs show as (sensitive) unless --show-sensitive.
#include <iostream>

#include "cli/commands.h"
#include "cli/open_workspace.h"
#include "model/error.h"
#include "workspace/operations.h"
#include "workspace/targets.h"

namespace strata::cli {

namespace {

struct OutputFlags {
  std::string stack, component, name;
  bool show_sensitive = false;
};

std::string value_text(const Value& v) { return v.is_string() ? v.as_string() : to_json_text(v, -1); }

int run_output(const OutputFlags& given, const Globals& globals) {
  auto ws = open_workspace(globals);
  OutputFlags f = given;
  // STACK COMPONENT [NAME], or a Kompos leaf folder (which names both) and then [NAME].
  workspace::ComponentArgument target =
      workspace::parse_component_arguments(*ws, given.stack, given.component, "strata output");
  if (!target.second_used) {
    if (!given.name.empty()) {
      throw Error("too many arguments: " + given.stack + " is the leaf folder of component " +
                      target.ref.component + ", so only an output name may follow it",
                  {}, "strata output LEAF_FOLDER [NAME], or strata output STACK COMPONENT [NAME]");
    }
    f.name = given.component;
  }
  f.stack = target.ref.stack;
  f.component = target.ref.component;
  std::unique_ptr<Engine> engine = make_engine(globals, *ws);
  Value outputs = workspace::component_outputs(*ws, *engine, ComponentRef{f.stack, f.component, {}});
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
  cmd->footer(component_folder_forms(
      ", so the\nword after it is the output NAME: strata output LEAF_FOLDER [NAME]."));
  cmd->add_option("stack", flags->stack, "Stack name, its config folder, or a component's leaf folder")
      ->required();
  cmd->add_option("component", flags->component, "Component name (after a leaf folder: the output NAME)");
  cmd->add_option("name", flags->name, "One output only (printed raw)");
  cmd->add_flag("--json", globals.json, "Print JSON");
  cmd->add_flag("--show-sensitive", flags->show_sensitive, "Print sensitive outputs in clear text");
  cmd->callback([&globals, &action, flags] { action = [&globals, flags] { return run_output(*flags, globals); }; });
}

}  // namespace strata::cli

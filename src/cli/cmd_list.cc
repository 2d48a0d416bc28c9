// `strata list [STACK]`: the stacks and components a project declares, with module sources,
// dependencies and where each was declared.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/project_context.h"
#include "config/project_loader.h"
#include "model/error.h"

namespace strata::cli {

namespace {

std::vector<const Stack*> selected_stacks(const Project& project, const std::string& argument) {
  std::vector<const Stack*> out;
  if (argument.empty()) {
    for (const auto& [_, s] : project.stacks) out.push_back(&s);
    return out;
  }
  const std::string name = stack_name_from_argument(project, argument);  // or a config folder
  if (const Stack* s = project.find_stack(name)) return {s};
  throw unknown_stack(project, argument);
}

nlohmann::json origin_json(const Origin& o) {
  if (!o.known()) return nullptr;
  return {{"file", o.path()}, {"line", o.line}, {"column", o.column}};
}

nlohmann::json stack_json(const Stack& s) {
  nlohmann::json components = nlohmann::json::array();
  for (const auto& c : s.components) {
    nlohmann::json deps = nlohmann::json::array();
    for (const auto& d : c.depends_on) {
      deps.push_back(
          {{"stack", d.stack}, {"component", d.component}, {"origin", origin_json(d.origin)}});
    }
    components.push_back({{"name", c.name},
                          {"source", c.source},
                          {"depends_on", deps},
                          {"origin", origin_json(c.origin)}});
  }
  return {{"name", s.name},
          {"kind", s.kind},
          {"file", s.source_file},
          {"backend",
           s.backend.type.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.backend.type)},
          {"origin", origin_json(s.origin)},
          {"components", components}};
}

void print_stack(const Stack& s) {
  std::cout << s.name << "  (" << s.origin.str() << ")";
  if (!s.backend.type.empty()) std::cout << "  backend: " << s.backend.type;
  std::cout << "\n";
  size_t name_width = 0, source_width = 0;
  for (const auto& c : s.components) {
    name_width = std::max(name_width, c.name.size());
    source_width = std::max(source_width, c.source.size());
  }
  for (const auto& c : s.components) {
    std::cout << "  " << c.name << std::string(name_width - c.name.size() + 2, ' ') << c.source
              << std::string(source_width - c.source.size() + 2, ' ');
    if (!c.depends_on.empty()) {
      std::cout << "after ";
      for (size_t i = 0; i < c.depends_on.size(); ++i) {
        const auto& d = c.depends_on[i];
        std::cout << (i ? ", " : "") << (d.stack == s.name ? d.component : d.str());
      }
      std::cout << "  ";
    }
    std::cout << "(" << c.origin.str() << ")\n";
  }
}

}  // namespace

void add_list_command(CLI::App& app, Globals& globals, Action& action) {
  auto* cmd =
      app.add_subcommand("list", "List stacks and their components, sources and dependencies");
  auto stack = std::make_shared<std::string>();
  cmd->add_option("STACK", *stack, "Only this stack");
  cmd->add_flag("--json", globals.json, "Print a JSON object");
  cmd->callback([&globals, &action, stack] {
    action = [&globals, stack] {
      auto session = open_project(globals);
      const Project& project = session->project();
      auto stacks = selected_stacks(project, *stack);
      if (globals.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const Stack* s : stacks) out.push_back(stack_json(*s));
        std::cout << nlohmann::json{{"root", project.root}, {"stacks", out}}.dump(2) << "\n";
        return 0;
      }
      if (stacks.empty()) {
        std::cout << "no stacks found under " << project.settings.stacks_dir << "/\n";
        return 0;
      }
      for (const Stack* s : stacks) print_stack(*s);
      return 0;
    };
  });
}

}  // namespace strata::cli

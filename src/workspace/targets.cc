#include "workspace/targets.h"

#include <filesystem>
#include <set>

#include "base/suggest.h"
#include "config/yaml/yaml_stack_loader.h"
#include "graph/changed_components.h"
#include "graph/graph.h"

namespace strata::workspace {

namespace fs = std::filesystem;

namespace {

// The project's config_dir, normalised ("config", "infra/config"), as folders are compared to it.
std::string config_folder(const Project& project) {
  std::string dir = fs::path(project.settings.config_dir).lexically_normal().generic_string();
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

// True when the relative path `rel` is `folder` or lies below it.
bool inside_folder(const std::string& rel, const std::string& folder) {
  return rel == folder || rel.rfind(folder + "/", 0) == 0;
}

// A path the user typed, read from the workspace's start folder (never the process's).
fs::path from_start(const Workspace& ws, const std::string& argument) {
  fs::path p(argument);
  return p.is_absolute() ? p : fs::path(ws.start_dir()) / p;
}

}  // namespace

StackArgument parse_stack_argument(const Workspace& ws, const std::string& argument) {
  const Project& project = ws.project();
  StackArgument out{argument, {}, {}};
  while (out.stack.size() > 1 && out.stack.back() == '/') out.stack.pop_back();
  if (project.find_stack(out.stack)) return out;
  // A folder: relative to the start folder when it exists there, else to the project root.
  fs::path root = fs::path(project.root).lexically_normal();
  std::error_code ec;
  fs::path typed = from_start(ws, argument);
  fs::path path = fs::exists(typed, ec) ? typed : root / argument;
  std::string rel = path.lexically_normal().lexically_relative(root).generic_string();
  while (rel.size() > 1 && rel.back() == '/') rel.pop_back();
  const std::string config_dir = config_folder(project);
  if (!inside_folder(rel, config_dir)) return out;
  out.config_folder = rel;
  std::string below = rel == config_dir ? "" : rel.substr(config_dir.size() + 1);
  // …/composition=terraform/terraform=NAME, or …/composition=NAME (newer Kompos layouts, a
  // component only when its stack has it): the leaf of component NAME.
  if (auto leaf = yaml::split_leaf_folder(below)) {
    const Stack* s = project.find_stack(leaf->stack_folder.empty() ? "default" : leaf->stack_folder);
    if (!leaf->typed || (s && s->find(leaf->component))) {
      out.component = leaf->component;
      below = leaf->stack_folder;
    }
  }
  out.stack = below.empty() ? "default" : below;
  return out;
}

Error unknown_stack(const Workspace& ws, const std::string& argument) {
  const Project& project = ws.project();
  const std::string name = parse_stack_argument(ws, argument).stack;
  std::error_code ec;
  fs::path typed = from_start(ws, argument);
  fs::path folder = fs::exists(typed, ec) ? typed : fs::path(project.root) / argument;
  if (!argument.empty() && fs::is_directory(folder, ec)) {
    fs::path rel = folder.lexically_normal().lexically_relative(fs::path(project.root).lexically_normal());
    std::string top = rel.empty() ? "" : rel.begin()->string();
    const std::string config_dir = config_folder(project);
    if (!top.empty() && top != ".." && top != "." && !inside_folder(rel.generic_string(), config_dir)) {
      // The tree's root: the folders before the first key=value one (data/cloud=aws → data).
      fs::path tree;
      for (const auto& part : rel) {
        if (part.string().find('=') != std::string::npos) break;
        tree /= part;
      }
      if (tree.empty()) tree = top;
      return Error("folder " + rel.generic_string() + " is not under the config folder (" + config_dir +
                       "), so it holds no stack",
                   {},
                   "strata reads hierarchical YAML from config_dir only; if this is your configuration tree, "
                   "set `config_dir: " + tree.generic_string() + "` in strata.yaml");
    }
  }
  std::vector<std::string> names;
  for (const auto& [n, _] : project.stacks) names.push_back(n);
  std::string near = closest_match(name, names);
  return Error(ErrorKind::kNotFound, "no stack named \"" + name + "\"", {},
               near.empty() ? "`strata list` shows the stacks" : "did you mean \"" + near + "\"?");
}

std::vector<const Stack*> named_stacks(const Workspace& ws, const std::vector<std::string>& words) {
  std::vector<const Stack*> out;
  if (words.empty()) {
    for (const auto& [_, s] : ws.project().stacks) out.push_back(&s);
    return out;
  }
  for (const auto& word : words) {
    const Stack* s = ws.project().find_stack(parse_stack_argument(ws, word).stack);
    if (!s) throw unknown_stack(ws, word);
    out.push_back(s);
  }
  return out;
}

ComponentArgument parse_component_arguments(const Workspace& ws, const std::string& first,
                                            const std::string& second, const std::string& usage) {
  const Project& project = ws.project();
  const StackArgument target = parse_stack_argument(ws, first);
  const Stack* stack = project.find_stack(target.stack);
  const std::string leaf_example =
      project.settings.config_dir + "/…/composition=terraform/terraform=NAME";
  if (!stack && !target.config_folder.empty()) {
    const std::string& folder = target.config_folder;
    if (!fs::is_directory(fs::path(project.root) / folder))
      throw Error("folder " + folder + " does not exist", {},
                  "`strata list` shows the stacks and their folders");
    if (!target.component.empty())
      throw Error("leaf folder " + folder + " names component " + target.component +
                      " of stack " + target.stack + ", which strata did not load",
                  {},
                  "a leaf whose composition.enabled is false is skipped; `strata validate` "
                  "reports leaves that failed to load");
    // Stacks whose folder lies below this one, to suggest.
    std::vector<std::string> below;
    for (const auto& [name, s] : project.stacks)
      if (s.kind == "yaml" && s.source_file.rfind(folder + "/", 0) == 0) below.push_back(name);
    std::string hint = "give a stack's folder and a component (" + usage +
                       " STACK_FOLDER COMPONENT …) or a component's leaf folder (" +
                       leaf_example + ")";
    if (!below.empty()) {
      hint += "; stacks below it: ";
      for (size_t i = 0; i < below.size() && i < 3; ++i) hint += (i ? ", " : "") + below[i];
      if (below.size() > 3) hint += ", …";
    }
    throw Error("folder " + folder + " is neither a stack's folder nor a component's leaf folder",
                {}, hint);
  }
  if (!stack) throw unknown_stack(ws, first);
  ComponentArgument out;
  out.ref.stack = stack->name;
  if (!target.component.empty()) {
    out.ref.component = target.component;
    out.second_used = false;
  } else if (!second.empty()) {
    out.ref.component = second;
  } else {
    throw Error("no component named: stack \"" + stack->name + "\" has " +
                    std::to_string(stack->components.size()) + " component" +
                    (stack->components.size() == 1 ? "" : "s"),
                {},
                "name one (" + usage + " " + first + " COMPONENT …)" +
                    (stack->kind == "yaml" ? ", or give its leaf folder (" + leaf_example + ")"
                                           : std::string()) +
                    "; `strata list " + stack->name + "` shows them");
  }
  if (!stack->find(out.ref.component)) throw unknown_component(*stack, out.ref.component);
  return out;
}

Error unknown_component(const Stack& stack, const std::string& name) {
  std::vector<std::string> names;
  for (const auto& c : stack.components) names.push_back(c.name);
  std::string near = closest_match(name, names);
  return Error(ErrorKind::kNotFound, "stack \"" + stack.name + "\" has no component \"" + name + "\"",
               stack.origin,
               near.empty() ? "`strata list " + stack.name + "` shows its components"
                            : "did you mean \"" + near + "\"?");
}

std::vector<ComponentRef> named_components(const Workspace& ws, const std::vector<std::string>& words) {
  if (words.empty()) return {};
  const StackArgument target = parse_stack_argument(ws, words.front());
  const Stack* stack = ws.project().find_stack(target.stack);
  if (!stack) throw unknown_stack(ws, words.front());
  std::vector<std::string> names(words.begin() + 1, words.end());
  if (!target.component.empty()) names.insert(names.begin(), target.component);
  std::vector<ComponentRef> refs;
  if (names.empty())
    for (const auto& c : stack->components) refs.push_back(c.ref());
  for (const auto& name : names) {
    const Component* c = stack->find(name);
    if (!c) throw unknown_component(*stack, name);
    refs.push_back(c->ref());
  }
  return refs;
}

SelectionSpec stacks_with_dependencies(const Workspace& ws, const std::vector<std::string>& words) {
  SelectionSpec spec;
  if (words.empty()) {
    spec.all = true;
    return spec;
  }
  for (const auto& word : words) spec.stacks.push_back(parse_stack_argument(ws, word).stack);
  spec.dependencies = DependencyMode::kInclude;
  return spec;
}

SelectionSpec selection_spec(const Workspace& ws, const TargetFlags& flags) {
  const Project& project = ws.project();
  SelectionSpec spec;
  spec.dependencies = flags.include_deps ? DependencyMode::kInclude : DependencyMode::kExclude;
  if (flags.changed) {
    for (const auto& c : changed_components(project, project.root, flags.base)) spec.components.push_back(c.ref);
    spec.dependents = true;
    return spec;
  }
  if (flags.all) {
    if (!flags.words.empty()) throw Error("--all selects every component; do not name a stack as well");
    spec.all = true;
    return spec;
  }
  if (flags.words.empty()) {
    throw Error("no components selected", {}, "name a stack (strata plan STACK [COMPONENT...]) or pass --all");
  }
  StackArgument target = parse_stack_argument(ws, flags.words[0]);
  const std::string& stack = target.stack;
  if (!target.component.empty()) spec.components.push_back({stack, target.component, {}});
  if (flags.words.size() == 1) {
    if (target.component.empty()) spec.stacks.push_back(stack);
  } else {
    for (size_t i = 1; i < flags.words.size(); ++i) spec.components.push_back({stack, flags.words[i], {}});
  }
  return spec;
}

std::vector<std::string> target_names(const Workspace& ws, const std::string* stack) {
  std::vector<std::string> out;
  for (const auto& [name, s] : ws.project().stacks) {
    if (!stack) {
      out.push_back(name);
    } else if (name == *stack) {
      for (const auto& c : s.components) out.push_back(c.name);
    }
  }
  return out;
}

bool names_one_component(const Workspace& ws, const TargetFlags& t) {
  bool one = !t.all && !t.changed && !t.include_deps && !t.words.empty() && t.words.size() <= 2;
  if (one && t.words.size() == 1) {
    StackArgument target = parse_stack_argument(ws, t.words.front());
    one = !(target.component.empty() && ws.project().find_stack(target.stack));
  }
  return one;
}

void focus_on_targets(Workspace& ws, const TargetFlags& flags) {
  if (flags.all || flags.changed || flags.words.empty()) return;
  std::string first;
  try {
    first = parse_stack_argument(ws, flags.words.front()).stack;
  } catch (const Error&) {
    return;  // the selection reports it, with every loading problem
  }
  if (!ws.project().find_stack(first)) return;
  ws.focus(stacks_needed_by(ws.project(), first));
}

std::set<std::string> stacks_needed_by(const Project& project, const std::string& stack_name) {
  std::set<std::string> keep{stack_name};
  std::vector<std::string> todo{stack_name};
  while (!todo.empty()) {
    const Stack* stack = project.find_stack(todo.back());
    todo.pop_back();
    if (!stack) continue;  // a reference to a stack that is not there: the graph says so
    for (const auto& c : stack->components)
      for (const auto& ref : component_references(*stack, c))
        if (keep.insert(ref.stack).second) todo.push_back(ref.stack);
  }
  return keep;
}

}  // namespace strata::workspace

#include "workspace/describe.h"

#include <filesystem>

#include "base/suggest.h"
#include "config/yaml/layers.h"
#include "config/yaml/yaml_stack_loader.h"
#include "model/error.h"
#include "workspace/targets.h"

namespace strata::workspace {

namespace fs = std::filesystem;

StackDescription describe_stack(const Workspace& ws, const Stack& stack, const std::string& component) {
  StackDescription out;
  out.stack = &stack;
  std::vector<const Component*> components;
  if (component.empty()) {
    for (const auto& c : stack.components) components.push_back(&c);
  } else if (const Component* c = stack.find(component)) {
    components.push_back(c);
  } else {
    throw unknown_component(stack, component);
  }
  for (const Component* c : components)
    out.components.push_back(preview_component(ws.project(), *c, ws.environment(), ws.secrets()));
  return out;
}

FolderDescription describe_config_folder(const Workspace& ws, const std::string& folder,
                                         const std::vector<std::string>& exclude,
                                         const std::vector<std::string>& filter) {
  const Project& project = ws.project();
  yaml::YamlLoadOptions options;
  options.environment = &ws.environment();  // no secrets: describe never decrypts
  options.exclude = exclude;
  options.filter = filter;
  Diagnostics diagnostics;
  FolderDescription out;
  out.folder = folder;
  out.tree = yaml::resolve_folder(project.root, project.settings.config_dir, folder, options, diagnostics);
  diagnostics.throw_if_errors();
  if (out.tree.is_map()) out.tree.as_map().erase("komposconfig");
  fs::path root = fs::path(project.root).lexically_normal();
  for (const auto& dir :
       yaml::layer_dirs((root / project.settings.config_dir).string(), (root / folder).string()))
    for (const auto& file : yaml::layer_files(dir))
      out.layers.push_back(fs::path(file).lexically_relative(root).generic_string());
  return out;
}

namespace {

void collect_leaves(const Value& v, const std::string& path, std::vector<Leaf>& out) {
  if (v.is_map() && !v.as_map().empty()) {
    for (const auto& [k, child] : v.as_map()) collect_leaves(child, path.empty() ? k : path + "." + k, out);
  } else if (v.is_list() && !v.as_list().empty()) {
    for (size_t i = 0; i < v.as_list().size(); ++i)
      collect_leaves(v.as_list()[i], path + "[" + std::to_string(i) + "]", out);
  } else {
    out.push_back({path, v, v.origin()});
  }
}

}  // namespace

std::vector<Leaf> leaves(const Value& tree) {
  std::vector<Leaf> out;
  collect_leaves(tree, "", out);
  return out;
}

Description describe(const Workspace& ws, const DescribeRequest& request) {
  const Project& project = ws.project();
  const StackArgument target = parse_stack_argument(ws, request.target);
  Description out;
  out.component = request.component.empty() ? target.component : request.component;
  const Stack* stack = project.find_stack(target.stack);
  if (!stack && !target.config_folder.empty() && fs::is_directory(fs::path(project.root) / target.config_folder)) {
    out.folder = describe_config_folder(ws, target.config_folder, request.exclude, request.filter);
    return out;
  }
  if (!request.exclude.empty() || !request.filter.empty())
    throw Error("--exclude and --filter apply to a configuration folder that holds no stack", {},
                "name such a folder (e.g. " + project.settings.config_dir + "/cloud=aws), or leave them out");
  if (!stack) throw unknown_stack(ws, request.target);
  out.stack = describe_stack(ws, *stack, out.component);
  return out;
}

}  // namespace strata::workspace

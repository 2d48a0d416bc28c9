// Describe: what a stack, a component or a Kompos config folder declares, after templates,
// before anything runs — for `strata describe` and the server's stack pages.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/project.h"
#include "model/value.h"
#include "resolve/component_resolver.h"
#include "workspace/workspace.h"

namespace strata::workspace {

// One stack's components, each previewed (resolve/preview_component). `component` "" = all of
// them; else that one, or an Error with a did-you-mean hint.
struct StackDescription {
  const Stack* stack = nullptr;
  std::vector<ComponentPreview> components;
};
StackDescription describe_stack(const Workspace& ws, const Stack& stack, const std::string& component);

// A Kompos config folder that is not a stack (`config/cloud=aws`): what himl gives for it — the
// merged, interpolated tree less `komposconfig` — and the layer files it came from, general to
// specific. `exclude` drops top-level keys before interpolation, `filter` keeps only the named
// ones after. Never decrypts.
struct FolderDescription {
  std::string folder;               // relative to the project root
  std::vector<std::string> layers;  // relative to the project root
  Value tree;
};
FolderDescription describe_config_folder(const Workspace& ws, const std::string& folder,
                                         const std::vector<std::string>& exclude,
                                         const std::vector<std::string>& filter);

// What `describe TARGET [COMPONENT]` names: a stack (all its components, or one, which a
// Kompos leaf folder names as well), or a Kompos config folder that holds no stack (its merged
// tree). `exclude` and `filter` apply to such a folder only: with a stack they are an Error.
struct DescribeRequest {
  std::string target;     // a stack name or a config folder
  std::string component;  // "" = every component (or the one a leaf folder names)
  std::vector<std::string> exclude, filter;
};
struct Description {
  std::optional<StackDescription> stack;    // one of the two is set
  std::optional<FolderDescription> folder;
  std::string component;                    // the one component asked for, or ""
};
Description describe(const Workspace& ws, const DescribeRequest& request);

// Every leaf under a tree as a path ("a.b[0].c"), its value and where it was written; an empty
// map or list is a leaf.
struct Leaf {
  std::string path;
  Value value;
  Origin origin;
};
std::vector<Leaf> leaves(const Value& tree);

}  // namespace strata::workspace

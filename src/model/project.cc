#include "model/project.h"

namespace strata {

std::optional<std::string> unusable_name(const std::string& name, bool nested) {
  if (name.empty()) return "it is empty";
  if (name.find('\\') != std::string::npos) return "it holds a backslash";
  if (name.find('\0') != std::string::npos) return "it holds a NUL character";
  if (!nested && name.find('/') != std::string::npos) return "it holds a '/'";
  size_t start = 0;
  while (start <= name.size()) {
    size_t slash = name.find('/', start);
    if (slash == std::string::npos) slash = name.size();
    std::string part = name.substr(start, slash - start);
    if (part.empty()) return "it has an empty part (\"//\", or '/' at its start or end)";
    if (part == "." || part == "..") return "it has a \"" + part + "\" part, which would leave its folder";
    if (part[0] == '.') return "a part starts with '.' (\"" + part + "\"), which strata keeps for its own folders";
    start = slash + 1;
  }
  return std::nullopt;
}

const Component* Stack::find(const std::string& component) const {
  for (const auto& c : components)
    if (c.name == component) return &c;
  return nullptr;
}

Component* Stack::find(const std::string& component) {
  for (auto& c : components)
    if (c.name == component) return &c;
  return nullptr;
}

const Stack* Project::find_stack(const std::string& name) const {
  auto it = stacks.find(name);
  return it == stacks.end() ? nullptr : &it->second;
}

Stack* Project::find_stack(const std::string& name) {
  auto it = stacks.find(name);
  return it == stacks.end() ? nullptr : &it->second;
}

const Component* Project::find(const ComponentRef& ref) const {
  const Stack* s = find_stack(ref.stack);
  return s ? s->find(ref.component) : nullptr;
}

}  // namespace strata

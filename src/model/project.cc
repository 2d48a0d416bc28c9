#include "model/project.h"

namespace strata {

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

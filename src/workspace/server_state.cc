#include "workspace/server_state.h"

#include "base/percent_escape.h"

namespace strata::workspace {

std::string state_key(const std::string& repository, const std::string& stack, const std::string& component) {
  return percent_escape(repository) + "/" + percent_escape(stack) + "/" + percent_escape(component);
}

std::set<std::string> use_server_state(Project& project, const std::string& server_url, const std::string& repository,
                                       const std::string& username) {
  std::set<std::string> moved;
  for (auto& [stack_name, stack] : project.stacks) {
    for (Component& component : stack.components) {
      const Backend& own = component.backend ? *component.backend : stack.backend;
      if (!own.type.empty() && own.type != "local") continue;
      std::string address = server_url + "/tfstate/" + state_key(repository, stack.name, component.name);
      Backend http;
      http.type = "http";
      http.origin = own.origin;
      http.config = Value::map();
      http.config.set("address", address);
      http.config.set("lock_address", address);
      http.config.set("unlock_address", address);
      http.config.set("lock_method", "LOCK");
      http.config.set("unlock_method", "UNLOCK");
      http.config.set("username", username);
      component.backend = std::move(http);
      moved.insert(stack.name + "/" + component.name);
    }
  }
  return moved;
}

}  // namespace strata::workspace

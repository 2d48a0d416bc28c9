// Test fixture: builds a Project from a few chained calls so each graph test reads as a story.
#pragma once

#include <string>

#include "model/project.h"

namespace strata::testing {

class ProjectBuilder {
 public:
  // Adds component `name` to `stack` (declared in stacks/<stack>.js at the next line).
  ProjectBuilder& component(const std::string& stack, const std::string& name,
                            const std::string& source = "") {
    Stack& s = project_.stacks[stack];
    s.name = stack;
    s.source_file = "stacks/" + stack + ".js";
    Component c;
    c.name = name;
    c.stack = stack;
    c.source = source.empty() ? "modules/" + name : source;
    c.origin = Origin(s.source_file, static_cast<int>(s.components.size()) + 1, 1);
    s.components.push_back(std::move(c));
    last_ = &s.components.back();
    return *this;
  }
  // "stack/component" depends_on of the last component, written at its line, column 20.
  ProjectBuilder& depends_on(const std::string& target) {
    auto slash = target.find('/');
    last_->depends_on.push_back({target.substr(0, slash), target.substr(slash + 1),
                                 last_->origin.at(last_->origin.line, 20)});
    return *this;
  }
  ProjectBuilder& input(const std::string& key, const std::string& text) {
    Value v(text);
    v.set_origin(last_->origin.at(last_->origin.line, 30));
    last_->inputs.set(key, std::move(v));
    return *this;
  }
  ProjectBuilder& provider(const std::string& name, const std::string& key,
                           const std::string& text) {
    Value cfg = Value::map();
    cfg.set(key, Value(text));
    last_->providers.set(name, std::move(cfg));
    return *this;
  }
  Project build() const { return project_; }

 private:
  Project project_;
  Component* last_ = nullptr;
};

}  // namespace strata::testing

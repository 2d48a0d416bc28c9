// FakeTemplateHost: a TemplateHost for tests, with canned component outputs, secrets and
// environment, and a record of what was asked.
#pragma once

#include <map>
#include <utility>
#include <vector>

#include "model/error.h"
#include "template/template_host.h"

namespace strata::tpl {

class FakeTemplateHost : public TemplateHost {
 public:
  std::map<std::pair<std::string, std::string>, Value> outputs;
  std::map<std::string, Value> secrets;
  std::map<std::string, std::string> environment;
  std::vector<std::string> asked;

  Value state(const std::string& stack, const std::string& component, const Origin& where) override {
    asked.push_back("state " + stack + "/" + component);
    auto it = outputs.find({stack, component});
    if (it == outputs.end())
      throw Error("no outputs for component " + component + " in stack " + stack, where,
                  "run `strata apply " + stack + " " + component + "` first");
    return it->second;
  }
  Value secret(const std::string& ref, const Origin& where) override {
    asked.push_back("secret " + ref);
    auto it = secrets.find(ref);
    if (it == secrets.end()) throw Error("secret " + ref + " not found", where);
    Value v = it->second;
    v.set_sensitive();
    return v;
  }
  std::optional<std::string> env(const std::string& name) override {
    auto it = environment.find(name);
    if (it == environment.end()) return std::nullopt;
    return it->second;
  }
};

}  // namespace strata::tpl

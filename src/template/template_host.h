// TemplateHost: what a template may ask of the outside world. The executor implements state()
// from component outputs, the secrets code implements secret(); tests use a fake.
#pragma once

#include <optional>
#include <string>

#include "model/origin.h"
#include "model/value.h"

namespace strata::tpl {

class TemplateHost {
 public:
  virtual ~TemplateHost();
  // The outputs map of component `component` in stack `stack`. Throws strata::Error when they
  // are not available; mark sensitive outputs with Value::set_sensitive.
  virtual Value state(const std::string& stack, const std::string& component, const Origin& where) = 0;
  // The value behind a secret reference such as "sops://secrets.yaml#/db/password".
  virtual Value secret(const std::string& ref, const Origin& where) = 0;
  // An environment variable; nullopt when unset.
  virtual std::optional<std::string> env(const std::string& name) = 0;
};

}  // namespace strata::tpl

// ComponentResolver: turns a component of the model into ComponentFiles for generation by
// rendering every template in its inputs, backend and providers (Go text/template + Sprig, with
// strata's state/secret/env functions). Template data, as in Comet: `.stacks_dir`, `.stack`,
// `.component`, then every top-level stack option (which never overrides those three).
// state() references inside provider configuration are not looked up: they become
// terraform_remote_state data sources so Terraform resolves them at plan time.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "secrets/secret_resolver.h"
#include "generate/component_files.h"
#include "model/project.h"
#include "resolve/state_source.h"
#include "template/template.h"

namespace strata {

class ComponentResolver {
 public:
  // `secrets` may be null: a secret reference is then an error that says so. `cache`, when
  // given, is shared with other resolvers (parsing the same templates once per run, not once per
  // component); else the resolver keeps its own.
  ComponentResolver(const Project& project, StateSource& state, SecretResolver* secrets,
                    std::map<std::string, std::string> env = {}, tpl::TemplateCache* cache = nullptr);

  // Safe to call from several threads at once (the executor's workers share one resolver) as
  // long as the StateSource and SecretResolver are.
  ComponentFiles resolve(const Component& component);

  // The template data of a component (also used by `describe`).
  Value template_data(const Stack& stack, const Component& component) const;
  // The component's backend (its own, else its stack's) with templates rendered.
  Backend resolved_backend(const Stack& stack, const Component& component);
  // Decrypts every secret the component's inputs, providers, backend and stack environment
  // refer to, without rendering anything else (no state is read): what shows a saved plan uses
  // it so that the secret resolver's redactor knows the values to mask. Throws when one cannot
  // be decrypted.
  void decrypt_secrets(const Component& component);

 private:
  class Host;
  Backend resolved_backend(const Stack& stack, const Component& component, tpl::Renderer& renderer);
  Value render_providers(const Component& component, tpl::Renderer& renderer, ComponentFiles& files);

  const Project& project_;
  StateSource& state_;
  SecretResolver* secrets_;
  std::map<std::string, std::string> env_;
  tpl::TemplateCache own_cache_;
  tpl::TemplateCache* cache_;
};

// What `describe` shows of a component before anything runs: its inputs, providers and backend
// with every template rendered that can be — state() answered from mock_outputs only, no secret
// decrypted (but checked with `secrets->check` when given), env() from `env` — and those that
// cannot, kept as written and listed with why.
struct ComponentPreview {
  const Component* component = nullptr;
  Value inputs, providers;
  std::optional<Backend> backend;  // the component's, else its stack's; none when neither has one
  std::vector<std::string> unresolved;  // "inputs.db.url: why"
  // Templates that fail before anything runs (an unknown key or function, a syntax error, a
  // mock output that is not there): plan would fail on each. Message "inputs.a: what", the
  // origin where the template is, the hint.
  std::vector<Error> errors;
  // Values that look like a secret reference but are passed as text ("inputs.pw: ...").
  std::vector<std::string> warnings;
  // Where state() values came from, per value: "inputs.url: dev/db's mock outputs (not applied
  // yet)" and "inputs.vpc_id: shared/network's state (.strata/shared/network/terraform.tfstate)".
  std::vector<std::string> mocked, from_state;
};
ComponentPreview preview_component(const Project& project, const Component& component,
                                   const std::map<std::string, std::string>& env, SecretResolver* secrets = nullptr);

// Comet's template data of a component: `.stacks_dir`, `.stack`, `.component`, then every
// top-level stack option (which never overrides those three).
Value component_template_data(const Project& project, const Stack& stack, const Component& component);

// The references of the secret actions ({{ secret `REF` }} or {{ secret "REF" }}) in the
// strings of `v`, in order of appearance.
void collect_secret_references(const Value& v, std::vector<std::string>& out);
void collect_secret_references(const std::string& text, std::vector<std::string>& out);

// One warning ("inputs.pw: ...") per string of `v` that looks like a secret reference
// (`sops://…`, `op://…`) but is plain text strata passes to the engine as it is.
void find_secret_lookalikes(const Value& v, const std::string& path, std::vector<std::string>& out);

// "shared/network" -> "shared_network": a valid Terraform name for generated data sources.
std::string remote_state_name(const ComponentRef& ref);

}  // namespace strata

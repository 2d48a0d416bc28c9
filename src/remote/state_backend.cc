#include "remote/state_backend.h"

#include <nlohmann/json.hpp>

#include "base/atomic_file.h"
#include "control/lock_text.h"
#include "remote/api_client.h"
#include "workspace/server_state.h"

namespace strata::remote {

workspace::ServerAccess server_access_for(const std::string& url, const Environment& env) {
  workspace::ServerAccess access;
  if (std::optional<Credentials> c = credentials_for(url, env)) {
    access.token = c->token;
    if (!c->ca_cert.empty()) try_read_file(c->ca_cert, access.ca_pem);
  }
  return access;
}

std::function<std::optional<std::string>(const ComponentRef&)> state_lock_holder(const workspace::Workspace& ws) {
  const std::optional<StateBackendSetting>& backend = ws.project().settings.state_backend;
  auto token = ws.environment().find("TF_HTTP_PASSWORD");
  if (!backend || token == ws.environment().end()) return {};
  Credentials c{backend->url, token->second, ""};
  if (std::optional<Credentials> stored = credentials_for(backend->url, ws.environment())) c.ca_cert = stored->ca_cert;
  return [c, repository = backend->repository,
          kept = ws.server_state_components()](const ComponentRef& ref) -> std::optional<std::string> {
    if (!kept.count(ref.str())) return std::nullopt;  // a backend of its own: not the server's lock
    nlohmann::json state = ApiClient(c).state(workspace::state_key(repository, ref.stack, ref.component));
    const nlohmann::json& lock = state.contains("lock") ? state["lock"] : nlohmann::json();
    if (!lock.is_object()) return std::nullopt;
    auto field = [&lock](const char* name) { return lock.value(name, std::string()); };
    return control::lock_sentence(field("who"), field("operation"), field("created"), field("id"));
  };
}

}  // namespace strata::remote

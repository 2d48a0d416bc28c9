// A project whose strata.yaml names a state_backend keeps its Terraform state in a strata server
// (workspace/server_state.h). What a client of that server needs besides the engine's own use:
// the credentials for it, and who holds a component's state lock there. The CLI passes these to
// the workspace and the executor; any other front end running such a project calls the same.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "model/project.h"
#include "remote/api_client.h"
#include "workspace/workspace.h"

namespace strata::remote {

// The token and certificate for the server at `url`: what `strata remote login` stored for it,
// STRATA_TOKEN and STRATA_CA_CERT in `env` winning (workspace::WorkspaceOptions::server_access).
// A certificate file that cannot be read gives none: the engine then says what it cannot reach.
workspace::ServerAccess server_access_for(const std::string& url, const Environment& env);

// Who holds the state lock of a component whose state the workspace's server keeps, asked of
// that server with the token the workspace's engines use (ExecuteRequest::lock_holder): a
// sentence (control/lock_text.h), nullopt when unlocked or when the component has a backend of
// its own. Unset without a state_backend or a token.
std::function<std::optional<std::string>(const ComponentRef&)> state_lock_holder(const workspace::Workspace& ws);

}  // namespace strata::remote

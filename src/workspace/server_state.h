// Terraform state kept by a strata server (DESIGN §11.7): the keys it keeps states under, and
// pointing a project's components at it. The server's workers do this for every run, and a
// project whose strata.yaml says `state_backend: {type: server, …}` does it for the CLI's own
// runs, so a team shares state without a worker.
#pragma once

#include <set>
#include <string>

#include "model/project.h"

namespace strata::workspace {

// Terraform state keys: "<repository>/<stack>/<component>", each part %-escaped (a Kompos stack
// name holds '/' and '=').
std::string state_key(const std::string& repository, const std::string& stack, const std::string& component);

// Points every component of `project` that has no remote backend of its own (none, or
// "local") at the server's Terraform state for `repository`: backend "http" with LOCK/UNLOCK.
// `username` tells the server what the password is: "activity" for an activity's credential (a
// worker), anything else for an API token. The password is never written here: it reaches the
// engine as TF_HTTP_PASSWORD. Returns those components ("stack/component"): the server holds
// their state, and their outputs.
std::set<std::string> use_server_state(Project& project, const std::string& server_url, const std::string& repository,
                                       const std::string& username = "activity");

}  // namespace strata::workspace

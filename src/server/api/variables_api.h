// Variable sets (#22): environment variables a repository's activities run with — cloud
// credentials for modules, SOPS_AGE_KEY for stack files that call secrets() — per repository or
// per stack, under /api/v1/repositories/{repository}/variables. Values are sealed at rest; a
// sensitive value is never answered back (only its name) and is redacted from activity logs.
// Setting or removing one needs a maintainer's token (control/authorization.h) and is audited
// (without the value).
#pragma once

#include "control/control_plane.h"
#include "server/router.h"

namespace strata::server {

void add_variable_routes(Router& router, control::ControlPlane& control);

}  // namespace strata::server

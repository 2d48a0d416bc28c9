// API tokens (#25): /api/v1/tokens — made for automation with a role and optionally limited to
// some repositories, shown once, stored as a hash, listed and revoked; every change audited.
// Any token makes tokens of its own role or less within its own repositories
// (control::grant_refusal), and sees and revokes those it made and itself; an admin's sees and
// revokes every one.
#pragma once

#include "control/control_plane.h"
#include "server/router.h"

namespace strata::server {

void add_token_routes(Router& router, control::ControlPlane& control);

}  // namespace strata::server

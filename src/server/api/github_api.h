// GitHub's side of the server (DESIGN §11.4, #23): POST /webhooks/github (checked by its
// signature, not a token: control/webhook_inbox.h), and the records it keeps readable — the
// stack states of the stack-code registry (GET /api/v1/stack-states, loose ones among them),
// re-associating a loose one (POST /api/v1/stack-states/{id}/associate), the events
// (GET /api/v1/events) and the deliveries received (GET /api/v1/webhook-deliveries).
#pragma once

#include "control/control_plane.h"
#include "server/router.h"

namespace strata::server {

void add_github_routes(Router& router, control::ControlPlane& control);

}  // namespace strata::server

// The worker protocol's routes (DESIGN §11.3), under /api/v1/worker/: `strata worker` registers
// (refused when its release differs from the server's), long-polls for a lease — the request
// waits in the LeaseBroker holding no thread — fetches its run's code as an archive, and
// reports start, heartbeats (which bring cancel back), log chunks, the result or a hand-back,
// each checked against the activity's fencing token: a call with a token that no longer holds
// the lease gets 409 lease_lost and changes nothing. In this version any admin API token is a
// join token; dedicated worker credentials come with the identity issue.
#pragma once

#include <string>

#include "control/control_plane.h"
#include "server/router.h"

namespace strata::server {

void add_worker_routes(Router& router, control::ControlPlane& control, std::string server_version);

}  // namespace strata::server

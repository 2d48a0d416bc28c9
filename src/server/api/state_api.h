// Terraform state kept by the server (DESIGN §11.9, #22): Terraform's http backend at
// /tfstate/<key> exactly as Terraform speaks it, and the states API under /api/v1/states for
// people and `strata remote state` — what a state holds and who locks it, every version, a
// version read back or restored, a lock broken — plus the audit log those acts write
// (/api/v1/audit). Keys in /api/v1 paths are one segment: "infra/dev/vpc" is written
// "infra%2Fdev%2Fvpc" (and a '%' inside a key "%25").
//
// Who may do what, until the identity issue brings roles: the backend takes basic auth with an
// API token or an activity's credential as the password (an activity reads its repository's
// states and writes only its own component's); deleting a state, a force-unlock, a forced write
// and a restore need an admin token, and all but the delete are audited — a force-unlock refused
// too.
#pragma once

#include <string>

#include "control/control_plane.h"
#include "server/http_server.h"
#include "server/router.h"

namespace strata::server {

class StateApi {
 public:
  explicit StateApi(control::ControlPlane& control) : control_(control) {}
  // /api/v1/states… and /api/v1/audit.
  void add_routes(Router& router);
  // One request to /tfstate/<key> (`key` as it is in the path).
  Response tfstate(const Request& request, const std::string& key);

 private:
  control::ControlPlane& control_;
};

}  // namespace strata::server

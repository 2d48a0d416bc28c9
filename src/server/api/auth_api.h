// Sign-in with GitHub, or any OAuth2 provider whose URLs the configuration gives (#25, DESIGN
// §11.6): the authorization-code flow with `state` against CSRF and PKCE (S256).
//
//   GET  /auth/login     sets a signed, HttpOnly login cookie (state, verifier; ten minutes) and
//                        sends the browser to the provider
//   GET  /auth/callback  checks the state against the cookie, trades the code (with the client
//                        secret and the PKCE verifier) for the provider's token, reads the user,
//                        their organisations and teams, maps them to a role (oauth.roles), and
//                        starts a session: an HttpOnly SameSite=Lax cookie holding a short-lived
//                        JWT, and a CSRF cookie whose value pages repeat in X-Strata-CSRF
//   POST /auth/refresh   a fresh JWT while the session lasts (its JWT may have expired)
//   POST /auth/logout    ends the session (revoked at once; on other replicas within a second)
//
// Cookies are Secure when the server's external URL is https (it must be, except on loopback).
// Sign-ins, refusals and sign-outs are audited; no token, code or secret is logged.
#pragma once

#include "control/control_plane.h"
#include "server/router.h"

namespace strata::server {

void add_auth_routes(Router& router, control::ControlPlane& control);

}  // namespace strata::server

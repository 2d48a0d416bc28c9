// `strata remote login URL` without --token: sign in with the browser, as native apps do it
// (RFC 8252). The CLI listens on a free loopback port, opens the server's /auth/login with that
// port, a random state and the S256 challenge of a verifier only it holds; after the provider's
// sign-in the server sends the browser back to the port with a short-lived signed grant, and the
// CLI trades the grant and the verifier (POST /auth/cli-token) for an API token of the user's
// role. Neither the token nor the verifier ever passes through the browser.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "remote/api_client.h"

namespace strata::remote {

struct BrowserLogin {
  std::string server;   // the server's URL, no trailing slash
  std::string ca_cert;  // a PEM bundle trusted for its HTTPS instead of the system's
  std::string account;  // sign in to this account (/auth/login?account=); "" = the server's choice
  // Shows the sign-in URL to the user (opens a browser, prints it).
  std::function<void(const std::string& url)> open;
  std::chrono::seconds wait{300};  // how long the browser may take
};

// The server's credentials with the API token it handed; an Error saying what happened when
// the sign-in did not come back in time, came back for another login, or was refused.
Credentials browser_login(const BrowserLogin& login);

// `strata remote login`: `token` when given (else the browser's sign-in, as `login` says), for
// `login.server` (trailing '/' dropped) trusting `login.ca_cert` (made absolute), checked against
// the server (an Error with its answer when refused). The credentials to store.
Credentials sign_in(BrowserLogin login, const std::string& token);

}  // namespace strata::remote

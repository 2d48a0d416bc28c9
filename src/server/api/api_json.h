// The JSON of the server's API (/api/v1, described in src/server/api/openapi.json): records as
// the API shows them, and request bodies read strictly — an unknown field, a wrong type or a
// missing required field is an Error saying which, so a typo never silently does something else.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "control/control_plane.h"
#include "store/store.h"

namespace strata::server {

nlohmann::json to_json(const store::Repository& repo);
nlohmann::json to_json(const store::Run& run, const std::string& repository_name);
// The activity without its lease internals (fencing token); outputs and changes parsed.
nlohmann::json to_json(const store::Activity& activity);
nlohmann::json to_json(const store::WorkerRecord& worker, store::Millis now);
// ISO 8601 UTC with milliseconds ("2026-12-06T13:01:30.123Z"); null for 0.
nlohmann::json time_json(store::Millis millis);
// `text`, or null when it is empty (a field that is not set).
nlohmann::json text_or_null(const std::string& text);
// A moment a query names: UTC "2026-12-07T10:00:00Z" (fractions of a second allowed), or an age
// before `now` ("30m", "24h", "7d"); nullopt for anything else.
std::optional<store::Millis> parse_since(const std::string& text, store::Millis now);

// Parses a request body as a JSON object. Throws an Error (user input, which the handlers answer
// as 400) for text that is not JSON, or not an object.
nlohmann::json parse_body(const std::string& body);
// Throws for any key of `object` outside `allowed`, naming it (and the close one).
void check_fields(const nlohmann::json& object, const std::vector<std::string>& allowed, const std::string& what);

struct NewRepository {
  std::string name;
  std::string url;
  std::optional<std::string> account;  // the account that owns it, when the body names one
  std::string github;                  // "owner/name" on GitHub ("" = none)
  std::string webhook_secret;          // the secret its GitHub webhook signs deliveries with
  bool auto_destroy = false;           // destroy a stack whose code is removed, not keep it loose
};
NewRepository parse_new_repository(const std::string& body);
nlohmann::json to_json(const store::Account& account);
// What POST /api/v1/accounts asks for.
struct NewAccount {
  std::string name;
  std::string kind = "local";
  std::string rate_limit;
};
NewAccount parse_new_account(const std::string& body);
control::RunRequest parse_run_request(const std::string& body);

}  // namespace strata::server

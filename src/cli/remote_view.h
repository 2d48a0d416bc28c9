// What the `strata remote …` commands share: the client from the stored credentials, and a
// field of the server's JSON as text.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "remote/api_client.h"

namespace strata::cli {

// The server and token from `strata remote login` (STRATA_SERVER/STRATA_TOKEN win).
remote::ApiClient remote_client();
// j[key] as text: a string as it is, another value as JSON, "-" when absent or null.
std::string field_text(const nlohmann::json& j, const char* key);

}  // namespace strata::cli

// The OpenAPI document of /api/v1 (src/server/api/openapi.json, compiled in), served at
// /api/v1/openapi.json.
#pragma once

#include <string>

namespace strata::server {
const std::string& openapi_json();
}

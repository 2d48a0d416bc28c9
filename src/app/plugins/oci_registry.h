// The registry plugin (oci_registry.cc) with its HTTP client given, so a test can answer in
// place of a registry and its token server; the plugin table's factory gives it libcurl.
#pragma once

#include <memory>

#include "app/http_client.h"
#include "app/plugin_table.h"

namespace strata::app {

std::unique_ptr<Registry> make_oci_registry_with_client(const PluginConfig& config,
                                                        Diagnostics& diags,
                                                        std::unique_ptr<HttpClient> http);

}  // namespace strata::app

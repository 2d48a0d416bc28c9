#include "cli/remote_view.h"

#include "cli/open_workspace.h"

namespace strata::cli {

remote::ApiClient remote_client() { return remote::ApiClient(remote::load_credentials(process_environment())); }

std::string field_text(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? "-" : it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace strata::cli

// String lists as JSON text (json_list.h).
#include "store/json_list.h"

#include <nlohmann/json.hpp>

namespace strata::store {

std::string to_json_list(const std::vector<std::string>& items) {
  return nlohmann::json(items).dump();
}

std::vector<std::string> from_json_list(const std::string& json) {
  auto parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  std::vector<std::string> items;
  if (!parsed.is_array()) return items;
  for (const auto& item : parsed) {
    if (item.is_string()) items.push_back(item.get<std::string>());
  }
  return items;
}

std::pair<int64_t, std::string> serial_and_lineage(const std::string& data) {
  auto state = nlohmann::json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (!state.is_object()) return {0, ""};
  int64_t serial = 0;
  std::string lineage;
  if (state.contains("serial") && state["serial"].is_number_integer()) serial = state["serial"].get<int64_t>();
  if (state.contains("lineage") && state["lineage"].is_string()) lineage = state["lineage"].get<std::string>();
  return {serial, lineage};
}

}  // namespace strata::store

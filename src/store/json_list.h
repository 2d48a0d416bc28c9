// JSON kept in text columns, read the same by both stores: lists of strings (capabilities,
// locked stacks), and what a stored Terraform state says of itself.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace strata::store {

std::string to_json_list(const std::vector<std::string>& items);
// An empty or malformed column reads as an empty list.
std::vector<std::string> from_json_list(const std::string& json);

// A Terraform state's "serial" and "lineage" (0 and "" when it has none).
std::pair<int64_t, std::string> serial_and_lineage(const std::string& state_json);

}  // namespace strata::store

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

// What the state backend checks of a state it is sent: whether it is JSON whose top level is an
// object, and that object's "serial" and "lineage" (0 and "" when absent), read in one pass
// without building the document (a state can be megabytes).
struct StateHeader {
  bool is_object = false;
  int64_t serial = 0;
  std::string lineage;
};
StateHeader read_state_header(const std::string& state_json);

}  // namespace strata::store

// Lists of strings (capabilities, locked stacks) kept as JSON text in one column, the form that
// reads the same on SQLite and PostgreSQL.
#pragma once

#include <string>
#include <vector>

namespace strata::store {

std::string to_json_list(const std::vector<std::string>& items);
// An empty or malformed column reads as an empty list.
std::vector<std::string> from_json_list(const std::string& json);

}  // namespace strata::store

// The schema migrations compiled into the binary: every src/store/migrations/NNN_name.sql,
// turned into C++ at build time by embed_migrations.cmake. Both stores apply the same list.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace strata::store {

// (name, sql) pairs sorted by name ("001_initial", …): the order they are applied in.
const std::vector<std::pair<std::string, std::string>>& embedded_migrations();

}  // namespace strata::store

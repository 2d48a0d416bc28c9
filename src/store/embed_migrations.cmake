# Turns every migrations/NNN_name.sql into one generated C++ file (run as `cmake -P`), so the
# server binary carries its schema and a new migration is a new file, never a code change.
#   cmake -DMIGRATIONS_DIR=<dir> -DOUTPUT=<file.cc> -P embed_migrations.cmake
# Each file becomes a raw string literal; the list is sorted by name, the order they apply in.

file(GLOB sql_files RELATIVE "${MIGRATIONS_DIR}" "${MIGRATIONS_DIR}/*.sql")
list(SORT sql_files)

set(delimiter "strata_sql")
set(entries "")
foreach(file_name IN LISTS sql_files)
  if(NOT file_name MATCHES "^[0-9][0-9][0-9]_[a-z0-9_]+\\.sql$")
    message(FATAL_ERROR "migration '${file_name}' must be named NNN_name.sql (lower case)")
  endif()
  string(REGEX REPLACE "\\.sql$" "" name "${file_name}")
  file(READ "${MIGRATIONS_DIR}/${file_name}" sql)
  string(FIND "${sql}" ")${delimiter}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "migration '${file_name}' contains ')${delimiter}\"', which ends the raw string")
  endif()
  string(APPEND entries "      {\"${name}\", R\"${delimiter}(${sql})${delimiter}\"},\n")
endforeach()

set(content "// Generated from src/store/migrations/*.sql by embed_migrations.cmake; do not edit.
#include \"store/migrations.h\"

namespace strata::store {

const std::vector<std::pair<std::string, std::string>>& embedded_migrations() {
  static const std::vector<std::pair<std::string, std::string>> migrations{
${entries}  };
  return migrations;
}

}  // namespace strata::store
")

# Rewrite only on change, so an unchanged schema does not rebuild the store.
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
  if(old STREQUAL content)
    return()
  endif()
endif()
file(WRITE "${OUTPUT}" "${content}")

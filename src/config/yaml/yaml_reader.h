// Reads one YAML file into a strata::Value. Every node keeps its Origin (file:line:col), YAML
// merge keys (`<<:`) are applied here because yaml-cpp 0.7 does not, and scalars are typed the
// way PyYAML (and so himl/Kompos) types them: null, bool (also yes/no/on/off), int, float, string.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "model/value.h"

namespace strata::yaml {

// Parses `text` as one YAML document; `file` names it in origins and errors. An empty document
// (or one with only comments) is an empty map. Throws strata::Error with file:line:col on a
// syntax error or when the document is not a map.
// `max_values` bounds the values an alias-heavy document may expand to.
constexpr size_t kDefaultMaxValues = 1'000'000;
Value parse_yaml(const std::string& text, const std::string& file,
                 size_t max_values = kDefaultMaxValues);

// Files larger than this are refused unread: yaml-cpp needs 25 to 50 bytes of memory per byte
// of YAML (a 50 MB layer took 1.2 GB). STRATA_YAML_MAX_FILE_MB sets another limit
// (file_size_limit in yaml_stack_loader.h).
constexpr size_t kDefaultMaxFileBytes = size_t{16} << 20;

// Reads and parses a file (see parse_yaml); origins name it `display` (default: `path`).
// Throws strata::Error when it cannot be read or is larger than `max_bytes`.
Value read_yaml_file(const std::string& path, const std::string& display = {},
                     size_t max_bytes = kDefaultMaxFileBytes);

// "16 MiB", "50.3 MiB", "812 KiB", "12 bytes".
std::string size_text(uint64_t bytes);

}  // namespace strata::yaml

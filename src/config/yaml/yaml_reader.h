// Reads one YAML file into a strata::Value. Every node keeps its Origin (file:line:col), YAML
// merge keys (`<<:`) are applied here because yaml-cpp 0.7 does not, and scalars are typed the
// way PyYAML (and so himl/Kompos) types them: null, bool (also yes/no/on/off), int, float, string.
#pragma once

#include <cstddef>
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

// Reads and parses a file (see parse_yaml); origins name it `display` (default: `path`).
// Throws strata::Error when it cannot be read.
Value read_yaml_file(const std::string& path, const std::string& display = {});

}  // namespace strata::yaml

// Renders Kompos `.tf.versioned` files: only lines that contain both "source" and "{{" are
// touched; each {{key.path}} is looked up through maps and list indices (workspaces.0.name) in
// the merged config. A missing key is an error quoting the file, the line and the key.
#pragma once

#include <string>

#include "model/value.h"

namespace strata {

// `file` names the .tf.versioned file for error messages.
std::string render_versioned_source(const std::string& text, const Value& data, const std::string& file);

// Looks up a dotted path through maps and (numeric) list indices; nullptr when absent.
const Value* lookup_dotted(const Value& data, const std::string& path);

}  // namespace strata

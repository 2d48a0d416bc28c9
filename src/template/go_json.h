// JSON as Go's encoding/json writes and reads it for Sprig's toJson/toPrettyJson/fromJson:
// sorted map keys, HTML-safe escaping, float64 numbers in Go's shortest form.
#pragma once

#include <string>

#include "template/val.h"

namespace strata::tpl {

// pretty: two-space indent as json.MarshalIndent(v, "", "  "). escape_html: \u003c for <, etc.
std::string to_go_json(const Val& v, bool pretty, bool escape_html = true);
// Decodes JSON into interface{} values (numbers are float64). Returns false on bad input.
bool from_go_json(const std::string& text, Val& out, std::string* error = nullptr);

}  // namespace strata::tpl

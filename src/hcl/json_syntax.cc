#include "hcl/json_syntax.h"

#include "hcl/parser_state.h"
#include "model/error.h"

namespace strata::hcl {

File parse_json_config(std::string source, const std::string& filename) {
  File file;
  file.filename = std::make_shared<const std::string>(filename);
  file.source = std::move(source);
  Range whole{Pos{1, 1, 0}, Pos{1, 1, 0}};
  Value root;
  try {
    root = parse_json_text(file.source, Origin(filename));
  } catch (const Error& e) {
    whole.start.line = whole.end.line = e.origin().line > 0 ? e.origin().line : 1;
    whole.start.column = whole.end.column = e.origin().column > 0 ? e.origin().column : 1;
    file.diagnostics.error(whole, "Invalid JSON", e.message());
    return file;
  }
  if (!root.is_map()) {
    file.diagnostics.error(whole, "Root value must be object",
                           "The root value in a JSON-based configuration must be an object.");
    return file;
  }
  for (const auto& [name, value] : root.as_map()) {
    Attribute a;
    a.name = name;
    a.range = a.name_range = whole;
    a.expr = make_literal(value, whole);
    file.body.attributes.push_back(std::move(a));
  }
  return file;
}

}  // namespace strata::hcl

// The template parser: tokens to a ParsedTemplate, with Go's parse-time checks (unknown
// functions, undefined variables, misplaced else/end/break/continue, duplicate definitions).
#pragma once

#include <memory>
#include <string>

#include "template/ast.h"

namespace strata::tpl {

// Throws SyntaxError (template/lexer.h) with the byte offset of the problem.
std::unique_ptr<ParsedTemplate> parse_template(const std::string& text);

// Go's strconv.Unquote for "..." and `...` literals and '.' character constants.
bool go_unquote(const std::string& lit, std::string& out);

}  // namespace strata::tpl

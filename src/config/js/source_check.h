// Where a stack file's text is wrong before it runs. JavaScriptCore reads only UTF-8 (anything
// else used to become an empty script and an empty error), names the line of a syntax error but
// not its column, and gives no position at all when its parser runs out of stack on deep
// nesting. These find the exact place, so every such error reads "file:line:col: text".
#pragma once

#include <JavaScriptCore/JavaScript.h>

#include <optional>
#include <string>
#include <string_view>

namespace strata::js {

struct SourceProblem {
  int line = 1;    // 1-based
  int column = 1;  // 1-based, in characters
  std::string message;
};

// The first byte of `source` that does not start or continue a UTF-8 character (overlong forms,
// surrogates and code points past U+10FFFF count as invalid, as JavaScriptCore counts them).
std::optional<SourceProblem> check_utf8(std::string_view source);

// Locates the syntax error JavaScriptCore reported for `source` (run inside `header`, the
// module wrapper on its first line, and its closing line): `message` is its text and
// `reported_line` its line (0 or NaN when it gave none). Re-parses prefixes of the file with
// JSCheckScriptSyntax to find the first one that fails the same way; the end of that prefix is
// where the parser stopped. The message says when the position is the end of the file or could
// not be narrowed down.
SourceProblem locate_syntax_error(JSContextRef ctx, const std::string& source,
                                  const std::string& header, const std::string& message,
                                  double reported_line);

// Line and column (1-based, columns in characters) of byte `offset` in `text`.
void position_of(std::string_view text, size_t offset, int& line, int& column);

}  // namespace strata::js

// Positions in stack files from JavaScriptCore's stack traces ("fn@url:line:col" lines), and the
// wrapper that makes every file a CommonJS module without shifting its line numbers.
#pragma once

#include <string>
#include <vector>

namespace strata::js {

// Every file runs inside this function header, written on the file's first line, so lines keep
// their numbers and only columns on line 1 shift by its length.
inline constexpr char kModuleHeader[] =
    "(function (exports, require, module, __filename, __dirname) {";
inline constexpr char kPreludeUrl[] = "strata:prelude";

struct Frame {
  std::string function;  // "" for anonymous or top-level code
  std::string file;      // the script URL, "[native code]" for native functions
  int line = 0;
  int column = 0;
  bool native() const { return file == "[native code]"; }
  bool user() const {
    return !native() && !file.empty() && file != kPreludeUrl && file != "undefined" && line > 0;
  }
};

// Parses a JSC `error.stack` string. Columns on line 1 of user files are corrected for the
// module header.
std::vector<Frame> parse_stack(const std::string& stack);

// Given a 1-based column pointing at the "(" of a call (what JSC reports for calls), the
// column where the callee expression starts ("component" in "x = component(").
int callee_start_column(const std::string& source_line, int column);

// Line `line` (1-based) of `text`, without its newline; "" when out of range.
std::string line_of(const std::string& text, int line);

}  // namespace strata::js

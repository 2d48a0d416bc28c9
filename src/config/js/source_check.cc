#include "config/js/source_check.h"

#include <cmath>
#include <cstdio>

#include "config/js/js_value.h"

namespace strata::js {
namespace {

// Past this size a file is not parsed again to narrow a syntax error down (each try parses a
// prefix of it).
constexpr size_t kMaxLocateBytes = size_t{4} << 20;

size_t line_count(std::string_view text) {
  size_t n = 1;
  for (char c : text) n += c == '\n';
  return n;
}

// [begin, end) of line `line` (1-based) in `text`, without its newline.
std::pair<size_t, size_t> line_span(std::string_view text, size_t line) {
  size_t begin = 0;
  for (size_t n = 1; n < line && begin != std::string_view::npos; ++n) {
    begin = text.find('\n', begin);
    if (begin != std::string_view::npos) ++begin;
  }
  if (begin == std::string_view::npos) return {text.size(), text.size()};
  size_t end = text.find('\n', begin);
  return {begin, end == std::string_view::npos ? text.size() : end};
}

// A line number as JavaScriptCore gives it: 0 for none.
int line_number(double line) {
  return std::isfinite(line) && line >= 1 && line < 1e9 ? static_cast<int>(line) : 0;
}

struct Parse {
  bool failed = false;
  std::string message;
  int line = 0;
};

Parse check_syntax(JSContextRef ctx, const std::string& script) {
  Parse out;
  JsString text(script);
  JSValueRef exception = nullptr;
  if (JSCheckScriptSyntax(ctx, text.get(), nullptr, 1, &exception)) return out;
  out.failed = true;
  out.message = to_string(ctx, exception);
  if (exception && JSValueIsObject(ctx, exception)) {
    JSObjectRef object = JSValueToObject(ctx, exception, nullptr);
    out.line = line_number(JSValueToNumber(ctx, get_property(ctx, object, "line"), nullptr));
  }
  return out;
}

// The quoted token in a message such as "Unexpected token '='", or "".
std::string quoted_token(const std::string& message) {
  size_t open = message.find('\'');
  if (open == std::string::npos) return "";
  size_t close = message.find('\'', open + 1);
  if (close == std::string::npos || close == open + 1) return "";
  return message.substr(open + 1, close - open - 1);
}

}  // namespace

void position_of(std::string_view text, size_t offset, int& line, int& column) {
  offset = std::min(offset, text.size());
  line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i)
    if (text[i] == '\n') ++line, line_start = i + 1;
  column = 1;
  for (size_t i = line_start; i < offset; ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xc0) != 0x80) ++column;
}

std::optional<SourceProblem> check_utf8(std::string_view source) {
  for (size_t i = 0; i < source.size();) {
    size_t n = utf8_sequence_length(source, i);
    if (n > 0) {
      i += n;
      continue;
    }
    SourceProblem p;
    position_of(source, i, p.line, p.column);
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(source[i]));
    p.message = std::string("the file is not valid UTF-8: byte ") + byte +
                " does not start or continue a character here";
    return p;
  }
  return std::nullopt;
}

SourceProblem locate_syntax_error(JSContextRef ctx, const std::string& source,
                                  const std::string& header, const std::string& message,
                                  double reported_line) {
  SourceProblem out;
  out.message = message.empty() ? "SyntaxError (JavaScriptCore gave no text)" : message;
  int line = line_number(reported_line);
  bool parser_stack = message.starts_with("RangeError");
  if (parser_stack)
    out.message =
        "the file nests too deeply for the JavaScript parser, which ran out of stack "
        "here (" +
        out.message + ")";

  // The file parsed, then the wrapper's own closing failed: the file ends too early.
  if (line > static_cast<int>(line_count(source))) {
    size_t last = source.find_last_not_of(" \t\r\n");
    position_of(source, last == std::string::npos ? 0 : last + 1, out.line, out.column);
    out.message =
        "SyntaxError: the file ends too early: a bracket, string, comment or "
        "expression is left open (JavaScriptCore: " +
        message + ")";
    return out;
  }

  // Prefixes that end before the mistake fail differently (mostly at their end); from the end
  // of the offending token on, they fail as the whole file did.
  auto fails_here = [&](size_t k) {
    Parse p = check_syntax(ctx, header + source.substr(0, k));
    return p.failed && p.message == message && p.line == line;
  };
  auto [lo, hi] = line > 0 ? line_span(source, line) : std::pair<size_t, size_t>{0, source.size()};
  if (source.size() > kMaxLocateBytes || !fails_here(hi)) {
    out.line = line > 0 ? line : 1;
    out.column = 1;
    out.message += line > 0 ? " (JavaScriptCore gave no column)"
                            : " (JavaScriptCore gave no position; line 1 stands for the file)";
    return out;
  }
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (fails_here(mid))
      hi = mid;
    else
      lo = mid + 1;
  }
  // The prefix first fails once it holds the whole offending token: point at its start.
  size_t end = lo;
  size_t start = end > 0 ? end - 1 : 0;
  std::string token = parser_stack ? "" : quoted_token(message);
  if (!token.empty() && token.size() <= end &&
      source.compare(end - token.size(), token.size(), token) == 0)
    start = end - token.size();
  while (start > 0 && (static_cast<unsigned char>(source[start]) & 0xc0) == 0x80) --start;
  position_of(source, start, out.line, out.column);
  return out;
}

}  // namespace strata::js

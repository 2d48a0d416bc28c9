// Error: the one user-facing error type. It carries an Origin and an optional hint and renders
// as "file:line:col: message" followed by "  hint: ...". Errors travel as exceptions up to the
// CLI boundary; parsers that can go on collect Diagnostics instead of stopping at the first.
// Its ErrorKind (model/error_kind.h) says whose move it is: the CLI's exit code and a server's
// HTTP status come from it. Most errors are the user's input, the default.
#pragma once

#include <stdexcept>
#include <string>
#include <unordered_set>
#include <vector>

#include "model/error_kind.h"
#include "model/origin.h"

namespace strata {

class Error : public std::runtime_error {
 public:
  explicit Error(std::string message, Origin origin = {}, std::string hint = {});
  Error(ErrorKind kind, std::string message, Origin origin = {}, std::string hint = {});

  const std::string& message() const { return message_; }
  const Origin& origin() const { return origin_; }
  const std::string& hint() const { return hint_; }
  ErrorKind kind() const { return kind_; }
  // "file:line:col: message" plus "\n  hint: ..." when there is a hint.
  std::string render() const;

 private:
  std::string message_;
  Origin origin_;
  std::string hint_;
  ErrorKind kind_ = ErrorKind::kUserInput;
};

enum class Severity { kError, kWarning };

struct Diagnostic {
  Severity severity = Severity::kError;
  Origin origin;
  std::string message;
  std::string hint;
  std::string render() const;
};

// A list of diagnostics collected by a parser or loader; a problem found twice at the same place
// is kept once.
class Diagnostics {
 public:
  void add(Severity severity, Origin origin, std::string message, std::string hint = {});
  void error(Origin origin, std::string message, std::string hint = {}) {
    add(Severity::kError, std::move(origin), std::move(message), std::move(hint));
  }
  void warning(Origin origin, std::string message, std::string hint = {}) {
    add(Severity::kWarning, std::move(origin), std::move(message), std::move(hint));
  }
  bool has_errors() const;
  bool empty() const { return items_.empty(); }
  const std::vector<Diagnostic>& items() const { return items_; }
  void append(const Diagnostics& other);
  // Throws the first error as an Error (the others are appended to its hint) if there is any.
  void throw_if_errors() const;

 private:
  std::vector<Diagnostic> items_;
  std::unordered_set<std::string> seen_;  // rendered items_, to drop repeats
};

}  // namespace strata

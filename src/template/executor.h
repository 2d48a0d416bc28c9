// The executor: walks a ParsedTemplate against a data Val with Go's text/template semantics
// and writes the output. Errors come out as ExecError with Go's wording and the byte offset.
#pragma once

#include <string>

#include "model/error.h"
#include "template/ast.h"
#include "template/functions.h"

namespace strata::tpl {

enum class MissingKey { kDefault, kZero, kError };

// A strata::Error whose kind is the failed function's (a state() whose engine failed stays
// "engine failed"); user input otherwise.
class ExecError : public Error {
 public:
  // message is Go's "executing "name" at <node>: ..." part, without the location prefix.
  ExecError(size_t pos, std::string message, ErrorKind kind = ErrorKind::kUserInput)
      : Error(kind, std::move(message)), pos_(pos) {}
  size_t pos() const { return pos_; }

 private:
  size_t pos_;
};

struct ExecOptions {
  std::string name = "template";
  MissingKey missing_key = MissingKey::kError;
};

// Renders tpl into out. When single_value is non-null and the template is one action, the
// action's value is stored there instead of being printed (render_value's typed result).
void execute(const ParsedTemplate& tpl, const Val& data, const ExecOptions& options, CallContext& ctx,
             std::string& out, Val* single_value = nullptr);

}  // namespace strata::tpl

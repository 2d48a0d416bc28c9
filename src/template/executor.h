// The executor: walks a ParsedTemplate against a data Val with Go's text/template semantics
// and writes the output. Errors come out as ExecError with Go's wording and the byte offset.
#pragma once

#include <stdexcept>
#include <string>

#include "template/ast.h"
#include "template/functions.h"

namespace strata::tpl {

enum class MissingKey { kDefault, kZero, kError };

class ExecError : public std::runtime_error {
 public:
  // message is Go's "executing "name" at <node>: ..." part, without the location prefix.
  ExecError(size_t pos, std::string message)
      : std::runtime_error(message), pos_(pos), message_(std::move(message)) {}
  size_t pos() const { return pos_; }
  const std::string& message() const { return message_; }

 private:
  size_t pos_;
  std::string message_;
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

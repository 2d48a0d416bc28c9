// The executor: walks a ParsedTemplate against a data Val with Go's text/template semantics
// and writes the output. Errors come out as ExecError with Go's wording and the byte offset.
#pragma once

#include <string>
#include <vector>

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
  // message is Go's "executing "name" at <node>: ..." part, without the location prefix;
  // `node` is the text of the node it failed at (up to 80 characters), `detail`
  // what went wrong there, and `function` the function whose call failed ("" for another
  // failure): its detail is then the function's own words.
  ExecError(size_t pos, std::string message, ErrorKind kind = ErrorKind::kUserInput, std::string node = {},
            std::string detail = {}, std::string function = {})
      : Error(kind, std::move(message)),
        pos_(pos),
        node_(std::move(node)),
        detail_(std::move(detail)),
        function_(std::move(function)) {}
  size_t pos() const { return pos_; }
  const std::string& node() const { return node_; }
  const std::string& detail() const { return detail_; }
  const std::string& function() const { return function_; }
  // For a key a map does not have: the key, and the keys the map does have.
  const std::string& missing_key() const { return missing_key_; }
  const std::vector<std::string>& keys() const { return keys_; }
  void set_missing(std::string key, std::vector<std::string> keys) {
    missing_key_ = std::move(key);
    keys_ = std::move(keys);
  }

 private:
  size_t pos_;
  std::string node_, detail_, function_;
  std::string missing_key_;
  std::vector<std::string> keys_;
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

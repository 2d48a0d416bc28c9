// The function table: text/template's builtins, the Sprig-compatible library and strata's own
// functions (state, secret, env). Each entry declares Go's parameter types so that argument
// checking and conversion behave like Go's reflection-based calls.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "model/error.h"
#include "template/val.h"

namespace strata {
struct Origin;
}

namespace strata::tpl {

class TemplateHost;

// Go parameter types. kReflect is a reflect.Value parameter (builtins such as eq and index),
// which receives even a missing value unchanged.
enum class Param : uint8_t { kAny, kReflect, kString, kInt, kInt64, kFloat, kBool, kList, kMap };

// Limits that keep a hostile template from exhausting memory or time.
struct Limits {
  size_t max_output = 64u << 20;  // bytes of rendered text, and of any one string built
  int max_depth = 100;            // nested {{template}} calls
  size_t max_steps = 20'000'000;  // evaluation steps: bounds exponential {{template}} fan-out
};

// What a function may use while it runs.
struct CallContext {
  TemplateHost* host = nullptr;
  const Origin* origin = nullptr;
  Limits limits;
  bool sensitive = false;  // a secret or a sensitive value went into the result
};

using FuncImpl = Val (*)(CallContext& ctx, std::vector<Val>& args);

struct FuncDef {
  std::string name;
  std::vector<Param> params;  // with variadic, the last entry is the element type of `...`
  bool variadic = false;
  FuncImpl impl = nullptr;
};

// A function failed: rendered by the executor as `error calling NAME: message`.
// `kind`: what a failure of the template host was (engine failed, not found, ...); a function's
// own failure is the user's input.
class FuncError : public Error {
 public:
  explicit FuncError(const std::string& message, ErrorKind kind = ErrorKind::kUserInput)
      : Error(kind, message) {}
};

const FuncDef* find_function(std::string_view name);
std::vector<std::string> function_names();

// Registration, one per library file.
using FunctionTable = std::vector<FuncDef>;
void register_builtins(FunctionTable& t);
void register_sprig_strings(FunctionTable& t);
void register_sprig_lists(FunctionTable& t);
void register_sprig_convert(FunctionTable& t);
void register_strata_functions(FunctionTable& t);

// Go's strconv.ParseInt(s, base, 64) for base 10 or base 0 (prefixes 0x, 0o, 0b and 0; '_'
// between digits). On kRange `out` is the clamped limit, as Go returns it; on kSyntax 0.
enum class IntParse { kOk, kSyntax, kRange };
IntParse parse_go_int(std::string_view s, int base, int64_t& out);

// Shared conversions, as Sprig (spf13/cast) does them.
int64_t cast_int64(const Val& v);
double cast_float64(const Val& v);
// Sprig's strval: strings as they are, anything else as fmt's %v.
std::string strval(const Val& v);
// Throws FuncError when a string would exceed the output limit.
void check_size(const CallContext& ctx, size_t n);

}  // namespace strata::tpl

// FileRun: the state of one stack file while it runs (internal to src/config/js). The global
// object's private data points at it, so every native global finds its file.
#pragma once

#include <JavaScriptCore/JavaScript.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/js/js_position.h"
#include "config/js/stack_file_runner.h"
#include "model/error.h"
#include "model/project.h"

namespace strata::js {

class StackFileRunner;

struct FileRun {
  StackFileRunner& runner;
  JSGlobalContextRef ctx = nullptr;
  std::string main_path;                       // absolute
  std::string main_display;                    // as shown to users
  JSObjectRef prelude = nullptr;               // helpers returned by the prelude (protected)
  std::map<std::string, JSObjectRef> modules;  // absolute path -> module object (protected)
  std::map<std::string, std::string> sources;  // display path -> source text
  std::optional<Stack> stack;
  std::string secrets_provider = "sops";
  std::string secrets_path = "secrets.enc.yaml";
  RunFacts facts;  // what the result depends on (files read, env, clock)

  explicit FileRun(StackFileRunner& r) : runner(r) {}

  // The position of the innermost user-code frame calling into native code right now.
  Origin call_site();
  // Turns the first user frame of `frames` into an Origin; `at_call` moves the column from the
  // "(" of a call to the start of the callee.
  Origin origin_of(const std::vector<Frame>& frames, bool at_call);
  // Runs (or returns from the cache) the module at the absolute path. On a JS exception returns
  // nullptr and sets *exception.
  JSValueRef require_module(const std::string& path, JSValueRef* exception);
};

// The file require(spec) from `dir` loads: spec, spec.js, spec.json or spec/index.js.
std::optional<std::string> resolve_module(const std::string& spec, const std::string& dir);

// Thrown inside native globals to raise a JS exception that already exists.
struct JsException {
  JSValueRef value;
};

// The native half of require(path, dir), used by the prelude.
JSValueRef native_require(JSContextRef ctx, JSObjectRef function, JSObjectRef self, size_t argc,
                          const JSValueRef argv[], JSValueRef* exception);

// Defines the globals (stack, component, ...) on run.ctx and runs the prelude.
void install_globals(FileRun& run);
// Copies stack-level settings into the components and marks values holding secrets; called
// after the file ran.
void finish_stack(FileRun& run);

}  // namespace strata::js

#include "config/js/stack_file_runner.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <mutex>

#include "config/js/file_run.h"
#include "config/js/js_value.h"
#include "base/atomic_file.h"
#include "base/fnv.h"

// Exported by libjavascriptcoregtk but missing from its public headers.
extern "C" void JSContextGroupSetExecutionTimeLimit(JSContextGroupRef group, double limit,
                                                    bool (*callback)(JSContextRef, void*),
                                                    void* context);
extern "C" void JSContextGroupClearExecutionTimeLimit(JSContextGroupRef group);

namespace fs = std::filesystem;

#if defined(__SANITIZE_ADDRESS__)
// JavaScriptCore keeps a few small allocations for the life of the process (the same entries as
// tests/lsan.supp). Built in, so every binary that links the JS host is leak-clean under ASan
// without depending on LSAN_OPTIONS reaching it.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libjavascriptcoregtk\nleak:libJavaScriptCore\n";
}
extern "C" const char* __lsan_default_options() { return "print_suppressions=0"; }
#endif

namespace strata::js {

namespace {

// How often (in seconds of JS execution) the watchdog looks at elapsed time and memory.
constexpr double kWatchdogPoll = 0.05;

size_t resident_bytes() {
  std::string statm;
  size_t total = 0, resident = 0;
  if (try_read_file("/proc/self/statm", statm))
    std::sscanf(statm.c_str(), "%zu %zu", &total, &resident);
  return resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}

// A few JavaScriptCore VMs for the whole process, created on first use and never destroyed:
// JSC expects few long-lived VMs, and destroying one runs code inside libjavascriptcoregtk that
// UBSan's vptr check rejects (a std::shared_ptr helper from our binary interposes on the
// library's). Runners on one slot take turns on its VM; each run arms its own watchdog. Runners
// on different slots (one per loading thread) run in parallel.
JSContextGroupRef process_group(int slot) {
  static std::mutex mu;
  static JSContextGroupRef groups[kMaxVmSlots] = {};
  std::lock_guard<std::mutex> lock(mu);
  JSContextGroupRef& group = groups[std::clamp(slot, 0, kMaxVmSlots - 1)];
  if (!group) group = JSContextGroupCreate();
  return group;
}

FileRun* run_of(JSContextRef ctx) {
  return static_cast<FileRun*>(JSObjectGetPrivate(JSContextGetGlobalObject(ctx)));
}

// A JS error carrying the exact position of a problem that has no JS frame (a syntax error in
// a required file, a missing module).
JSObjectRef positioned_error(JSContextRef ctx, const std::string& message, const std::string& file,
                             int line, const std::string& hint) {
  JSObjectRef error = make_error(ctx, message);
  set_property(ctx, error, "strataFile", make_string(ctx, file));
  set_property(ctx, error, "strataLine", JSValueMakeNumber(ctx, line));
  if (!hint.empty()) set_property(ctx, error, "strataHint", make_string(ctx, hint));
  return error;
}

std::string render_frames(FileRun& run, const std::vector<Frame>& frames) {
  std::string out;
  for (const auto& f : frames) {
    if (!f.user()) continue;
    Origin at = run.origin_of({f}, true);
    out += "\n    at " + (f.function.empty() ? std::string("<top level>") : f.function) + " (" +
           at.str() + ")";
  }
  return out.empty() ? out : "\n  JS stack:" + out;
}

Error translate_exception(FileRun& run, JSValueRef exception) {
  JSContextRef ctx = run.ctx;
  std::string text = to_string(ctx, exception);
  std::string hint;
  Origin origin(run.main_display);
  std::vector<Frame> frames;
  if (JSValueIsObject(ctx, exception)) {
    JSObjectRef object = JSValueToObject(ctx, exception, nullptr);
    frames = parse_stack(to_string(ctx, get_property(ctx, object, "stack")));
    JSValueRef h = get_property(ctx, object, "strataHint");
    if (JSValueIsString(ctx, h)) hint = to_string(ctx, h);
    JSValueRef file = get_property(ctx, object, "strataFile");
    // Errors raised by strata's globals: the message alone, without JS's "Error: " prefix.
    bool ours = JSValueIsString(ctx, h) || JSValueIsString(ctx, file) ||
                (!frames.empty() && frames.front().native());
    if (ours && text.starts_with("Error: ")) text = text.substr(7);
    if (JSValueIsString(ctx, file)) {
      origin = Origin(
          to_string(ctx, file),
          static_cast<int>(JSValueToNumber(ctx, get_property(ctx, object, "strataLine"), nullptr)));
    } else {
      Origin found = run.origin_of(frames, true);
      if (found.known()) origin = found;
    }
  } else {
    text = "uncaught exception: " + text;
  }
  if (origin.path() != run.main_display)
    text += " (while loading stack file " + run.main_display + ")";
  if (hint.empty()) hint = "fix the stack file at the position above";
  return Error(text + render_frames(run, frames), origin, hint);
}

}  // namespace

Origin FileRun::origin_of(const std::vector<Frame>& frames, bool at_call) {
  for (const auto& f : frames) {
    if (!f.user()) continue;
    int column = f.column;
    if (at_call) {
      auto it = sources.find(f.file);
      if (it != sources.end()) column = callee_start_column(line_of(it->second, f.line), column);
    }
    return Origin(f.file, f.line, column);
  }
  return {};
}

Origin FileRun::call_site() {
  JSObjectRef error = make_error(ctx, "");
  return origin_of(parse_stack(to_string(ctx, get_property(ctx, error, "stack"))), true);
}

JSValueRef FileRun::require_module(const std::string& path, JSValueRef* exception) {
  auto cached = modules.find(path);
  if (cached != modules.end()) return get_property(ctx, cached->second, "exports");

  std::string display = runner.display_path(path);
  std::string source;
  if (!try_read_file(path, source)) {
    facts.mark_uncacheable("a required file could not be read");  // it may be readable later
    *exception = positioned_error(ctx, "cannot read " + display, display, 0,
                                  "check that the file exists and is readable");
    return nullptr;
  }
  facts.reads.push_back({path, source.size(), fnv1a(source)});
  JSObjectRef module = JSObjectMake(ctx, nullptr, nullptr);
  JSObjectRef exports = JSObjectMake(ctx, nullptr, nullptr);
  set_property(ctx, module, "exports", exports);
  set_property(ctx, module, "id", make_string(ctx, path));
  set_property(ctx, module, "filename", make_string(ctx, path));
  set_property(ctx, module, "loaded", JSValueMakeBoolean(ctx, false));
  JSValueProtect(ctx, module);
  modules.emplace(path, module);  // before running it: a cycle sees the partial exports, as in Node

  if (path.ends_with(".json")) {
    JsString json(source);
    JSValueRef value = JSValueMakeFromJSONString(ctx, json.get());
    if (!value) {
      *exception = positioned_error(ctx, "SyntaxError: " + display + " is not valid JSON", display,
                                    0, "fix the JSON file");
      return nullptr;
    }
    set_property(ctx, module, "exports", value);
    return value;
  }

  sources.emplace(display, source);
  JsString script(kModuleHeader + source + "\n})");
  JsString url(display);
  // Evaluating the wrapper only defines the module function, so an exception here is a
  // syntax error (parsing once; JSCheckScriptSyntax would parse the file a second time).
  JSValueRef syntax = nullptr;
  JSValueRef function = JSEvaluateScript(ctx, script.get(), nullptr, url.get(), 1, &syntax);
  if (!function) {
    if (runner.stopped()) {
      *exception = syntax;
      return nullptr;
    }
    int line = 0;
    if (syntax && JSValueIsObject(ctx, syntax)) {
      line = static_cast<int>(JSValueToNumber(
          ctx, get_property(ctx, JSValueToObject(ctx, syntax, nullptr), "line"), nullptr));
    }
    *exception = positioned_error(ctx, to_string(ctx, syntax), display, line,
                                  "fix the JavaScript syntax at this line");
    return nullptr;
  }
  std::string dir = fs::path(path).parent_path().string();
  JSValueRef make_require = get_property(ctx, prelude, "makeRequire");
  JSValueRef dir_value = make_string(ctx, dir);
  JSValueRef require = JSObjectCallAsFunction(ctx, JSValueToObject(ctx, make_require, nullptr),
                                              nullptr, 1, &dir_value, exception);
  if (!require) return nullptr;
  JSValueRef args[] = {exports, require, module, make_string(ctx, path), dir_value};
  JSValueRef result = JSObjectCallAsFunction(ctx, JSValueToObject(ctx, function, nullptr), nullptr,
                                             5, args, exception);
  if (!result) return nullptr;
  set_property(ctx, module, "loaded", JSValueMakeBoolean(ctx, true));
  return get_property(ctx, module, "exports");
}

std::optional<std::string> resolve_module(const std::string& spec, const std::string& dir) {
  fs::path base = fs::path(dir) / spec;
  for (const fs::path& candidate : {base, fs::path(base.string() + ".js"),
                                    fs::path(base.string() + ".json"), base / "index.js"}) {
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return fs::weakly_canonical(candidate).string();
  }
  return std::nullopt;
}

// Native half of require(): resolves a relative path against the requiring file's folder.
JSValueRef native_require(JSContextRef ctx, JSObjectRef, JSObjectRef, size_t argc,
                          const JSValueRef argv[], JSValueRef* exception) {
  FileRun& run = *run_of(ctx);
  std::string spec = argc > 0 ? to_string(ctx, argv[0]) : "";
  std::string dir = argc > 1 ? to_string(ctx, argv[1]) : "";
  bool relative = spec.starts_with("./") || spec.starts_with("../") || spec.starts_with("/");
  if (!relative) {
    JSObjectRef error =
        make_error(ctx, "require('" + spec + "'): only relative paths are supported");
    set_property(ctx, error, "strataHint",
                 make_string(ctx, "write the path from this file, like require('./lib/" + spec +
                                      "'); packages from node_modules are not available"));
    *exception = error;
    return nullptr;
  }
  auto resolved = resolve_module(spec, dir);
  // Recorded found or not: a file may use try { require(…) } catch, and a file added later
  // must make it run again.
  run.facts.resolutions.push_back({spec, dir, resolved.value_or("")});
  if (!resolved) {
    JSObjectRef error = make_error(ctx, "require('" + spec + "'): no file " + spec + ", " + spec +
                                            ".js or " + spec + "/index.js");
    set_property(ctx, error, "strataHint",
                 make_string(ctx, "check the path; it is relative to the requiring file"));
    *exception = error;
    return nullptr;
  }
  return run.require_module(*resolved, exception);
}

StackFileRunner::StackFileRunner(RunnerOptions options, int vm_slot) : options_(std::move(options)) {
  std::error_code ec;
  if (!options_.root.empty()) options_.root = fs::weakly_canonical(options_.root, ec).string();
  group_ = process_group(vm_slot);
  JSClassDefinition def = kJSClassDefinitionEmpty;
  def.className = "global";
  global_class_ = JSClassCreate(&def);
}

StackFileRunner::~StackFileRunner() { JSClassRelease(global_class_); }

std::string StackFileRunner::display_path(const std::string& path) const {
  if (options_.root.empty()) return path;
  fs::path rel = fs::path(path).lexically_relative(options_.root);
  if (rel.empty() || rel.native().starts_with("..")) return path;
  return rel.string();
}

bool StackFileRunner::on_watchdog(JSContextRef, void* data) {
  auto* self = static_cast<StackFileRunner*>(data);
  double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - self->started_).count();
  if (elapsed > self->options_.timeout_seconds) {
    self->stop_ = Stop::kTimeout;
    return true;
  }
  if (resident_bytes() > self->options_.memory_limit_bytes) {
    self->stop_ = Stop::kMemory;
    return true;
  }
  JSContextGroupSetExecutionTimeLimit(self->group_, kWatchdogPoll, &on_watchdog, self);
  return false;
}

void StackFileRunner::arm_watchdog() {
  started_ = std::chrono::steady_clock::now();
  stop_ = Stop::kNone;
  JSContextGroupSetExecutionTimeLimit(group_, kWatchdogPoll, &on_watchdog, this);
}

std::optional<Stack> StackFileRunner::run_file(const std::string& file) {
  std::error_code ec;
  std::string path = fs::weakly_canonical(file, ec).string();
  FileRun run(*this);
  run.main_path = path;
  run.main_display = display_path(path);
  run.ctx = JSGlobalContextCreateInGroup(group_, global_class_);
  JSObjectSetPrivate(JSContextGetGlobalObject(run.ctx), &run);
  struct Release {
    FileRun& run;
    ~Release() {
      for (auto& [_, module] : run.modules) JSValueUnprotect(run.ctx, module);
      if (run.prelude) JSValueUnprotect(run.ctx, run.prelude);
      JSObjectSetPrivate(JSContextGetGlobalObject(run.ctx), nullptr);
      JSGlobalContextRelease(run.ctx);
    }
  } release{run};

  install_globals(run);
  arm_watchdog();
  JSValueRef exception = nullptr;
  JSValueRef done = run.require_module(path, &exception);
  JSContextGroupClearExecutionTimeLimit(group_);
  if (stop_ == Stop::kTimeout) {
    throw Error("stack file " + run.main_display + " was stopped after running for " +
                    Number::from_double(options_.timeout_seconds).text() + " s",
                Origin(run.main_display),
                "look for a loop that never ends; the limit is set by STRATA_JS_TIMEOUT "
                "(seconds)");
  }
  if (stop_ == Stop::kMemory) {
    throw Error("stack file " + run.main_display + " was stopped: strata's memory use passed " +
                    std::to_string(options_.memory_limit_bytes >> 20) + " MiB while it ran",
                Origin(run.main_display),
                "look for data that grows without end; the limit is set by "
                "STRATA_JS_MEMORY_LIMIT_MB");
  }
  if (!done) throw translate_exception(run, exception);
  facts_ = std::move(run.facts);
  if (!run.stack) return std::nullopt;
  finish_stack(run);
  return std::move(run.stack);
}

}  // namespace strata::js

#include "config/js/stack_file_runner.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <mutex>

#include "base/atomic_file.h"
#include "base/fnv.h"
#include "config/js/file_run.h"
#include "config/js/js_value.h"
#include "config/js/source_check.h"

// Exported by libjavascriptcoregtk but missing from its public headers.
extern "C" void JSContextGroupSetExecutionTimeLimit(JSContextGroupRef group, double limit,
                                                    bool (*callback)(JSContextRef, void*),
                                                    void* context);
extern "C" void JSContextGroupClearExecutionTimeLimit(JSContextGroupRef group);

namespace fs = std::filesystem;

// GCC says __SANITIZE_ADDRESS__, clang (the fuzz build) __has_feature(address_sanitizer).
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STRATA_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(STRATA_ASAN)
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
// a required file, a byte that is not UTF-8).
JSObjectRef positioned_error(JSContextRef ctx, const std::string& message, const std::string& file,
                             int line, int column, const std::string& hint) {
  JSObjectRef error = make_error(ctx, message);
  set_property(ctx, error, "strataFile", make_string(ctx, file));
  set_property(ctx, error, "strataLine", JSValueMakeNumber(ctx, line));
  set_property(ctx, error, "strataColumn", JSValueMakeNumber(ctx, column));
  if (!hint.empty()) set_property(ctx, error, "strataHint", make_string(ctx, hint));
  return error;
}

// A 1-based line or column read back from a JS number; 0 when it is none.
int position_number(JSContextRef ctx, JSValueRef value) {
  double d = JSValueIsNumber(ctx, value) ? JSValueToNumber(ctx, value, nullptr) : 0;
  return std::isfinite(d) && d >= 1 && d < 1e9 ? static_cast<int>(d) : 0;
}

// A stack overflow repeats one frame a hundred times: each run of equal lines is shown once.
std::string render_frames(FileRun& run, const std::vector<Frame>& frames) {
  std::string out, last;
  int repeats = 0;
  auto flush = [&] {
    if (repeats > 0) out += " (and " + std::to_string(repeats) + " more times)";
    repeats = 0;
  };
  for (const auto& f : frames) {
    if (!f.user()) continue;
    Origin at = run.origin_of({f}, true);
    std::string line = "\n    at " +
                       (f.function.empty() ? std::string("<top level>") : f.function) + " (" +
                       at.str() + ")";
    if (line == last) {
      ++repeats;
      continue;
    }
    flush();
    out += line;
    last = line;
  }
  flush();
  return out.empty() ? out : "\n  JS stack:" + out;
}

constexpr size_t kMaxThrownText = 2000;

// What a thrown value says, never "": its string form, JSON for an object whose string form
// says nothing, and a description when neither works. Long texts are cut. Each step may run the
// file's code (toString(), getters); once the watchdog stopped one, no other is tried (each would
// run for another poll interval before the re-armed watchdog stopped it too).
std::string describe_thrown(JSContextRef ctx, JSValueRef value, const StackFileRunner& runner) {
  std::string text;
  JSValueRef exception = nullptr;
  if (JSStringRef s = JSValueToStringCopy(ctx, value, &exception)) {
    text = JsString(s).str();
  } else if (JSValueGetType(ctx, value) == kJSTypeSymbol) {
    // String(symbol) works where the conversion throws.
    JSValueRef string_fn = get_property(ctx, JSContextGetGlobalObject(ctx), "String");
    if (JSValueIsObject(ctx, string_fn)) {
      JSValueRef r = JSObjectCallAsFunction(ctx, JSValueToObject(ctx, string_fn, nullptr), nullptr,
                                            1, &value, nullptr);
      if (r && JSValueIsString(ctx, r)) text = to_string(ctx, r);
    }
  }
  bool useless = text.empty() || text == "[object Object]";
  if (!runner.stopped() && JSValueIsObject(ctx, value) && useless) {
    // An Error whose toString() was replaced or throws: its name and message.
    JSObjectRef object = JSValueToObject(ctx, value, nullptr);
    JSValueRef name = get_property(ctx, object, "name");
    JSValueRef message = get_property(ctx, object, "message");
    if (JSValueIsString(ctx, message) && !to_string(ctx, message).empty())
      text =
          (JSValueIsString(ctx, name) ? to_string(ctx, name) + ": " : "") + to_string(ctx, message);
  }
  useless = text.empty() || text == "[object Object]";
  if (!runner.stopped() && JSValueIsObject(ctx, value) && useless) {
    if (JSStringRef json = JSValueCreateJSONString(ctx, value, 0, nullptr))
      text = JsString(json).str();
  }
  if (text.empty())
    text = JSValueIsString(ctx, value) ? "an empty string" : "a value that cannot be shown as text";
  if (text.size() > kMaxThrownText) {
    size_t cut = kMaxThrownText;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;
    text = text.substr(0, cut) + "… (" + std::to_string(text.size() - cut) + " more bytes)";
  }
  return text;
}

const char* type_name(JSContextRef ctx, JSValueRef value) {
  switch (JSValueGetType(ctx, value)) {
    case kJSTypeUndefined:
      return "undefined";
    case kJSTypeNull:
      return "null";
    case kJSTypeBoolean:
      return "a boolean";
    case kJSTypeNumber:
      return "a number";
    case kJSTypeString:
      return "a string";
    case kJSTypeSymbol:
      return "a symbol";
    case kJSTypeObject:
      return "an object that is not an Error";
    default:
      return "a value that is not an Error";
  }
}

Error translate_exception(FileRun& run, JSValueRef exception) {
  JSContextRef ctx = run.ctx;
  std::string text = describe_thrown(ctx, exception, run.runner);
  std::string hint;
  Origin origin;
  std::vector<Frame> frames;
  bool error_object = false;  // it has a stack: an Error, which knows where it was made
  if (JSValueIsObject(ctx, exception)) {
    JSObjectRef object = JSValueToObject(ctx, exception, nullptr);
    // Properties may be getters (the file's code): none is read after the watchdog stopped one.
    auto read = [&](const char* name) {
      return run.runner.stopped() ? JSValueMakeUndefined(ctx) : get_property(ctx, object, name);
    };
    JSValueRef stack = read("stack");
    error_object = JSValueIsString(ctx, stack);
    if (error_object) frames = parse_stack(to_string(ctx, stack));
    JSValueRef h = read("strataHint");
    if (JSValueIsString(ctx, h)) hint = to_string(ctx, h);
    JSValueRef file = read("strataFile");
    // Errors raised by strata's globals: the message alone, without JS's "Error: " prefix.
    bool ours = JSValueIsString(ctx, h) || JSValueIsString(ctx, file) ||
                (!frames.empty() && frames.front().native());
    if (ours && text.starts_with("Error: ") && text.size() > 7) text = text.substr(7);
    int line = position_number(ctx, read("strataLine"));
    if (JSValueIsString(ctx, file) && line > 0) {
      origin = Origin(to_string(ctx, file), line,
                      std::max(1, position_number(ctx, read("strataColumn"))));
    } else {
      origin = run.origin_of(frames, true);
    }
  }
  if (!origin.known()) {
    // JavaScript keeps the place of a throw only in Error objects (their stack).
    text = "uncaught exception: " + text +
           (error_object ? std::string(" (JavaScriptCore gave no position")
                         : " (thrown as " + std::string(type_name(ctx, exception)) +
                               ", which carries no position") +
           ": line 1 stands for the file)";
    if (hint.empty() && !error_object)
      hint = "throw new Error(...) instead of a bare value to get the line it comes from";
    origin = Origin(run.main_display, 1, 1);
  }
  if (origin.path() != run.main_display)
    text += " (while loading stack file " + run.main_display + ")";
  if (hint.empty()) hint = "fix the stack file at the position above";
  return Error(text + render_frames(run, frames), origin, hint);
}

// Where the file being run is (for a stop by the watchdog), or unknown. JavaScriptCore records
// a frame's position at calls only, so this is the last call the running function made (or its
// start): the code that did not stop is at or after it.
Origin running_at(JSContextRef ctx) {
  FileRun* run = run_of(ctx);
  if (!run) return {};
  JSObjectRef probe = make_error(ctx, "");
  return run->origin_of(parse_stack(to_string(ctx, get_property(ctx, probe, "stack"))), true);
}

// After a stop, JavaScriptCore may still hold a termination it has not delivered (the file was
// stopped inside code that strata's native code called, which took the stop as that call's
// exception). The VM would deliver it to whatever runs next on it: the next stack file, which
// then fails with "JavaScript execution terminated". Running a script that does nothing takes it.
void deliver_pending_stop(JSContextRef ctx) {
  JsString nothing("");
  for (int tries = 0; tries < 3; ++tries) {
    JSValueRef exception = nullptr;
    if (JSEvaluateScript(ctx, nothing.get(), nullptr, nullptr, 1, &exception)) return;
  }
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
    // No file position: the error points at the require() call.
    JSObjectRef error = make_error(ctx, "cannot read " + display);
    set_property(ctx, error, "strataHint",
                 make_string(ctx, "check that the file exists and is readable"));
    *exception = error;
    return nullptr;
  }
  facts.reads.push_back({path, source.size(), fnv1a(source)});
  // JavaScriptCore reads UTF-8 only; it would turn the whole file into an empty script.
  if (auto bad = check_utf8(source)) {
    *exception = positioned_error(ctx, bad->message, display, bad->line, bad->column,
                                  "save the file as UTF-8 (comments and strings too)");
    return nullptr;
  }
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
      // JSON.parse says what is wrong, though not where: line 1 stands for the file.
      std::string why;
      JSValueRef json_object = get_property(ctx, JSContextGetGlobalObject(ctx), "JSON");
      JSValueRef parse =
          JSValueIsObject(ctx, json_object)
              ? get_property(ctx, JSValueToObject(ctx, json_object, nullptr), "parse")
              : nullptr;
      if (parse && JSValueIsObject(ctx, parse)) {
        JSValueRef text = make_string(ctx, source);
        JSValueRef parse_error = nullptr;
        JSObjectCallAsFunction(ctx, JSValueToObject(ctx, parse, nullptr), nullptr, 1, &text,
                               &parse_error);
        if (parse_error) why = ": " + to_string(ctx, parse_error);
      }
      *exception =
          positioned_error(ctx,
                           "SyntaxError: " + display + " is not valid JSON" + why +
                               " (JavaScriptCore gives no position: line 1 stands for the file)",
                           display, 1, 1, "fix the JSON file");
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
    double line = 0;
    if (syntax && JSValueIsObject(ctx, syntax))
      line = JSValueToNumber(ctx, get_property(ctx, JSValueToObject(ctx, syntax, nullptr), "line"),
                             nullptr);
    SourceProblem at =
        locate_syntax_error(ctx, source, kModuleHeader, to_string(ctx, syntax), line);
    *exception = positioned_error(ctx, at.message, display, at.line, at.column,
                                  "fix the JavaScript syntax at this position");
    return nullptr;
  }
  if (!JSValueIsObject(ctx, function) ||
      !JSObjectIsFunction(ctx, JSValueToObject(ctx, function, nullptr))) {
    *exception = positioned_error(
        ctx,
        "the file closes the function strata runs it in before its end (a `})` too many), so "
        "it cannot run as a module (no position known: line 1 stands for the file)",
        display, 1, 1, "balance the brackets of the file");
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

bool StackFileRunner::on_watchdog(JSContextRef ctx, void* data) {
  auto* self = static_cast<StackFileRunner*>(data);
  // Armed again even when it stops the file: a stop inside a getter that strata's native code
  // called ends only that call, and the native code may call more of the file's code (another
  // endless getter) before it returns to JavaScript.
  JSContextGroupSetExecutionTimeLimit(self->group_, kWatchdogPoll, &on_watchdog, self);
  if (self->stop_ != Stop::kNone) return true;
  double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - self->started_).count();
  if (elapsed > self->options_.timeout_seconds) {
    self->stop_ = Stop::kTimeout;
    self->stopped_at_ = running_at(ctx);
    return true;
  }
  if (resident_bytes() > self->options_.memory_limit_bytes) {
    self->stop_ = Stop::kMemory;
    self->stopped_at_ = running_at(ctx);
    return true;
  }
  return false;
}

void StackFileRunner::arm_watchdog() {
  started_ = std::chrono::steady_clock::now();
  stop_ = Stop::kNone;
  stopped_at_ = {};
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
  // The watchdog stays armed while the exception is read: its toString() or stack may be user
  // code that loops.
  std::optional<Error> failed;
  if (!done && !stopped())
    failed = translate_exception(run, exception ? exception : JSValueMakeUndefined(run.ctx));
  JSContextGroupClearExecutionTimeLimit(group_);
  if (stopped()) {
    deliver_pending_stop(run.ctx);
    // Where the file was when it was stopped; JavaScriptCore may give no place (native code).
    Origin at = stopped_at_.known() ? stopped_at_ : Origin(run.main_display, 1, 1);
    std::string where =
        stopped_at_.known()
            ? std::string(" (the position is the last one JavaScriptCore recorded: ") +
                  (stop_ == Stop::kTimeout ? "a loop" : "the data that grows") +
                  " is at or after it)"
            : " (no position known: line 1 stands for the file)";
    if (stop_ == Stop::kTimeout)
      throw Error("stack file " + run.main_display + " was stopped after running for " +
                      Number::from_double(options_.timeout_seconds).text() + " s" + where,
                  at,
                  "look for a loop that never ends; the limit is set by STRATA_JS_TIMEOUT "
                  "(seconds)");
    throw Error("stack file " + run.main_display + " was stopped: strata's memory use passed " +
                    std::to_string(options_.memory_limit_bytes >> 20) + " MiB while it ran" + where,
                at,
                "look for data that grows without end; the limit is set by "
                "STRATA_JS_MEMORY_LIMIT_MB");
  }
  if (failed) throw *failed;
  facts_ = std::move(run.facts);
  if (!run.stack) return std::nullopt;
  finish_stack(run);
  return std::move(run.stack);
}

}  // namespace strata::js

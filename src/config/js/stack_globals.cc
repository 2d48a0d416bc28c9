// The globals a stack file sees, with Comet's names and meaning (conformance README §6.2):
// stack, metadata, backend, component, append, env, envs, secrets, secret, secretsConfig,
// kubeconfig, print and console. The parts that are easier in JavaScript (the reference proxy
// returned by component(), the env proxy, require()) live in the prelude below.
#include <algorithm>
#include <set>

#include "base/suggest.h"
#include "config/js/file_run.h"
#include "config/js/input_positions.h"
#include "config/js/js_value.h"
#include "config/js/secret_ref.h"
#include "config/js/stack_file_runner.h"

namespace strata::js {

namespace {

// Runs once per context, before the stack file. Returns the helpers native code calls.
constexpr char kPrelude[] = R"JS((function (native) {
  'use strict';
  const REF = Symbol('strata.ref');
  const own = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
  const EXTENSION_KEYS = ['providers', 'depends_on', 'mock_outputs'];
  // component() returns this: an input when set, else a reference to the component's output.
  function makeRef(stack, name, inputs, isRest) {
    return new Proxy({}, {
      get(_, key) {
        if (key === REF) return stack + '/' + name;
        if (typeof key !== 'string') return undefined;
        if (inputs !== null && typeof inputs === 'object' && own(inputs, key) &&
            !(isRest && EXTENSION_KEYS.includes(key))) {
          const v = inputs[key];
          if (v !== undefined && v !== null) return v;
        }
        return '{{ (state "' + stack + '" "' + name + '").' + key + ' }}';
      },
    });
  }
  function refOf(value) {
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
    return value[REF];
  }
  function format(args) {
    return args.map((a) => {
      if (typeof a === 'string') return a;
      if (a !== null && typeof a === 'object') {
        try { return JSON.stringify(a); } catch (e) { return String(a); }
      }
      return String(a);
    }).join(' ');
  }
  const env = new Proxy({}, {
    get(_, key) { return typeof key === 'string' ? native.getenv(key) : undefined; },
  });
  function makeRequire(dir) {
    return function require(path) { return native.require(path, dir); };
  }
  globalThis.env = env;
  // The clock, chance and the locale make a file's result differ between runs: using them
  // tells strata not to reuse the result (js_cache.h).
  const mark = () => native.nondeterministic();
  const RealDate = Date;
  const DateProxy = new Proxy(RealDate, {
    construct(target, args, newTarget) { mark(); return Reflect.construct(target, args, newTarget); },
    apply(target, self, args) { mark(); return Reflect.apply(target, self, args); },
    get(target, key) { if (key === 'now' || key === 'parse' || key === 'UTC') mark(); return Reflect.get(target, key); },
  });
  // Every Date instance comes from the constructor: close the other way to it as well.
  Object.defineProperty(RealDate.prototype, 'constructor', { value: DateProxy, writable: true, configurable: true });
  globalThis.Date = DateProxy;
  const random = Math.random;
  Math.random = function random_() { mark(); return random(); };
  // The locale and time zone (Intl), and garbage-collection timing (WeakRef, FinalizationRegistry).
  for (const name of ['Intl', 'WeakRef', 'FinalizationRegistry', 'performance']) {
    if (!(name in globalThis)) continue;
    const real = globalThis[name];
    Object.defineProperty(globalThis, name, { get() { mark(); return real; }, configurable: true });
  }
  globalThis.print = (...args) => native.log(0, format(args));
  globalThis.console = {
    log: (...args) => native.log(0, format(args)),
    info: (...args) => native.log(0, format(args)),
    debug: (...args) => native.log(0, format(args)),
    warn: (...args) => native.log(1, format(args)),
    error: (...args) => native.log(2, format(args)),
  };
  return { makeRef, refOf, makeRequire };
}))JS";

constexpr char kValueHint[] =
    "use only strings, numbers, booleans, null, arrays and plain objects in stack values";

using NativeFn = JSValueRef (*)(FileRun& run, JSContextRef ctx, size_t argc,
                                const JSValueRef argv[]);

FileRun& run_of(JSContextRef ctx) {
  return *static_cast<FileRun*>(JSObjectGetPrivate(JSContextGetGlobalObject(ctx)));
}

// Calls a native global, turning C++ exceptions into JS exceptions (they must never unwind
// through JavaScriptCore's frames).
template <NativeFn F>
JSValueRef trampoline(JSContextRef ctx, JSObjectRef, JSObjectRef, size_t argc,
                      const JSValueRef argv[], JSValueRef* exception) {
  try {
    return F(run_of(ctx), ctx, argc, argv);
  } catch (const JsException& e) {
    *exception = e.value;
  } catch (const Error& e) {
    std::string message = e.message();
    if (e.origin().known()) message += " (" + e.origin().str() + ")";
    JSObjectRef error = make_error(ctx, message);
    if (!e.hint().empty()) set_property(ctx, error, "strataHint", make_string(ctx, e.hint()));
    *exception = error;
  } catch (const std::exception& e) {
    *exception = make_error(ctx, e.what());
  }
  return nullptr;
}

JSValueRef arg(JSContextRef ctx, size_t argc, const JSValueRef argv[], size_t i) {
  return i < argc ? argv[i] : JSValueMakeUndefined(ctx);
}

bool is_plain_object(JSContextRef ctx, JSValueRef v) {
  if (!JSValueIsObject(ctx, v) || JSValueIsArray(ctx, v)) return false;
  return !JSObjectIsFunction(ctx, JSValueToObject(ctx, v, nullptr));
}

std::string string_arg(JSContextRef ctx, size_t argc, const JSValueRef argv[], size_t i,
                       const std::string& usage) {
  JSValueRef v = arg(ctx, argc, argv, i);
  if (!JSValueIsString(ctx, v) || to_string(ctx, v).empty()) {
    throw Error(usage + ": argument " + std::to_string(i + 1) + " must be a non-empty string", {},
                "call it as " + usage);
  }
  return to_string(ctx, v);
}

// Converts an object argument (undefined = {}) to a map Value.
Value object_arg(JSContextRef ctx, JSValueRef v, const std::string& what, const std::string& path) {
  if (JSValueIsUndefined(ctx, v) || JSValueIsNull(ctx, v)) return Value::map();
  if (!is_plain_object(ctx, v)) throw Error(what + " must be an object ({...})", {}, kValueHint);
  try {
    return to_value(ctx, v, path);
  } catch (const ConversionError& e) {
    throw Error(what + ": " + e.what(), {}, kValueHint);
  }
}

Stack& need_stack(FileRun& run, const std::string& call) {
  if (!run.stack) {
    throw Error(call + " was called before stack()", {},
                "call stack('name', {...}) at the top of the stack file, before " + call);
  }
  return *run.stack;
}

JSValueRef call_prelude(FileRun& run, const char* name, std::initializer_list<JSValueRef> args) {
  JSValueRef fn = get_property(run.ctx, run.prelude, name);
  JSValueRef exception = nullptr;
  JSValueRef out = JSObjectCallAsFunction(run.ctx, JSValueToObject(run.ctx, fn, nullptr), nullptr,
                                          args.size(), std::data(args), &exception);
  if (!out) throw JsException{exception};
  return out;
}

JSValueRef js_stack(FileRun& run, JSContextRef ctx, size_t argc, const JSValueRef argv[]) {
  if (run.stack) {
    throw Error("stack() was called a second time; stack '" + run.stack->name +
                    "' was already declared at " + run.stack->origin.str(),
                {}, "a stack file declares one stack: move the other one to its own file");
  }
  std::string name = string_arg(ctx, argc, argv, 0, "stack('name', {options})");
  JSValueRef options = arg(ctx, argc, argv, 1);
  Stack stack;
  stack.name = name;
  stack.source_file = run.main_display;
  stack.kind = "js";
  stack.options = object_arg(ctx, options, "stack('" + name + "') options", "");
  stack.origin = run.call_site();
  run.stack = std::move(stack);
  JSObjectRef out = JSObjectMake(ctx, nullptr, nullptr);
  set_property(ctx, out, "name", make_string(ctx, name));
  set_property(ctx, out, "options",
               JSValueIsObject(ctx, options) ? options : JSObjectMake(ctx, nullptr, nullptr));
  return out;
}

JSValueRef js_metadata(FileRun& run, JSContextRef ctx, size_t argc, const JSValueRef argv[]) {
  Stack& stack = need_stack(run, "metadata()");
  stack.metadata = object_arg(ctx, arg(ctx, argc, argv, 0), "metadata()", "");
  return JSValueMakeUndefined(ctx);
}

JSValueRef js_backend(FileRun& run, JSContextRef ctx, size_t argc, const JSValueRef argv[]) {
  Stack& stack = need_stack(run, "backend()");
  std::string type = string_arg(ctx, argc, argv, 0, "backend('type', {config})");
  stack.backend.type = type;
  stack.backend.config =
      object_arg(ctx, arg(ctx, argc, argv, 1), "backend('" + type + "') config", "");
  stack.backend.origin = run.call_site();
  return JSValueMakeUndefined(ctx);
}

std::vector<ComponentRef> depends_on_arg(FileRun& run, JSContextRef ctx, JSValueRef list,
                                         const std::string& component, const Origin& where) {
  std::string what = "component('" + component + "') depends_on";
  if (!JSValueIsArray(ctx, list)) {
    throw Error(what + " must be a list", {},
                "write depends_on: [vpc, 'other-stack/db'] with component() results or names");
  }
  JSObjectRef object = JSValueToObject(ctx, list, nullptr);
  auto n =
      static_cast<unsigned>(JSValueToNumber(ctx, get_property(ctx, object, "length"), nullptr));
  std::vector<ComponentRef> refs;
  for (unsigned i = 0; i < n; ++i) {
    JSValueRef item = JSObjectGetPropertyAtIndex(ctx, object, i, nullptr);
    std::string text;
    if (JSValueIsString(ctx, item)) {
      text = to_string(ctx, item);
    } else {
      JSValueRef ref = call_prelude(run, "refOf", {item});
      if (JSValueIsString(ctx, ref)) text = to_string(ctx, ref);
    }
    if (text.empty()) {
      throw Error(what + "[" + std::to_string(i) + "] is neither a component nor a name", {},
                  "use what component() returned, 'name' or 'stack/name'");
    }
    size_t slash = text.find('/');
    ComponentRef r;
    r.stack = slash == std::string::npos ? run.stack->name : text.substr(0, slash);
    r.component = slash == std::string::npos ? text : text.substr(slash + 1);
    r.origin = where;
    refs.push_back(std::move(r));
  }
  return refs;
}

// Gives `v` and everything in it that has no position of its own the position `where`.
void set_origin_where_unknown(Value& v, const Origin& where) {
  if (!v.origin().known()) v.set_origin(where);
  if (v.is_list()) {
    for (auto& item : v.as_list()) set_origin_where_unknown(item, where);
  } else if (v.is_map()) {
    for (auto& [_, item] : v.as_map()) set_origin_where_unknown(item, where);
  }
}

// Each input written in the component() call's own literal gets the position of its key, so a
// problem with it points there (input_positions.h).
void mark_input_positions(FileRun& run, Component& c) {
  if (!c.inputs.is_map() || c.inputs.as_map().empty() || !c.origin.known()) return;
  auto source = run.sources.find(c.origin.path());
  if (source == run.sources.end()) return;
  for (const auto& [key, pos] : component_input_positions(source->second, c.origin.line, c.origin.column)) {
    auto it = c.inputs.as_map().find(key);
    if (it != c.inputs.as_map().end()) set_origin_where_unknown(it->second, c.origin.at(pos.line, pos.column));
  }
}

JSValueRef js_component(FileRun& run, JSContextRef ctx, size_t argc, const JSValueRef argv[]) {
  JSValueRef name_value = arg(ctx, argc, argv, 0);
  std::string call = JSValueIsString(ctx, name_value)
                         ? "component('" + to_string(ctx, name_value) + "')"
                         : std::string("component()");
  Stack& stack = need_stack(run, call);
  std::string name = string_arg(ctx, argc, argv, 0, "component('name', 'module/path', {config})");
  std::string source = string_arg(ctx, argc, argv, 1, "component('name', 'module/path', {config})");
  if (const Component* other = stack.find(name)) {
    throw Error("component '" + name + "' is declared twice in stack '" + stack.name +
                    "'; the first is at " + other->origin.str(),
                {}, "give each component of a stack its own name");
  }
  JSValueRef config = arg(ctx, argc, argv, 2);
  if (JSValueIsUndefined(ctx, config) || JSValueIsNull(ctx, config)) {
    config = JSObjectMake(ctx, nullptr, nullptr);
  }
  if (!is_plain_object(ctx, config)) {
    throw Error(call + ": the config (argument 3) must be an object", {},
                "write component('" + name + "', '" + source + "', { inputs: {...} })");
  }
  Component c;
  c.name = name;
  c.stack = stack.name;
  c.source = source;
  c.origin = run.call_site();
  JSObjectRef object = JSValueToObject(ctx, config, nullptr);
  JSValueRef providers = get_property(ctx, object, "providers");
  if (!JSValueIsUndefined(ctx, providers)) {
    c.providers = object_arg(ctx, providers, call + " providers", "providers");
  }
  JSValueRef depends = get_property(ctx, object, "depends_on");
  if (!JSValueIsUndefined(ctx, depends)) {
    c.depends_on = depends_on_arg(run, ctx, depends, name, c.origin);
  }
  JSValueRef mocks = get_property(ctx, object, "mock_outputs");
  if (!JSValueIsUndefined(ctx, mocks)) {
    c.mock_outputs = object_arg(ctx, mocks, call + " mock_outputs", "mock_outputs");
  }
  JSValueRef inputs = get_property(ctx, object, "inputs");
  bool is_rest = !is_plain_object(ctx, inputs);
  if (!is_rest) {
    c.inputs = object_arg(ctx, inputs, call, "inputs");
    // Comet ignores the other keys of such a config; a typo there (dependsOn) would vanish.
    static const std::vector<std::string> kOptions = {"inputs", "providers", "depends_on", "mock_outputs"};
    JSPropertyNameArrayRef keys = JSObjectCopyPropertyNames(ctx, object);
    for (size_t i = 0; i < JSPropertyNameArrayGetCount(keys); ++i) {
      std::string key = JsString(JSStringRetain(JSPropertyNameArrayGetNameAtIndex(keys, i))).str();
      if (std::find(kOptions.begin(), kOptions.end(), key) != kOptions.end() || !run.runner.options().log) continue;
      run.facts.mark_uncacheable("prints");  // the warning must show on every run
      std::string close = closest_match(key, kOptions);
      run.runner.options().log(LogLevel::kWarning,
                               call + ": option " + key + " is ignored (a config with inputs takes inputs, "
                               "providers, depends_on and mock_outputs)" +
                                   (close.empty() ? "" : "; did you mean " + close + "?"),
                               c.origin);
    }
    JSPropertyNameArrayRelease(keys);
  } else {
    c.inputs = object_arg(ctx, config, call, "");
    for (const char* key : {"providers", "depends_on", "mock_outputs"})
      c.inputs.as_map().erase(key);
    inputs = config;
  }
  mark_input_positions(run, c);
  stack.components.push_back(std::move(c));
  return call_prelude(run, "makeRef",
                      {make_string(ctx, stack.name), make_string(ctx, name), inputs,
                       JSValueMakeBoolean(ctx, is_rest)});
}

JSValueRef js_append(FileRun& run, JSContextRef ctx, size_t argc, const JSValueRef argv[]) {
  Stack& stack = need_stack(run, "append()");
  std::string type = string_arg(ctx, argc, argv, 0, "append('providers', ['line', ...])");
  JSValueRef lines = arg(ctx, argc, argv, 1);
  Value list;
  try {
    list = to_value(ctx, lines, "");
  } catch (const ConversionError& e) {
    throw Error("append('" + type + "'): " + e.what(), {}, kValueHint);
  }
  if (list.is_string()) list = Value(Value::List{list});
  bool all_strings = list.is_list();
  if (all_strings)
    for (const auto& l : list.as_list()) all_strings = all_strings && l.is_string();
  if (!all_strings) {
    throw Error("append('" + type + "', lines): lines must be a list of strings", {},
                "write append('providers', ['data \"google_client_config\" \"default\" {}'])");
  }
  if (type != "providers") {
    run.facts.mark_uncacheable("prints");  // the warning must show on every run
    if (run.runner.options().log) {
      run.runner.options().log(LogLevel::kWarning,
                               "append('" + type + "', ...) is ignored: only 'providers' is used",
                               run.call_site());
    }
    return JSValueMakeUndefined(ctx);
  }
  for (const auto& l : list.as_list()) stack.provider_appends.push_back(l.as_string());
  return JSValueMakeUndefined(ctx);
}

std::string lookup_env(FileRun& run, const std::string& name) {
  if (run.stack) {
    auto it = run.stack->env.find(name);
    if (it != run.stack->env.end()) return it->second;
  }
  run.facts.mark_uncacheable("reads the environment");
  if (const auto* env = run.runner.options().environment) {
    auto it = env->find(name);
    if (it != env->end()) return it->second;
  }
  return {};
}

JSValueRef js_getenv(FileRun& run, JSContextRef ctx, size_t argc, const JSValueRef argv[]) {
  std::string name = to_string(ctx, arg(ctx, argc, argv, 0));
  run.facts.mark_uncacheable("reads the environment");
  if (const auto* env = run.runner.options().environment) {
    auto it = env->find(name);
    if (it != env->end()) return make_string(ctx, it->second);
  }
  return make_string(ctx, "");
}

JSValueRef js_envs(FileRun& run, JSContextRef ctx, size_t argc, const JSValueRef argv[]) {
  JSValueRef first = arg(ctx, argc, argv, 0);
  if (JSValueIsString(ctx, first) && argc < 2) {
    return make_string(ctx, lookup_env(run, to_string(ctx, first)));
  }
  Stack& stack = need_stack(run, "envs()");
  if (JSValueIsString(ctx, first)) {
    stack.env[to_string(ctx, first)] = to_string(ctx, arg(ctx, argc, argv, 1));
    return JSValueMakeUndefined(ctx);
  }
  if (!is_plain_object(ctx, first)) {
    throw Error("envs() takes {NAME: 'value', ...}, ('NAME', 'value') or ('NAME')", {},
                "call envs({ AWS_PROFILE: 'dev' }) to set variables for this stack's runs");
  }
  Value vars = object_arg(ctx, first, "envs()", "");
  for (const auto& [key, value] : vars.as_map()) {
    if (value.is_map() || value.is_list()) {
      throw Error("envs(): " + key + " must be a string, number or boolean", {},
                  "environment variables hold text");
    }
    stack.env[key] = value.is_string()   ? value.as_string()
                     : value.is_number() ? value.as_number().text()
                     : value.is_bool()   ? (value.as_bool() ? "true" : "false")
                                         : "";
  }
  return JSValueMakeUndefined(ctx);
}

// Returns a reference (secret_ref.h): nothing is decrypted while stack files load.
JSValueRef secret_reference(FileRun& run, JSContextRef ctx, const std::string& ref, const std::string& call) {
  if (ref.find('`') != std::string::npos) {
    throw Error(call + ": a secret reference cannot contain a backquote (`)", {},
                "rename the key or the file so that its reference has no backquote");
  }
  return make_secret_ref(ctx, ref, call, run.call_site());
}

JSValueRef js_secrets(FileRun& run, JSContextRef ctx, size_t argc, const JSValueRef argv[]) {
  std::string ref = string_arg(ctx, argc, argv, 0, "secrets('sops://file.enc.yaml#/path/to/key')");
  return secret_reference(run, ctx, ref, "secrets('" + ref + "')");
}

JSValueRef js_secret(FileRun& run, JSContextRef ctx, size_t argc, const JSValueRef argv[]) {
  std::string path = string_arg(ctx, argc, argv, 0, "secret('path.to.key')");
  const std::string call = "secret('" + path + "')";
  if (path.starts_with("sops://") || path.starts_with("op://")) return secret_reference(run, ctx, path, call);
  for (char& ch : path)
    if (ch == '.') ch = '/';
  if (!path.starts_with("/")) path = "/" + path;
  return secret_reference(run, ctx, run.secrets_provider + "://" + run.secrets_path + "#" + path, call);
}

JSValueRef js_secrets_config(FileRun& run, JSContextRef ctx, size_t argc, const JSValueRef argv[]) {
  Value config = object_arg(ctx, arg(ctx, argc, argv, 0), "secretsConfig()", "");
  for (const auto& [key, value] : config.as_map()) {
    if (key != "defaultProvider" && key != "defaultPath") {
      throw Error("secretsConfig(): unknown key '" + key + "'", {},
                  "the keys are defaultProvider ('sops') and defaultPath ('secrets.enc.yaml')");
    }
    if (!value.is_string()) throw Error("secretsConfig(): " + key + " must be a string");
    (key == "defaultProvider" ? run.secrets_provider : run.secrets_path) = value.as_string();
  }
  return JSValueMakeUndefined(ctx);
}

JSValueRef js_kubeconfig(FileRun& run, JSContextRef ctx, size_t argc, const JSValueRef argv[]) {
  Stack& stack = need_stack(run, "kubeconfig()");
  stack.kubeconfig = object_arg(ctx, arg(ctx, argc, argv, 0), "kubeconfig()", "");
  return JSValueMakeUndefined(ctx);
}

JSValueRef js_log(FileRun& run, JSContextRef ctx, size_t argc, const JSValueRef argv[]) {
  run.facts.mark_uncacheable("prints");
  const LogSink& log = run.runner.options().log;
  if (!log) return JSValueMakeUndefined(ctx);
  int level = static_cast<int>(JSValueToNumber(ctx, arg(ctx, argc, argv, 0), nullptr));
  log(level == 2   ? LogLevel::kError
      : level == 1 ? LogLevel::kWarning
                   : LogLevel::kInfo,
      to_string(ctx, arg(ctx, argc, argv, 1)), run.call_site());
  return JSValueMakeUndefined(ctx);
}

// Called by the prelude's wrappers of Date, Math.random and Intl: the file's result depends on
// the clock, chance or the locale, so it is never reused.
JSValueRef js_nondeterministic(FileRun& run, JSContextRef ctx, size_t, const JSValueRef[]) {
  run.facts.mark_uncacheable("uses Date, Math.random or Intl");
  return JSValueMakeUndefined(ctx);
}

template <NativeFn F>
void define(JSContextRef ctx, JSObjectRef target, const char* name) {
  JsString js_name(name);
  JSObjectSetProperty(ctx, target, js_name.get(),
                      JSObjectMakeFunctionWithCallback(ctx, js_name.get(), &trampoline<F>),
                      kJSPropertyAttributeNone, nullptr);
}

// Adds an edge for every `state "S" "C"` reference inside a string of `v`.
void collect_state_refs(const Value& v, std::set<std::pair<std::string, std::string>>& out) {
  if (v.is_list()) {
    for (const auto& item : v.as_list()) collect_state_refs(item, out);
  } else if (v.is_map()) {
    for (const auto& [_, item] : v.as_map()) collect_state_refs(item, out);
  } else if (v.is_string()) {
    const std::string& s = v.as_string();
    if (s.find("{{") == std::string::npos) return;
    size_t pos = 0;
    while ((pos = s.find("state", pos)) != std::string::npos) {
      size_t i = pos + 5;
      bool boundary = pos == 0 || !(std::isalnum(static_cast<unsigned char>(s[pos - 1])) ||
                                    s[pos - 1] == '_' || s[pos - 1] == '.');
      pos = i;
      if (!boundary) continue;
      std::string parts[2];
      bool ok = true;
      for (auto& part : parts) {
        size_t start = i;
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        if (i == start || i >= s.size() || s[i] != '"') {
          ok = false;
          break;
        }
        size_t close = s.find('"', i + 1);
        if (close == std::string::npos) {
          ok = false;
          break;
        }
        part = s.substr(i + 1, close - i - 1);
        i = close + 1;
      }
      if (ok && !parts[0].empty() && !parts[1].empty()) out.emplace(parts[0], parts[1]);
    }
  }
}

}  // namespace

void install_globals(FileRun& run) {
  JSContextRef ctx = run.ctx;
  JSObjectRef global = JSContextGetGlobalObject(ctx);
  define<js_stack>(ctx, global, "stack");
  define<js_metadata>(ctx, global, "metadata");
  define<js_backend>(ctx, global, "backend");
  define<js_component>(ctx, global, "component");
  define<js_append>(ctx, global, "append");
  define<js_envs>(ctx, global, "envs");
  define<js_secrets>(ctx, global, "secrets");
  define<js_secret>(ctx, global, "secret");
  define<js_secrets_config>(ctx, global, "secretsConfig");
  define<js_kubeconfig>(ctx, global, "kubeconfig");

  JSObjectRef native = JSObjectMake(ctx, nullptr, nullptr);
  define<js_getenv>(ctx, native, "getenv");
  define<js_log>(ctx, native, "log");
  define<js_nondeterministic>(ctx, native, "nondeterministic");
  {
    JsString name("require");
    set_property(ctx, native, "require",
                 JSObjectMakeFunctionWithCallback(ctx, name.get(), &native_require));
  }
  JsString script(kPrelude);
  JsString url(kPreludeUrl);
  JSValueRef exception = nullptr;
  JSValueRef factory = JSEvaluateScript(ctx, script.get(), nullptr, url.get(), 1, &exception);
  JSValueRef native_value = native;
  JSValueRef helpers = factory ? JSObjectCallAsFunction(ctx, JSValueToObject(ctx, factory, nullptr),
                                                        nullptr, 1, &native_value, &exception)
                               : nullptr;
  if (!helpers)
    throw Error(ErrorKind::kInternal,
                "the stack-file prelude failed: " + to_string(ctx, exception));
  run.prelude = JSValueToObject(ctx, helpers, nullptr);
  JSValueProtect(ctx, run.prelude);
}

void finish_stack(FileRun& run) {
  Stack& stack = *run.stack;
  for (auto& c : stack.components) {
    std::set<std::pair<std::string, std::string>> refs;
    collect_state_refs(c.inputs, refs);
    std::set<std::pair<std::string, std::string>> provider_refs;
    collect_state_refs(c.providers, provider_refs);
    // A provider reading the component's own outputs (Comet's GKE pattern: the kubernetes
    // provider takes the cluster endpoint from the previous apply, through
    // terraform_remote_state with try(..., null)) is not a dependency on itself.
    provider_refs.erase({c.stack, c.name});
    refs.insert(provider_refs.begin(), provider_refs.end());
    for (const auto& [s, name] : refs) {
      ComponentRef ref{s, name, c.origin};
      bool known = false;
      for (const auto& d : c.depends_on) known = known || d == ref;
      if (!known) c.depends_on.push_back(std::move(ref));
    }
  }
}

}  // namespace strata::js

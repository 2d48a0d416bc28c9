#include "config/js/js_value.h"

#include <cmath>

namespace strata::js {

JsString::JsString(std::string_view text) {
  std::string copy(text);  // JSStringCreateWithUTF8CString needs a terminated string
  ref_ = JSStringCreateWithUTF8CString(copy.c_str());
}

JsString::~JsString() {
  if (ref_) JSStringRelease(ref_);
}

std::string JsString::str() const {
  if (!ref_) return {};
  size_t max = JSStringGetMaximumUTF8CStringSize(ref_);
  std::string out(max, '\0');
  size_t written = JSStringGetUTF8CString(ref_, out.data(), max);
  out.resize(written > 0 ? written - 1 : 0);
  return out;
}

std::string to_string(JSContextRef ctx, JSValueRef value) {
  if (!value) return {};
  JSValueRef exception = nullptr;
  JSStringRef s = JSValueToStringCopy(ctx, value, &exception);
  if (!s) return {};
  return JsString(s).str();
}

JSValueRef make_string(JSContextRef ctx, std::string_view text) {
  JsString s(text);
  return JSValueMakeString(ctx, s.get());
}

JSValueRef get_property(JSContextRef ctx, JSObjectRef object, const char* name) {
  JsString key(name);
  return JSObjectGetProperty(ctx, object, key.get(), nullptr);
}

void set_property(JSContextRef ctx, JSObjectRef object, const char* name, JSValueRef value,
                  JSPropertyAttributes attributes) {
  JsString key(name);
  JSObjectSetProperty(ctx, object, key.get(), value, attributes, nullptr);
}

JSObjectRef make_error(JSContextRef ctx, std::string_view message) {
  JSValueRef arg = make_string(ctx, message);
  return JSObjectMakeError(ctx, 1, &arg, nullptr);
}

namespace {

constexpr int kMaxDepth = 64;

std::string join_key(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

Value convert(JSContextRef ctx, JSValueRef value, const std::string& path, int depth) {
  switch (JSValueGetType(ctx, value)) {
    case kJSTypeUndefined:
    case kJSTypeNull:
      return Value();
    case kJSTypeBoolean:
      return Value(JSValueToBoolean(ctx, value));
    case kJSTypeNumber: {
      double d = JSValueToNumber(ctx, value, nullptr);
      if (!std::isfinite(d)) {
        throw ConversionError(
            path, "the number " + to_string(ctx, value) + " has no JSON/Terraform equivalent");
      }
      return Value(Number::from_double(d));
    }
    case kJSTypeString:
      return Value(to_string(ctx, value));
    case kJSTypeSymbol:
      throw ConversionError(path, "a Symbol cannot be used as a value");
    case kJSTypeObject:
      break;
    default:
      throw ConversionError(path, "unsupported JavaScript value");
  }
  if (depth > kMaxDepth) {
    throw ConversionError(path, "nested more than " + std::to_string(kMaxDepth) +
                                    " levels deep (does the object refer to itself?)");
  }
  JSObjectRef object = JSValueToObject(ctx, value, nullptr);
  if (JSObjectIsFunction(ctx, object)) {
    throw ConversionError(path,
                          "a function cannot be used as a value (did you forget to call it?)");
  }
  if (JSValueIsDate(ctx, value)) {
    throw ConversionError(path,
                          "a Date cannot be used as a value; use a string such as "
                          "date.toISOString()");
  }
  if (JSValueIsArray(ctx, value)) {
    Value out = Value::list();
    double length = JSValueToNumber(ctx, get_property(ctx, object, "length"), nullptr);
    auto n = static_cast<unsigned>(length);
    out.as_list().reserve(n);
    for (unsigned i = 0; i < n; ++i) {
      JSValueRef item = JSObjectGetPropertyAtIndex(ctx, object, i, nullptr);
      out.as_list().push_back(convert(ctx, item, path + "[" + std::to_string(i) + "]", depth + 1));
    }
    return out;
  }
  Value out = Value::map();
  JSPropertyNameArrayRef names = JSObjectCopyPropertyNames(ctx, object);
  size_t count = JSPropertyNameArrayGetCount(names);
  try {
    for (size_t i = 0; i < count; ++i) {
      JSStringRef name = JSPropertyNameArrayGetNameAtIndex(names, i);
      JSValueRef exception = nullptr;
      JSValueRef item = JSObjectGetProperty(ctx, object, name, &exception);
      std::string key = JsString(JSStringRetain(name)).str();
      if (exception) throw ConversionError(join_key(path, key), "reading it threw an exception");
      if (JSValueIsUndefined(ctx, item)) continue;
      out.as_map().emplace(key, convert(ctx, item, join_key(path, key), depth + 1));
    }
  } catch (...) {
    JSPropertyNameArrayRelease(names);
    throw;
  }
  JSPropertyNameArrayRelease(names);
  return out;
}

}  // namespace

Value to_value(JSContextRef ctx, JSValueRef value, const std::string& path) {
  return convert(ctx, value, path, 0);
}

JSValueRef from_value(JSContextRef ctx, const Value& value) {
  if (value.is_string()) return make_string(ctx, value.as_string());
  JsString json(to_json_text(value, -1));
  JSValueRef out = JSValueMakeFromJSONString(ctx, json.get());
  return out ? out : JSValueMakeNull(ctx);
}

}  // namespace strata::js

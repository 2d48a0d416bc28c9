#include "config/js/js_value.h"

#include <cmath>
#include <cstdint>
#include <string>

#include "config/js/secret_ref.h"

namespace strata::js {

JsString::JsString(std::string_view text) {
  std::u16string units;
  units.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t n = utf8_sequence_length(text, i);
    if (n == 0) {
      units.push_back(0xfffd);
      ++i;
      continue;
    }
    auto byte = [&](size_t k) {
      return static_cast<uint32_t>(static_cast<unsigned char>(text[i + k]));
    };
    uint32_t cp = n == 1   ? byte(0)
                  : n == 2 ? (byte(0) & 0x1f) << 6 | (byte(1) & 0x3f)
                  : n == 3 ? (byte(0) & 0x0f) << 12 | (byte(1) & 0x3f) << 6 | (byte(2) & 0x3f)
                           : (byte(0) & 0x07) << 18 | (byte(1) & 0x3f) << 12 |
                                 (byte(2) & 0x3f) << 6 | (byte(3) & 0x3f);
    if (cp >= 0x10000) {
      units.push_back(static_cast<char16_t>(0xd800 + ((cp - 0x10000) >> 10)));
      units.push_back(static_cast<char16_t>(0xdc00 + ((cp - 0x10000) & 0x3ff)));
    } else {
      units.push_back(static_cast<char16_t>(cp));
    }
    i += n;
  }
  static_assert(sizeof(JSChar) == sizeof(char16_t));
  ref_ = JSStringCreateWithCharacters(reinterpret_cast<const JSChar*>(units.data()), units.size());
}

JsString::~JsString() {
  if (ref_) JSStringRelease(ref_);
}

std::string JsString::str() const {
  if (!ref_) return {};
  const JSChar* units = JSStringGetCharactersPtr(ref_);
  size_t length = JSStringGetLength(ref_);
  std::string out;
  out.reserve(length);
  for (size_t i = 0; i < length; ++i) {
    uint32_t cp = units[i];
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < length && units[i + 1] >= 0xdc00 &&
        units[i + 1] <= 0xdfff) {
      cp = 0x10000 + ((cp - 0xd800) << 10) + (units[i + 1] - 0xdc00);
      ++i;
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      cp = 0xfffd;  // unpaired surrogate
    }
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xc0 | cp >> 6);
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xe0 | cp >> 12);
      out += static_cast<char>(0x80 | (cp >> 6 & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | cp >> 18);
      out += static_cast<char>(0x80 | (cp >> 12 & 0x3f));
      out += static_cast<char>(0x80 | (cp >> 6 & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }
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
// `a.length = 2e8` makes a list of holes without running any code the watchdog could stop;
// converting it would take gigabytes in strata's own loop.
constexpr double kMaxListItems = 1'000'000;

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
    // The path of a self-reference repeats one key 64 times: its start says enough.
    std::string shown = path.size() > 60 ? path.substr(0, 60) + "…" : path;
    throw ConversionError(shown, "nested more than " + std::to_string(kMaxDepth) +
                                     " levels deep (does the object refer to itself?)");
  }
  if (std::optional<Value> secret = secret_ref_value(ctx, value)) return std::move(*secret);
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
    if (length > kMaxListItems) {
      throw ConversionError(path, "a list of " + Number::from_double(length).text() +
                                      " items is longer than the " +
                                      Number::from_double(kMaxListItems).text() +
                                      " strata takes (was its length set without items?)");
    }
    auto n = static_cast<unsigned>(length);
    out.as_list().reserve(n);
    for (unsigned i = 0; i < n; ++i) {
      std::string item_path = path + "[" + std::to_string(i) + "]";
      JSValueRef exception = nullptr;
      JSValueRef item = JSObjectGetPropertyAtIndex(ctx, object, i, &exception);
      if (exception) throw ConversionError(item_path, "reading it threw an exception");
      out.as_list().push_back(convert(ctx, item, item_path, depth + 1));
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

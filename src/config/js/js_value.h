// Small helpers over the JavaScriptCore C API, and the exact conversion between JS values and
// strata::Value (integers stay integers, undefined members are dropped, null is kept; Date,
// functions, symbols and non-finite numbers are rejected naming the key path).
#pragma once

#include <JavaScriptCore/JavaScript.h>

#include <string>
#include <string_view>

#include "model/error.h"
#include "base/utf8.h"
#include "model/value.h"

namespace strata::js {

using strata::utf8_sequence_length;  // base/utf8.h: what JavaScriptCore accepts too

// Owns a JSStringRef.
class JsString {
 public:
  // Every byte counts, a NUL included; a byte that is not UTF-8 becomes U+FFFD (JavaScriptCore's
  // own conversion turned the whole text into "" then).
  explicit JsString(std::string_view text);
  explicit JsString(JSStringRef adopted) : ref_(adopted) {}
  JsString(const JsString&) = delete;
  JsString& operator=(const JsString&) = delete;
  ~JsString();
  JSStringRef get() const { return ref_; }
  // As UTF-8; an unpaired surrogate becomes U+FFFD.
  std::string str() const;

 private:
  JSStringRef ref_;
};

// The JS value as text (String(value)); "" when it cannot be converted.
std::string to_string(JSContextRef ctx, JSValueRef value);
JSValueRef make_string(JSContextRef ctx, std::string_view text);
JSValueRef get_property(JSContextRef ctx, JSObjectRef object, const char* name);
void set_property(JSContextRef ctx, JSObjectRef object, const char* name, JSValueRef value,
                  JSPropertyAttributes attributes = kJSPropertyAttributeNone);
// A JS Error object with this message (for throwing from native callbacks).
JSObjectRef make_error(JSContextRef ctx, std::string_view message);

// Thrown by to_value when a JS value has no Value equivalent; path names the key ("a.b[2]").
// A strata::Error (user input): the stack file holds the value.
class ConversionError : public Error {
 public:
  ConversionError(const std::string& path, const std::string& what)
      : Error(path.empty() ? what : path + ": " + what) {}
};

// Converts a JS value to a Value. `path` prefixes key paths in errors. Top-level undefined is
// null. Throws ConversionError.
Value to_value(JSContextRef ctx, JSValueRef value, const std::string& path);
// Converts a Value to JS (through JSON, so numbers keep their value).
JSValueRef from_value(JSContextRef ctx, const Value& value);

}  // namespace strata::js

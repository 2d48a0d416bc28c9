#include "config/js/secret_ref.h"

#include <memory>

#include "config/js/js_value.h"

namespace strata::js {

namespace {

struct SecretRef {
  std::string ref;   // sops://secrets.enc.yaml#/db/pw
  std::string call;  // secret('db.pw'), as the stack file wrote it
  Origin where;      // of that call
};

JSClassRef secret_class();

SecretRef* secret_of(JSContextRef ctx, JSValueRef value) {
  if (!value || !JSValueIsObjectOfClass(ctx, value, secret_class())) return nullptr;
  return static_cast<SecretRef*>(JSObjectGetPrivate(JSValueToObject(ctx, value, nullptr)));
}

// toString, valueOf and toJSON of a reference: the template action, so '+', `${}`, String() and
// JSON.stringify keep the reference.
JSValueRef reference_text(JSContextRef ctx, JSObjectRef, JSObjectRef self, size_t, const JSValueRef[],
                          JSValueRef* exception) {
  SecretRef* secret = secret_of(ctx, self);
  if (!secret) {
    *exception = make_error(ctx, "this function belongs to a secret reference and was called on something else");
    return nullptr;
  }
  return make_string(ctx, secret_template(secret->ref));
}

bool has_member(JSContextRef ctx, const char* global, JSStringRef name) {
  JSObjectRef constructor = JSValueToObject(ctx, get_property(ctx, JSContextGetGlobalObject(ctx), global), nullptr);
  if (!constructor) return false;
  JSObjectRef prototype = JSValueToObject(ctx, get_property(ctx, constructor, "prototype"), nullptr);
  return prototype && JSObjectHasProperty(ctx, prototype, name);
}

// "a/b" -> "a~1b" (a JSON pointer part).
std::string pointer_part(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

JSValueRef get_member(JSContextRef ctx, JSObjectRef object, JSStringRef name, JSValueRef* exception) {
  SecretRef* secret = secret_of(ctx, object);
  if (!secret) return nullptr;
  std::string key = JsString(JSStringRetain(name)).str();
  // JavaScriptCore asks this callback for symbols too, by their description.
  if (key == "toString" || key == "valueOf" || key == "toJSON" || key == "Symbol.toPrimitive")
    return JSObjectMakeFunctionWithCallback(ctx, name, reference_text);
  if (key.starts_with("Symbol.")) return nullptr;  // Symbol.iterator, Symbol.toStringTag, ...
  if (key != "constructor" && has_member(ctx, "String", name)) {
    JSObjectRef error =
        make_error(ctx, secret->call + "." + key +
                            ": a secret has no text in a stack file: strata decrypts it only when a component "
                            "that uses it runs, so JavaScript cannot read or change it");
    set_property(ctx, error, "strataHint",
                 make_string(ctx, "use the secret whole or inside a string ('postgres://u:' + " + secret->call +
                                      " + '@db'), and change it in Terraform (for example upper(var.password))"));
    *exception = error;
    return nullptr;
  }
  if (has_member(ctx, "Object", name)) return nullptr;  // hasOwnProperty, __proto__, ...
  if (secret->ref.starts_with("sops://") && secret->ref.find('#') != std::string::npos) {
    std::string ref = secret->ref;
    if (ref.back() != '/') ref += '/';
    return make_secret_ref(ctx, ref + pointer_part(key), secret->call + "." + key, secret->where);
  }
  return nullptr;
}

void finalize(JSObjectRef object) { delete static_cast<SecretRef*>(JSObjectGetPrivate(object)); }

JSClassRef secret_class() {
  static JSClassRef cls = [] {
    JSClassDefinition def = kJSClassDefinitionEmpty;
    def.className = "Secret";
    def.getProperty = get_member;
    def.finalize = finalize;
    return JSClassCreate(&def);
  }();
  return cls;
}

}  // namespace

JSObjectRef make_secret_ref(JSContextRef ctx, const std::string& ref, const std::string& call, const Origin& where) {
  auto secret = std::make_unique<SecretRef>(SecretRef{ref, call, where});
  JSObjectRef object = JSObjectMake(ctx, secret_class(), secret.get());
  secret.release();  // finalize deletes it
  return object;
}

std::optional<Value> secret_ref_value(JSContextRef ctx, JSValueRef value) {
  SecretRef* secret = secret_of(ctx, value);
  if (!secret) return std::nullopt;
  Value out(secret_template(secret->ref));
  out.set_origin(secret->where);
  return out;
}

std::string secret_template(const std::string& ref) { return "{{ secret `" + ref + "` }}"; }

}  // namespace strata::js

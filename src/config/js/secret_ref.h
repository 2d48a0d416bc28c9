// A secret in a stack file: secrets('sops://f#/a') and secret('a.b') return a reference, never
// the plaintext. strata decrypts it when a component that uses it runs, so loading stack files
// needs no key (`list`, `graph` and `plan dev` work without prod's key) and no decrypted byte
// lives in the loaded model or its cache.
//
// In JavaScript the reference is an object whose string form is the template action that reads
// the secret (`{{ secret `sops://f#/a` }}`): used whole, inside a string ('postgres://u:' +
// secret('db.pw') + '@db') or in a template literal it stays a reference, and the value rendered
// from it is sensitive. Something that needs the plaintext in JavaScript (secret('x').length,
// .toUpperCase()) is an error at its line. A property of a SOPS secret names the key below it
// (secret('db').password is secret('db.password')).
#pragma once

#include <JavaScriptCore/JavaScript.h>

#include <optional>
#include <string>

#include "model/value.h"

namespace strata::js {

// A reference object for `ref` ("sops://secrets.enc.yaml#/db/pw"); `call` is how the stack file
// wrote it ("secret('db.pw')"), for messages; `where` is the call's position.
JSObjectRef make_secret_ref(JSContextRef ctx, const std::string& ref, const std::string& call, const Origin& where);
// When `value` is a reference: the template action it stands for, with the position of the
// call that made it as the value's origin. Else nullopt.
std::optional<Value> secret_ref_value(JSContextRef ctx, JSValueRef value);
// "{{ secret `REF` }}".
std::string secret_template(const std::string& ref);

}  // namespace strata::js

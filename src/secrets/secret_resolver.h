// SecretResolver: how the JS front-end turns secrets('sops://file#/a/b') and secret('a.b') into
// values. Abstract so tests can use a fake; the real implementation (SopsSecretResolver) is beside it.
#pragma once

#include <string>

#include "model/origin.h"
#include "model/value.h"

namespace strata {

class SecretResolver {
 public:
  virtual ~SecretResolver() = default;
  // Resolves a reference such as "sops://secrets.enc.yaml#/db/password" or "op://v/i/f".
  // Returns the value marked sensitive; throws strata::Error (naming `where`) when it cannot.
  virtual Value resolve(const std::string& ref, const Origin& where) = 0;
  // Checks what can be checked without decrypting (for `validate`): by default nothing. Throws
  // strata::Error (naming `where`) for a reference that resolve() would certainly refuse.
  virtual void check(const std::string& ref, const Origin& where) {
    (void)ref;
    (void)where;
  }
};

}  // namespace strata

// SopsSecretResolver: resolves "sops://FILE#/a/b" (JSON pointer) and "sops://FILE#a.b" (Comet
// dotted form) references by decrypting FILE in-process. Relative FILEs are resolved against
// the base directory. Each file is decrypted once per (path, mtime); every resolved string is
// registered with the Redactor so logs and output never show it.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <string>

#include "base/log.h"
#include "secrets/secret_resolver.h"
#include "secrets/sops.h"

namespace strata::secrets {

// The value at a key path inside a decrypted tree: "/a/b~1c" (a JSON pointer) or "a.b" (Comet's
// dotted form); a list takes an index. Null when there is none.
const Value* find_key_path(const Value& tree, const std::string& path);

class SopsSecretResolver : public SecretResolver {
 public:
  // `redactor` may be null (tests); it must outlive the resolver.
  SopsSecretResolver(std::string base_dir, Redactor* redactor, SopsOptions options = {});

  // Returns the value (a scalar or a whole subtree) marked sensitive throughout. Throws
  // strata::Error at `where` naming the file and key path (never a secret value).
  Value resolve(const std::string& ref, const Origin& where) override;

  // The file exists, parses as SOPS and holds the key path: all that is knowable without a key.
  void check(const std::string& ref, const Origin& where) override;

  // How many times a file was actually decrypted (cache misses); for tests.
  int decrypt_count() const;

 private:
  struct Cached {
    std::filesystem::file_time_type mtime;
    Value tree;
  };
  const Value& load(const std::string& path, const std::string& ref, const Origin& where);
  Error file_not_found(const std::string& ref, const std::string& path, const Origin& where) const;
  // The file's absolute path and the key path of a reference; throws for a malformed one.
  std::pair<std::string, std::string> split(const std::string& ref, const Origin& where) const;

  std::string base_dir_;
  Redactor* redactor_;
  SopsOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, Cached> cache_;
  int decrypt_count_ = 0;
};

}  // namespace strata::secrets

// SOPS file decryption in-process: YAML, JSON, dotenv, INI and binary files whose values are
// ENC[AES256_GCM,...] strings, with the data key unwrapped from age recipients (in-process) or
// PGP recipients (`gpg --decrypt`), and the file MAC verified.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/origin.h"
#include "model/value.h"
#include "secrets/age.h"

namespace strata::secrets {

enum class SopsFormat { kYaml, kJson, kDotenv, kIni, kBinary };
// From the file extension: .yaml/.yml, .json, .env, .ini; anything else is binary.
SopsFormat sops_format_for_path(const std::string& path);

struct SopsOptions {
  // Accept a file whose MAC is missing or does not match (sops --ignore-mac). Off by default.
  bool ignore_mac = false;
  // age identities; when unset they come from SOPS_AGE_KEY, SOPS_AGE_KEY_FILE and
  // $XDG_CONFIG_HOME/sops/age/keys.txt (default ~/.config/sops/age/keys.txt), as sops does.
  std::optional<std::vector<age::Identity>> age_identities;
  // GNUPGHOME for `gpg --decrypt`; empty = inherited.
  std::string gnupg_home;
  std::string gpg_program = "gpg";
  // Files only a cloud KMS or Vault can open are handed to this sops binary (a name looked up
  // in PATH, or a path) with `sops --decrypt --output-type json FILE`; "" = never.
  std::string sops_program = "sops";
  // The environment keys, PATH and the gpg/sops child processes come from; unset = the
  // process's. A workspace always sets it (it never reads the process environment).
  std::optional<std::map<std::string, std::string>> environment;
};

// One parsed ENC[...] value.
struct EncValue {
  std::string data, iv, tag, type;
};
// Parses "ENC[AES256_GCM,data:...,iv:...,tag:...,type:...]"; nullopt when malformed.
std::optional<EncValue> parse_enc(std::string_view text);
// Encrypts one value as sops does (for fixtures and benchmarks): AAD is `aad`, type as given.
std::string encrypt_enc(std::string_view plaintext, std::string_view key, std::string_view aad,
                        std::string_view type);

// Builds an encrypted SOPS YAML document of string values (a flat map, in the given order)
// for the age recipient "age1...": for fixtures, tests and benchmarks.
// `data_key`, when given, receives the random 32-byte data key.
std::string encrypt_sops_yaml(const std::vector<std::pair<std::string, std::string>>& values,
                              const std::string& age_recipient, std::string* data_key = nullptr);

// Loads the identities sops would use from the environment (see SopsOptions), SSH keys
// included: SOPS_AGE_SSH_PRIVATE_KEY_FILE, then ~/.ssh/id_ed25519 and ~/.ssh/id_rsa. A default
// SSH key that cannot be used (passphrase, unsupported type) is skipped and described in
// `skipped`; a key named by an environment variable that cannot be used is an error.
std::vector<age::Identity> age_identities_from_environment(
    std::vector<std::string>* skipped = nullptr);
// The same from the environment `env` instead of the process's.
std::vector<age::Identity> age_identities_from_environment(
    const std::map<std::string, std::string>& env, std::vector<std::string>* skipped = nullptr);

// Decrypts a SOPS document. The result is the plaintext tree without the `sops` metadata;
// decrypted leaves are marked sensitive and carry their Origin. Throws strata::Error naming
// the file (and the key path when one is involved), never a secret value.
Value decrypt_sops(std::string_view text, SopsFormat format, const std::string& path,
                   const SopsOptions& options = {});
// The same for a file; a file that only a cloud KMS or Vault recipient can open goes to the sops
// binary when one is installed (every value it returns is then marked sensitive).
Value decrypt_sops_file(const std::string& path, const SopsOptions& options = {});

// The keys of a SOPS document without decrypting anything (no key needed): maps and lists as in
// the file, every leaf null, the `sops` metadata left out. SOPS keeps key names in clear, so
// this tells whether a key path exists. Throws strata::Error for a file that does not parse.
Value sops_key_tree(std::string_view text, SopsFormat format, const std::string& path);

}  // namespace strata::secrets

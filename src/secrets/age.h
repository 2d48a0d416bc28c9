// age (age-encryption.org/v1) decryption: strict header parsing, X25519, scrypt and SSH recipients,
// the header HMAC, the STREAM payload and the ASCII armor. Also a small X25519 encryptor used
// by tests and benchmarks to build fixtures.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/error.h"
#include "model/origin.h"
#include "secrets/ssh_key.h"

namespace strata::age {

// The kinds of failure the C2SP CCTV vectors distinguish.
enum class FailureKind { kArmor, kHeader, kNoMatch, kHmac, kPayload, kIdentity };
const char* failure_kind_name(FailureKind kind);  // "armor failure", "header failure", ...

class AgeError : public Error {
 public:
  AgeError(FailureKind kind, std::string message, Origin origin = {}, std::string hint = {})
      : Error(std::move(message), std::move(origin), std::move(hint)), failure_(kind) {}
  // Which CCTV failure this is (Error::kind() is the user-facing kind: user input).
  FailureKind failure() const { return failure_; }

 private:
  FailureKind failure_;
};

// An identity that can unwrap a file key: an X25519 secret key, a scrypt passphrase, or an SSH
// key (age's ssh-ed25519 and ssh-rsa stanzas, as filippo.io/age/agessh writes them).
class Identity {
 public:
  enum class Kind { kX25519, kPassphrase, kSshEd25519, kSshRsa };

  // Parses "AGE-SECRET-KEY-1..." (Bech32). Throws AgeError(kIdentity) when malformed.
  static Identity x25519(std::string_view bech32, const Origin& where = {});
  static Identity passphrase(std::string passphrase);
  static Identity ssh(const secrets::SshPrivateKey& key);

  Kind kind() const { return kind_; }
  bool is_passphrase() const { return kind_ == Kind::kPassphrase; }
  // The matching "age1..." recipient (X25519 identities only).
  std::string recipient() const;
  // X25519 scalar, passphrase, or the RSA key's DER.
  const std::string& secret() const { return secret_; }
  const std::string& public_key() const { return public_; }
  // SSH identities: the short tag their stanzas carry, and the public key's wire encoding.
  const std::string& ssh_tag() const { return ssh_tag_; }
  const std::string& ssh_blob() const { return ssh_blob_; }

 private:
  Kind kind_ = Kind::kX25519;
  std::string secret_;
  std::string public_;  // X25519 public key (X25519 and ssh-ed25519 identities)
  std::string ssh_blob_;
  std::string ssh_tag_;
};

// Parses an identity file: one AGE-SECRET-KEY-1 per line, '#' comments and blank lines
// ignored. Post-quantum (AGE-SECRET-KEY-PQ-1) lines are skipped. Throws on anything else.
std::vector<Identity> parse_identities(std::string_view text, const Origin& where = {});

// True when `data` (after leading whitespace) starts with the armor BEGIN line.
bool is_armored(std::string_view data);
// Decodes the strict ASCII armor. Throws AgeError(kArmor).
std::string dearmor(std::string_view data, const Origin& where = {});
std::string armor(std::string_view binary);

// Decrypts an age file (binary or armored, detected). Throws AgeError of the matching kind.
// `released`, when given, receives the plaintext authenticated before any payload failure.
std::string decrypt(std::string_view file, const std::vector<Identity>& identities,
                    const Origin& where = {}, std::string* released = nullptr);

// Encrypts to X25519 recipients ("age1...") and SSH public keys ("ssh-ed25519 AAAA...",
// "ssh-rsa AAAA..."). For fixtures and benchmarks.
std::string encrypt(std::string_view plaintext, const std::vector<std::string>& recipients,
                    bool armored = false);

}  // namespace strata::age

// SSH private and public keys as age's ssh-ed25519 and ssh-rsa recipients use them
// (filippo.io/age/agessh): OpenSSH's own private key format ("openssh-key-v1"), PEM RSA keys
// (PKCS#1 and PKCS#8), and authorized_keys lines. Passphrase-protected keys are recognised and
// refused with a clear error: strata never prompts.
#pragma once

#include <string>
#include <string_view>

#include "model/error.h"
#include "model/origin.h"

namespace strata::secrets {

enum class SshKeyType { kEd25519, kRsa };

struct SshPrivateKey {
  SshKeyType type = SshKeyType::kEd25519;
  std::string public_blob;   // the public key in SSH wire encoding (what fingerprints hash)
  std::string ed25519_seed;  // 32 bytes (Ed25519 only)
  std::string rsa_der;       // the RSA private key as DER, for OpenSSL (RSA only)
  std::string comment;
};

// Thrown for a passphrase-protected key, so callers looking in default places can skip it.
class SshKeyLocked : public Error {
 public:
  using Error::Error;
};

// Parses an SSH private key file's text. Throws Error (SshKeyLocked for an encrypted key)
// naming `where`; never returns a partial key.
SshPrivateKey parse_ssh_private_key(std::string_view text, const Origin& where = {});

struct SshPublicKey {
  SshKeyType type = SshKeyType::kEd25519;
  std::string blob;         // SSH wire encoding
  std::string ed25519;      // 32-byte Ed25519 point (Ed25519 only)
  std::string rsa_n, rsa_e; // big-endian magnitudes (RSA only)
};

// Parses "ssh-ed25519 AAAA... comment" / "ssh-rsa AAAA... comment". Throws Error.
SshPublicKey parse_ssh_public_key(std::string_view line, const Origin& where = {});

// The short key tag age puts in ssh-* stanzas: unpadded base64 of SHA-256(blob)[:4].
std::string ssh_key_tag(std::string_view public_blob);

}  // namespace strata::secrets

// Thin wrappers over OpenSSL 3 for the primitives age and SOPS need. Byte strings are
// std::string (binary-safe). Functions throw strata::Error of kind environment only on an
// OpenSSL failure that input cannot cause (and rsa_oaep_sha256_encrypt one of kind user input
// for a key OpenSSL refuses); authentication failures are reported by return value.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace strata::secrets {

// Base64, standard alphabet. Strict: decode_* return nullopt on any character outside the
// alphabet, wrong length, or non-canonical encoding (non-zero unused bits).
std::string base64_encode(std::string_view data, bool pad = true);
// Base64url without padding (RFC 4648 §5): JWTs, PKCE, tokens in URLs.
std::string base64url_encode(std::string_view data);
// The PKCE S256 challenge of `verifier` (RFC 7636): base64url(SHA-256(verifier)).
std::string pkce_s256(std::string_view verifier);
std::optional<std::string> base64_decode_padded(std::string_view text);
// Padded standard base64 as Go's StdEncoding reads it (non-zero unused bits tolerated).
std::optional<std::string> base64_decode_std(std::string_view text);
std::optional<std::string> base64_decode_unpadded(std::string_view text);

std::string sha256(std::string_view data);
std::string sha512(std::string_view data);
std::string hex_encode(std::string_view data, bool upper = false);
std::string hmac_sha256(std::string_view key, std::string_view data);
// Whether a and b are the same bytes, in a time that does not depend on where they differ (MACs,
// tokens); different lengths are unequal.
bool equal_in_constant_time(std::string_view a, std::string_view b);
std::string hkdf_sha256(std::string_view ikm, std::string_view salt, std::string_view info,
                        size_t length);
// X25519: the public key of a private scalar; the shared secret (nullopt when OpenSSL refuses,
// e.g. an all-zero result from a low-order point).
std::string x25519_public(std::string_view private_key);
std::optional<std::string> x25519_shared(std::string_view private_key,
                                         std::string_view peer_public);
std::string random_bytes(size_t n);
// scrypt with r=8, p=1; nullopt if OpenSSL refuses the parameters.
std::optional<std::string> scrypt(std::string_view passphrase, std::string_view salt,
                                  int log2_n, size_t length);

// ChaCha20-Poly1305 with a 12-byte nonce; `ciphertext` includes the 16-byte tag at its end.
std::string chacha20poly1305_seal(std::string_view key, std::string_view nonce,
                                  std::string_view plaintext);
std::optional<std::string> chacha20poly1305_open(std::string_view key, std::string_view nonce,
                                                 std::string_view ciphertext);
// AES-256-GCM with any IV length (SOPS uses 32 bytes) and additional data.
struct GcmSealed {
  std::string ciphertext;
  std::string tag;
};
GcmSealed aes256gcm_seal(std::string_view key, std::string_view iv, std::string_view aad,
                         std::string_view plaintext);
std::optional<std::string> aes256gcm_open(std::string_view key, std::string_view iv,
                                          std::string_view aad, std::string_view ciphertext,
                                          std::string_view tag);

}  // namespace strata::secrets

namespace strata::secrets {

// RSA-OAEP with SHA-256 (hash and MGF1) and a label, as age's ssh-rsa stanzas use it.
// `private_der` is a DER RSA private key (see rsa_private_der and rsa_from_pem); nullopt when
// the ciphertext does not decrypt under that key.
std::optional<std::string> rsa_oaep_sha256_decrypt(std::string_view private_der,
                                                   std::string_view label,
                                                   std::string_view ciphertext);
// RSASSA-PKCS1-v1_5 with SHA-256 (JWT's RS256): the signature of `data` under a DER private key
// (rsa_from_pem's); nullopt when OpenSSL refuses the key.
std::optional<std::string> rsa_sha256_sign(std::string_view private_der, std::string_view data);
// Whether `signature` is that signature of `data` under the public key n, e (big-endian).
bool rsa_sha256_verify(std::string_view n, std::string_view e, std::string_view data, std::string_view signature);
// Encryption to a public key given as big-endian n and e. For fixtures and tests.
std::string rsa_oaep_sha256_encrypt(std::string_view n, std::string_view e, std::string_view label,
                                    std::string_view plaintext);
// A DER RSA private key from its big-endian components (OpenSSH stores n e d iqmp p q); the
// CRT exponents are derived. nullopt when OpenSSL refuses the components.
std::optional<std::string> rsa_private_der(std::string_view n, std::string_view e,
                                           std::string_view d, std::string_view p,
                                           std::string_view q, std::string_view iqmp);
// An RSA private key in PEM (PKCS#1 "RSA PRIVATE KEY" or PKCS#8 "PRIVATE KEY"): its DER and
// public n and e. nullopt when it is not an RSA key OpenSSL can read without a passphrase.
struct RsaKey {
  std::string der, n, e;
};
std::optional<RsaKey> rsa_from_pem(std::string_view pem);

// The X25519 (Montgomery u) coordinate of an Ed25519 public point: u = (1 + y) / (1 - y).
// nullopt when y is out of range. Used to encrypt to ssh-ed25519 recipients in tests.
std::optional<std::string> ed25519_public_to_x25519(std::string_view point);

}  // namespace strata::secrets

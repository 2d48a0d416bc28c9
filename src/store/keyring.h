// Keyring: the keys the server seals what it keeps at rest with (DESIGN §11.7) — Terraform
// states, log chunks, reported outputs and plan changes. AES-256-GCM, a random 96-bit nonce per
// record, the record's identity (its state key, its activity and sequence number) as associated
// data, so a sealed value moved to another record does not open. Each key has a version; new
// records use the newest, old ones keep opening with theirs; a record whose key is gone fails
// loudly naming the version.
//
// The key ring file, one key per line (mode 0600; `#` comments):
//     1 <32 bytes, base64>
//     2 <32 bytes, base64>
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace strata::store {

// The prefix of a sealed value: "sealed:v<version>:<base64 of nonce, ciphertext and tag>". A
// stored value without it was written before the server sealed anything, and reads as is.
inline constexpr std::string_view kSealedPrefix = "sealed:v";

class Keyring {
 public:
  // Parses a key ring file's text; `where` names it in errors (file:line).
  static Keyring parse(const std::string& text, const std::string& where);
  // One new random key, version 1.
  static Keyring generate();

  // The file's text, newest version last.
  std::string text() const;
  // Adds a new random key whose version is one more than the newest; returns that version.
  int rotate();
  int current_version() const { return keys_.empty() ? 0 : keys_.rbegin()->first; }
  size_t size() const { return keys_.size(); }
  // A 32-byte secret for `purpose` (HMAC-SHA256 of it under the oldest key): the same on every
  // server with this key ring, and unchanged by a rotation.
  std::string derive(std::string_view purpose) const;

  // Seals `plaintext` with the newest key, bound to `record` (associated data).
  std::string seal(std::string_view plaintext, std::string_view record) const;
  // The same with the key of `version` (which must be in the ring).
  std::string seal_with(int version, std::string_view plaintext, std::string_view record) const;
  // The versions in the ring, oldest first.
  std::vector<int> versions() const;
  // Opens what seal() made for the same `record`; a value that is not sealed is returned as it
  // is. Throws strata::Error naming the version when its key is not in the ring, and when the
  // value was changed or belongs to another record.
  std::string open(std::string_view stored, std::string_view record) const;
  // The key version a stored value was sealed with; 0 when it is not sealed.
  static int version_of(std::string_view stored);

 private:
  std::map<int, std::string> keys_;  // version -> 32-byte key
};

// Reads the key ring file at `path`; throws strata::Error saying what is wrong and where.
Keyring read_keyring_file(const std::string& path);

}  // namespace strata::store

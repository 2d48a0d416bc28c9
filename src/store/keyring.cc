#include "store/keyring.h"

#include <cerrno>
#include <cstring>
#include <sstream>

#include "base/atomic_file.h"
#include "model/error.h"
#include "secrets/crypto.h"

namespace strata::store {

namespace {

constexpr size_t kKeyBytes = 32;
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t\r");
  return s.substr(a, b - a + 1);
}

}  // namespace

Keyring Keyring::parse(const std::string& text, const std::string& where) {
  Keyring ring;
  std::istringstream lines(text);
  int number = 0;
  for (std::string line; std::getline(lines, line);) {
    ++number;
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    const std::string at = where + ":" + std::to_string(number);
    size_t space = line.find_first_of(" \t");
    std::string version_text = line.substr(0, space);
    std::string key_text = space == std::string::npos ? "" : trim(line.substr(space));
    int version = 0;
    try {
      size_t used = 0;
      version = std::stoi(version_text, &used);
      if (used != version_text.size()) version = 0;
    } catch (const std::exception&) {
      version = 0;
    }
    const std::string hint = "each line is `VERSION KEY`: a whole number from 1 and 32 random bytes in base64 "
                             "(`strata server keyring rotate --keyring FILE` adds one)";
    if (version < 1) throw Error(ErrorKind::kUserInput, at + ": \"" + version_text + "\" is not a key version", {}, hint);
    std::optional<std::string> key = secrets::base64_decode_padded(key_text);
    if (!key || key->size() != kKeyBytes) {
      throw Error(ErrorKind::kUserInput,
                  at + ": the key of version " + std::to_string(version) + " is not 32 bytes in base64", {}, hint);
    }
    if (!ring.keys_.emplace(version, *key).second) {
      throw Error(ErrorKind::kUserInput, at + ": version " + std::to_string(version) + " is there twice", {},
                  "give each key its own version");
    }
  }
  if (ring.keys_.empty()) {
    throw Error(ErrorKind::kUserInput, where + ": the key ring holds no key", {},
                "generate one with `strata server keyring rotate --keyring FILE`");
  }
  return ring;
}

Keyring Keyring::generate() {
  Keyring ring;
  ring.keys_[1] = secrets::random_bytes(kKeyBytes);
  return ring;
}

std::string Keyring::text() const {
  std::string out =
      "# strata server key ring: what the server keeps at rest opens only with these keys.\n"
      "# Keep this file secret (mode 0600) and back it up with the database: without it nothing\n"
      "# in the database can be read back. The newest version seals new records.\n";
  for (const auto& [version, key] : keys_) out += std::to_string(version) + " " + secrets::base64_encode(key) + "\n";
  return out;
}

std::string Keyring::derive(std::string_view purpose) const {
  if (keys_.empty()) throw Error(ErrorKind::kInternal, "the key ring is empty");
  return secrets::hmac_sha256(keys_.begin()->second, purpose);
}

int Keyring::rotate() {
  int version = current_version() + 1;
  keys_[version] = secrets::random_bytes(kKeyBytes);
  return version;
}

std::string Keyring::seal(std::string_view plaintext, std::string_view record) const {
  if (keys_.empty()) throw Error(ErrorKind::kInternal, "the key ring is empty");
  return seal_with(keys_.rbegin()->first, plaintext, record);
}

std::vector<int> Keyring::versions() const {
  std::vector<int> out;
  for (const auto& [version, key] : keys_) out.push_back(version);
  return out;
}

std::string Keyring::seal_with(int version, std::string_view plaintext, std::string_view record) const {
  auto found = keys_.find(version);
  if (found == keys_.end()) throw Error(ErrorKind::kInternal, "no key version " + std::to_string(version));
  const std::string& key = found->second;
  std::string nonce = secrets::random_bytes(kNonceBytes);
  secrets::GcmSealed sealed = secrets::aes256gcm_seal(key, nonce, record, plaintext);
  return std::string(kSealedPrefix) + std::to_string(version) + ":" +
         secrets::base64_encode(nonce + sealed.ciphertext + sealed.tag);
}

int Keyring::version_of(std::string_view stored) {
  if (stored.substr(0, kSealedPrefix.size()) != kSealedPrefix) return 0;
  size_t colon = stored.find(':', kSealedPrefix.size());
  if (colon == std::string_view::npos) return 0;
  int version = 0;
  for (char c : stored.substr(kSealedPrefix.size(), colon - kSealedPrefix.size())) {
    if (c < '0' || c > '9' || version > 100000000) return 0;
    version = version * 10 + (c - '0');
  }
  return version;
}

std::string Keyring::open(std::string_view stored, std::string_view record) const {
  int version = version_of(stored);
  if (version == 0) return std::string(stored);
  auto key = keys_.find(version);
  if (key == keys_.end()) {
    throw Error(ErrorKind::kEnvironment,
                "a stored record (" + std::string(record) + ") is sealed with key version " + std::to_string(version) +
                    ", which the key ring does not hold (it has " + std::to_string(keys_.begin()->first) + "–" +
                    std::to_string(current_version()) + ")",
                {}, "start the server with the key ring that holds version " + std::to_string(version));
  }
  std::string_view body = stored.substr(stored.find(':', kSealedPrefix.size()) + 1);
  std::optional<std::string> raw = secrets::base64_decode_padded(body);
  std::optional<std::string> plain;
  if (raw && raw->size() >= kNonceBytes + kTagBytes) {
    plain = secrets::aes256gcm_open(key->second, std::string_view(*raw).substr(0, kNonceBytes), record,
                                    std::string_view(*raw).substr(kNonceBytes, raw->size() - kNonceBytes - kTagBytes),
                                    std::string_view(*raw).substr(raw->size() - kTagBytes));
  }
  if (!plain) {
    throw Error(ErrorKind::kInternal,
                "a stored record (" + std::string(record) + ", key version " + std::to_string(version) +
                    ") does not open: it was changed, or it belongs to another record",
                {}, "restore the database from a backup; the key ring is the right one (its version opened others)");
  }
  return *plain;
}

Keyring read_keyring_file(const std::string& path) {
  std::string text;
  if (!try_read_file(path, text)) {
    throw Error(ErrorKind::kEnvironment, "cannot read the key ring " + path + ": " + std::strerror(errno), {},
                "give the server the key ring file it was started with (--keyring FILE or STRATA_SERVER_KEYRING)");
  }
  return Keyring::parse(text, path);
}

}  // namespace strata::store

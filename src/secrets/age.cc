#include "secrets/age.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>

#include "secrets/crypto.h"

namespace strata::age {
namespace {

using secrets::base64_decode_unpadded;
using secrets::base64_encode;

constexpr std::string_view kVersionLine = "age-encryption.org/v1";
constexpr std::string_view kArmorBegin = "-----BEGIN AGE ENCRYPTED FILE-----";
constexpr std::string_view kArmorEnd = "-----END AGE ENCRYPTED FILE-----";
constexpr size_t kChunkSize = 64 * 1024;
constexpr size_t kTagSize = 16;
constexpr int kMaxScryptWorkFactor = 22;
constexpr char kBech32Charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

// ---- Bech32 (BIP 173), as age uses it for keys. ----
uint32_t bech32_polymod(const std::vector<uint8_t>& values) {
  static const uint32_t kGen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  uint32_t chk = 1;
  for (uint8_t v : values) {
    uint8_t top = uint8_t(chk >> 25);
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (int i = 0; i < 5; ++i)
      if ((top >> i) & 1) chk ^= kGen[i];
  }
  return chk;
}

std::vector<uint8_t> hrp_expand(std::string_view hrp) {
  std::vector<uint8_t> out;
  for (char c : hrp) out.push_back(uint8_t(c) >> 5);
  out.push_back(0);
  for (char c : hrp) out.push_back(uint8_t(c) & 31);
  return out;
}

// Returns the 8-bit payload, or nullopt. `hrp` receives the lower-case prefix.
std::optional<std::string> bech32_decode(std::string_view text, std::string* hrp) {
  bool lower = false, upper = false;
  for (char c : text) {
    if (c < 33 || c > 126) return std::nullopt;
    if (std::islower(static_cast<unsigned char>(c))) lower = true;
    if (std::isupper(static_cast<unsigned char>(c))) upper = true;
  }
  if (lower && upper) return std::nullopt;
  std::string s(text);
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  size_t sep = s.rfind('1');
  if (sep == std::string::npos || sep == 0 || sep + 7 > s.size()) return std::nullopt;
  *hrp = s.substr(0, sep);
  std::vector<uint8_t> values = hrp_expand(*hrp);
  std::vector<uint8_t> data;
  for (size_t i = sep + 1; i < s.size(); ++i) {
    const char* p = std::strchr(kBech32Charset, s[i]);
    if (!p || s[i] == '\0') return std::nullopt;
    data.push_back(uint8_t(p - kBech32Charset));
  }
  values.insert(values.end(), data.begin(), data.end());
  if (bech32_polymod(values) != 1) return std::nullopt;
  data.resize(data.size() - 6);
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (uint8_t v : data) {
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out += char((acc >> bits) & 0xff);
    }
  }
  if (bits >= 5 || (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

std::string bech32_encode(std::string_view hrp, std::string_view payload) {
  std::vector<uint8_t> data;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : payload) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      data.push_back(uint8_t((acc >> bits) & 31));
    }
  }
  if (bits > 0) data.push_back(uint8_t((acc << (5 - bits)) & 31));
  std::vector<uint8_t> values = hrp_expand(hrp);
  values.insert(values.end(), data.begin(), data.end());
  values.insert(values.end(), 6, 0);
  uint32_t mod = bech32_polymod(values) ^ 1;
  std::string out(hrp);
  out += '1';
  for (uint8_t v : data) out += kBech32Charset[v];
  for (int i = 0; i < 6; ++i) out += kBech32Charset[(mod >> (5 * (5 - i))) & 31];
  return out;
}

// ---- Header ----
struct Stanza {
  std::vector<std::string> args;  // args[0] is the type
  std::string body;
};

struct Header {
  std::vector<Stanza> stanzas;
  std::string mac;
  std::string_view mac_input;  // header bytes up to and including "---"
  std::string_view payload;
};

[[noreturn]] void fail(FailureKind kind, const std::string& message, const Origin& where,
                       std::string hint = {}) {
  throw AgeError(kind, message, where, std::move(hint));
}

bool is_b64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

// Reads one '\n'-terminated line starting at *pos.
std::optional<std::string_view> next_line(std::string_view data, size_t* pos) {
  size_t nl = data.find('\n', *pos);
  if (nl == std::string_view::npos) return std::nullopt;
  std::string_view line = data.substr(*pos, nl - *pos);
  *pos = nl + 1;
  return line;
}

Header parse_header(std::string_view data, const Origin& where) {
  const char* hint = "the file is not a valid age file or is damaged; re-encrypt it";
  Header h;
  size_t pos = 0;
  auto version = next_line(data, &pos);
  if (!version) fail(FailureKind::kHeader, "age header: missing version line", where, hint);
  if (*version != kVersionLine)
    fail(FailureKind::kHeader, "age header: unsupported version line", where,
         "only age-encryption.org/v1 files are supported");
  while (true) {
    size_t line_start = pos;
    auto line = next_line(data, &pos);
    if (!line) fail(FailureKind::kHeader, "age header: truncated (no '---' line)", where, hint);
    if (line->substr(0, 3) == "---") {
      if (line->size() < 4 || (*line)[3] != ' ')
        fail(FailureKind::kHeader, "age header: malformed MAC line", where, hint);
      std::string_view mac_text = line->substr(4);
      auto mac = mac_text.size() == 43 ? base64_decode_unpadded(mac_text) : std::nullopt;
      if (!mac || mac->size() != 32)
        fail(FailureKind::kHeader, "age header: malformed MAC", where, hint);
      if (h.stanzas.empty())
        fail(FailureKind::kHeader, "age header: no recipient stanzas", where, hint);
      h.mac = *mac;
      h.mac_input = data.substr(0, line_start + 3);
      h.payload = data.substr(pos);
      return h;
    }
    if (line->substr(0, 3) != "-> ")
      fail(FailureKind::kHeader, "age header: expected a stanza ('-> ') or '---'", where, hint);
    Stanza st;
    std::string_view rest = line->substr(3);
    size_t start = 0;
    while (true) {
      size_t sp = rest.find(' ', start);
      std::string_view arg = rest.substr(start, sp == std::string_view::npos ? rest.npos : sp - start);
      if (arg.empty()) fail(FailureKind::kHeader, "age header: empty stanza argument", where, hint);
      for (char c : arg)
        if (c < 33 || c > 126)
          fail(FailureKind::kHeader, "age header: invalid character in stanza argument", where,
               hint);
      st.args.emplace_back(arg);
      if (sp == std::string_view::npos) break;
      start = sp + 1;
    }
    std::string body_text;
    while (true) {
      auto body_line = next_line(data, &pos);
      if (!body_line) fail(FailureKind::kHeader, "age header: truncated stanza body", where, hint);
      if (body_line->size() > 64)
        fail(FailureKind::kHeader, "age header: stanza body line longer than 64 columns", where,
             hint);
      for (char c : *body_line)
        if (!is_b64_char(c))
          fail(FailureKind::kHeader, "age header: invalid character in stanza body", where, hint);
      body_text += *body_line;
      if (body_line->size() < 64) break;
    }
    auto body = base64_decode_unpadded(body_text);
    if (!body) fail(FailureKind::kHeader, "age header: stanza body is not canonical base64", where, hint);
    st.body = std::move(*body);
    h.stanzas.push_back(std::move(st));
  }
}

std::optional<std::string> unwrap_scrypt(const Identity& id, const Stanza& st,
                                         const Origin& where);

std::optional<std::string> unwrap_x25519(const Identity& id, const Stanza& st, const Origin& where) {
  if (st.args[0] != "X25519") return std::nullopt;
  if (st.args.size() != 2)
    fail(FailureKind::kHeader, "age header: X25519 stanza must have exactly one argument", where);
  auto share = base64_decode_unpadded(st.args[1]);
  if (!share || share->size() != 32)
    fail(FailureKind::kHeader, "age header: invalid X25519 share", where);
  if (st.body.size() != 32)
    fail(FailureKind::kHeader, "age header: X25519 stanza body must wrap a 16-byte file key", where);
  auto shared = secrets::x25519_shared(id.secret(), *share);
  if (!shared)
    fail(FailureKind::kHeader, "age header: X25519 share is a low-order point", where);
  std::string salt = *share + id.public_key();
  std::string key = secrets::hkdf_sha256(*shared, salt, "age-encryption.org/v1/X25519", 32);
  return secrets::chacha20poly1305_open(key, std::string(12, '\0'), st.body);
}

constexpr std::string_view kSshEd25519Label = "age-encryption.org/v1/ssh-ed25519";
constexpr std::string_view kSshRsaLabel = "age-encryption.org/v1/ssh-rsa";

// The key that wraps the file key in an ssh-ed25519 stanza (agessh's construction): the X25519
// shared secret multiplied by a tweak derived from the SSH public key, then HKDF over the
// ephemeral share and the recipient's X25519 public key. nullopt on a low-order result.
std::optional<std::string> ssh_ed25519_wrap_key(const std::string& shared,
                                                const std::string& ssh_blob,
                                                const std::string& share,
                                                const std::string& recipient_public) {
  std::string tweak = secrets::hkdf_sha256("", ssh_blob, kSshEd25519Label, 32);
  auto tweaked = secrets::x25519_shared(tweak, shared);
  if (!tweaked) return std::nullopt;
  return secrets::hkdf_sha256(*tweaked, share + recipient_public, kSshEd25519Label, 32);
}

// The ssh-ed25519 stanza: X25519 with the Ed25519 key's scalar (see ssh_ed25519_wrap_key).
std::optional<std::string> unwrap_ssh_ed25519(const Identity& id, const Stanza& st,
                                              const Origin& where) {
  if (st.args[0] != "ssh-ed25519") return std::nullopt;
  if (st.args.size() != 3)
    fail(FailureKind::kHeader, "age header: ssh-ed25519 stanza must have two arguments", where);
  auto share = base64_decode_unpadded(st.args[2]);
  if (!share || share->size() != 32)
    fail(FailureKind::kHeader, "age header: invalid ssh-ed25519 share", where);
  if (st.args[1] != id.ssh_tag()) return std::nullopt;
  if (st.body.size() != 32)
    fail(FailureKind::kHeader, "age header: ssh-ed25519 stanza body must wrap a 16-byte file key",
         where);
  auto shared = secrets::x25519_shared(id.secret(), *share);
  if (!shared) fail(FailureKind::kHeader, "age header: ssh-ed25519 share is a low-order point", where);
  auto key = ssh_ed25519_wrap_key(*shared, id.ssh_blob(), *share, id.public_key());
  if (!key) fail(FailureKind::kHeader, "age header: invalid ssh-ed25519 share", where);
  return secrets::chacha20poly1305_open(*key, std::string(12, '\0'), st.body);
}

std::optional<std::string> unwrap_ssh_rsa(const Identity& id, const Stanza& st,
                                          const Origin& where) {
  if (st.args[0] != "ssh-rsa") return std::nullopt;
  if (st.args.size() != 2)
    fail(FailureKind::kHeader, "age header: ssh-rsa stanza must have one argument", where);
  if (st.args[1] != id.ssh_tag()) return std::nullopt;
  auto key = secrets::rsa_oaep_sha256_decrypt(id.secret(), kSshRsaLabel, st.body);
  if (!key)
    fail(FailureKind::kHeader,
         "age header: the ssh-rsa stanza for this key does not decrypt (damaged or forged)", where);
  return key;
}

std::optional<std::string> unwrap(const Identity& id, const Stanza& st, const Origin& where) {
  switch (id.kind()) {
    case Identity::Kind::kX25519: return unwrap_x25519(id, st, where);
    case Identity::Kind::kPassphrase: return unwrap_scrypt(id, st, where);
    case Identity::Kind::kSshEd25519: return unwrap_ssh_ed25519(id, st, where);
    case Identity::Kind::kSshRsa: return unwrap_ssh_rsa(id, st, where);
  }
  return std::nullopt;
}

std::optional<std::string> unwrap_scrypt(const Identity& id, const Stanza& st,
                                         const Origin& where) {
  if (st.args[0] != "scrypt") return std::nullopt;
  if (st.args.size() != 3)
    fail(FailureKind::kHeader, "age header: scrypt stanza must have two arguments", where);
  auto salt = base64_decode_unpadded(st.args[1]);
  if (!salt || salt->size() != 16) fail(FailureKind::kHeader, "age header: invalid scrypt salt", where);
  const std::string& wf = st.args[2];
  bool ok = !wf.empty() && wf.size() <= 2 && wf[0] >= '1' && wf[0] <= '9' &&
            std::all_of(wf.begin(), wf.end(), [](char c) { return c >= '0' && c <= '9'; });
  int log2n = ok ? std::stoi(wf) : 0;
  if (!ok) fail(FailureKind::kHeader, "age header: invalid scrypt work factor", where);
  if (log2n > kMaxScryptWorkFactor)
    fail(FailureKind::kHeader,
         "age header: scrypt work factor " + wf + " is above the limit of " +
             std::to_string(kMaxScryptWorkFactor),
         where, "re-encrypt the file with a lower work factor");
  if (st.body.size() != 32)
    fail(FailureKind::kHeader, "age header: scrypt stanza body must wrap a 16-byte file key", where);
  auto key = secrets::scrypt(id.secret(), "age-encryption.org/v1/scrypt" + *salt, log2n, 32);
  if (!key) fail(FailureKind::kHeader, "age header: scrypt parameters refused", where);
  return secrets::chacha20poly1305_open(*key, std::string(12, '\0'), st.body);
}

std::string chunk_nonce(uint64_t counter, bool last) {
  std::string nonce(12, '\0');
  for (int i = 0; i < 8; ++i) nonce[10 - i] = char((counter >> (8 * i)) & 0xff);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

void decrypt_payload(std::string_view payload, const std::string& file_key, std::string* out,
                     const Origin& where) {
  const char* hint = "the encrypted file is truncated or was modified";
  if (payload.size() < 16)
    fail(FailureKind::kHeader, "age: payload nonce missing or short", where, hint);
  std::string key = secrets::hkdf_sha256(file_key, payload.substr(0, 16), "payload", 32);
  size_t pos = 16;
  uint64_t counter = 0;
  const size_t full = kChunkSize + kTagSize;
  while (true) {
    size_t remaining = payload.size() - pos;
    if (remaining == 0)
      fail(FailureKind::kPayload,
           counter == 0 ? "age payload: no chunks" : "age payload: final chunk missing", where,
           hint);
    size_t n = std::min(remaining, full);
    if (n < kTagSize) fail(FailureKind::kPayload, "age payload: chunk too short", where, hint);
    std::string_view chunk = payload.substr(pos, n);
    pos += n;
    if (n == full) {
      auto pt = secrets::chacha20poly1305_open(key, chunk_nonce(counter, false), chunk);
      if (pt) {
        *out += *pt;
        ++counter;
        continue;
      }
    }
    auto pt = secrets::chacha20poly1305_open(key, chunk_nonce(counter, true), chunk);
    if (!pt) fail(FailureKind::kPayload, "age payload: chunk authentication failed", where, hint);
    if (pt->empty() && counter > 0)
      fail(FailureKind::kPayload, "age payload: empty final chunk", where, hint);
    *out += *pt;
    if (pos != payload.size())
      fail(FailureKind::kPayload, "age payload: data after the final chunk", where, hint);
    return;
  }
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

const char* failure_kind_name(FailureKind kind) {
  switch (kind) {
    case FailureKind::kArmor: return "armor failure";
    case FailureKind::kHeader: return "header failure";
    case FailureKind::kNoMatch: return "no match";
    case FailureKind::kHmac: return "HMAC failure";
    case FailureKind::kPayload: return "payload failure";
    case FailureKind::kIdentity: return "identity failure";
  }
  return "failure";
}

Identity Identity::x25519(std::string_view text, const Origin& where) {
  std::string hrp;
  auto key = bech32_decode(text, &hrp);
  if (!key || hrp != "age-secret-key-" || key->size() != 32)
    fail(FailureKind::kIdentity, "malformed age identity (expected AGE-SECRET-KEY-1...)", where,
         "check the key file; an age identity is one line starting with AGE-SECRET-KEY-1");
  Identity id;
  id.secret_ = std::move(*key);
  id.public_ = secrets::x25519_public(id.secret_);
  return id;
}

Identity Identity::passphrase(std::string passphrase) {
  Identity id;
  id.kind_ = Kind::kPassphrase;
  id.secret_ = std::move(passphrase);
  return id;
}

Identity Identity::ssh(const secrets::SshPrivateKey& key) {
  Identity id;
  id.ssh_blob_ = key.public_blob;
  id.ssh_tag_ = secrets::ssh_key_tag(key.public_blob);
  if (key.type == secrets::SshKeyType::kEd25519) {
    id.kind_ = Kind::kSshEd25519;
    id.secret_ = secrets::sha512(key.ed25519_seed).substr(0, 32);
    id.public_ = secrets::x25519_public(id.secret_);
  } else {
    id.kind_ = Kind::kSshRsa;
    id.secret_ = key.rsa_der;
  }
  return id;
}

std::string Identity::recipient() const { return bech32_encode("age", public_); }

std::vector<Identity> parse_identities(std::string_view text, const Origin& where) {
  std::vector<Identity> out;
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    while (!line.empty() && is_space(line.back())) line.remove_suffix(1);
    while (!line.empty() && is_space(line.front())) line.remove_prefix(1);
    if (line.empty() || line[0] == '#') continue;
    if (line.substr(0, 19) == "AGE-SECRET-KEY-PQ-1") continue;  // post-quantum: unsupported
    out.push_back(Identity::x25519(line, where.known() ? where.at(line_no, 1) : where));
  }
  return out;
}

bool is_armored(std::string_view data) {
  size_t i = 0;
  while (i < data.size() && is_space(data[i])) ++i;
  return data.substr(i, kArmorBegin.size()) == kArmorBegin;
}

std::string dearmor(std::string_view data, const Origin& where) {
  const char* hint = "the armored age file is damaged; re-encrypt it";
  size_t pos = 0;
  while (pos < data.size() && is_space(data[pos])) ++pos;
  auto read_line = [&](std::string_view* line) -> bool {
    if (pos >= data.size()) return false;
    size_t nl = data.find('\n', pos);
    if (nl == std::string_view::npos) {
      *line = data.substr(pos);
      pos = data.size();
    } else {
      *line = data.substr(pos, nl - pos);
      pos = nl + 1;
    }
    if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
    return true;
  };
  std::string_view line;
  if (!read_line(&line) || line != kArmorBegin)
    fail(FailureKind::kArmor, "age armor: missing BEGIN AGE ENCRYPTED FILE line", where, hint);
  std::string b64;
  bool short_seen = false;
  while (true) {
    if (!read_line(&line))
      fail(FailureKind::kArmor, "age armor: missing END AGE ENCRYPTED FILE line", where, hint);
    if (line == kArmorEnd) break;
    if (short_seen)
      fail(FailureKind::kArmor, "age armor: short line before the end of the armor", where, hint);
    if (line.empty() || line.size() > 64)
      fail(FailureKind::kArmor, "age armor: line length is not 1..64 columns", where, hint);
    for (char c : line)
      if (!is_b64_char(c) && c != '=')
        fail(FailureKind::kArmor, "age armor: invalid character", where, hint);
    if (line.size() < 64) short_seen = true;
    b64 += line;
  }
  for (; pos < data.size(); ++pos)
    if (!is_space(data[pos]))
      fail(FailureKind::kArmor, "age armor: data after the END line", where, hint);
  auto decoded = secrets::base64_decode_padded(b64);
  if (!decoded) fail(FailureKind::kArmor, "age armor: invalid or non-canonical base64", where, hint);
  return *decoded;
}

std::string armor(std::string_view binary) {
  std::string b64 = base64_encode(binary, true);
  std::string out(kArmorBegin);
  out += '\n';
  for (size_t i = 0; i < b64.size(); i += 64) {
    out += b64.substr(i, 64);
    out += '\n';
  }
  out += kArmorEnd;
  out += '\n';
  return out;
}

std::string decrypt(std::string_view file, const std::vector<Identity>& identities,
                    const Origin& where, std::string* released) {
  std::string dearmored;
  if (is_armored(file)) {
    dearmored = dearmor(file, where);
    file = dearmored;
  }
  Header h = parse_header(file, where);
  bool has_scrypt = std::any_of(h.stanzas.begin(), h.stanzas.end(),
                                [](const Stanza& s) { return s.args[0] == "scrypt"; });
  if (has_scrypt && h.stanzas.size() != 1)
    fail(FailureKind::kHeader, "age header: a scrypt stanza must be the only stanza", where);
  std::optional<std::string> file_key;
  for (const Identity& id : identities) {
    for (const Stanza& st : h.stanzas) {
      file_key = unwrap(id, st, where);
      if (file_key) break;
    }
    if (file_key) break;
  }
  if (!file_key)
    fail(FailureKind::kNoMatch, "age: no identity matches any recipient of the file", where,
         "provide the matching key via SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, "
         "~/.config/sops/age/keys.txt or an SSH key (SOPS_AGE_SSH_PRIVATE_KEY_FILE, "
         "~/.ssh/id_ed25519, ~/.ssh/id_rsa)");
  std::string mac_key = secrets::hkdf_sha256(*file_key, "", "header", 32);
  if (secrets::hmac_sha256(mac_key, h.mac_input) != h.mac)
    fail(FailureKind::kHmac, "age header: MAC mismatch (the header was modified)", where);
  std::string out;
  try {
    decrypt_payload(h.payload, *file_key, &out, where);
  } catch (...) {
    if (released) *released = std::move(out);
    throw;
  }
  if (released) *released = out;
  return out;
}

std::string encrypt(std::string_view plaintext, const std::vector<std::string>& recipients,
                    bool armored) {
  std::string file_key = secrets::random_bytes(16);
  std::string header(kVersionLine);
  header += '\n';
  for (const std::string& r : recipients) {
    std::string type, body;
    if (r.rfind("ssh-", 0) == 0) {
      secrets::SshPublicKey ssh = secrets::parse_ssh_public_key(r);
      std::string tag = secrets::ssh_key_tag(ssh.blob);
      if (ssh.type == secrets::SshKeyType::kRsa) {
        type = "ssh-rsa " + tag;
        body = secrets::rsa_oaep_sha256_encrypt(ssh.rsa_n, ssh.rsa_e, kSshRsaLabel, file_key);
      } else {
        auto theirs = secrets::ed25519_public_to_x25519(ssh.ed25519);
        if (!theirs) throw AgeError(FailureKind::kIdentity, "invalid ssh-ed25519 recipient: " + r);
        std::string eph = secrets::random_bytes(32);
        std::string share = secrets::x25519_public(eph);
        auto shared = secrets::x25519_shared(eph, *theirs);
        if (!shared) throw AgeError(FailureKind::kIdentity, "invalid ssh-ed25519 recipient: " + r);
        auto key = ssh_ed25519_wrap_key(*shared, ssh.blob, share, *theirs);
        if (!key) throw AgeError(FailureKind::kIdentity, "invalid ssh-ed25519 recipient: " + r);
        type = "ssh-ed25519 " + tag + " " + base64_encode(share, false);
        body = secrets::chacha20poly1305_seal(*key, std::string(12, '\0'), file_key);
      }
    } else {
      std::string hrp;
      auto pub = bech32_decode(r, &hrp);
      if (!pub || hrp != "age" || pub->size() != 32)
        throw AgeError(FailureKind::kIdentity, "malformed age recipient: " + r);
      std::string eph = secrets::random_bytes(32);
      std::string share = secrets::x25519_public(eph);
      auto shared = secrets::x25519_shared(eph, *pub);
      if (!shared) throw AgeError(FailureKind::kIdentity, "invalid age recipient: " + r);
      std::string key =
          secrets::hkdf_sha256(*shared, share + *pub, "age-encryption.org/v1/X25519", 32);
      type = "X25519 " + base64_encode(share, false);
      body = secrets::chacha20poly1305_seal(key, std::string(12, '\0'), file_key);
    }
    std::string b64 = base64_encode(body, false);
    header += "-> " + type + "\n";
    for (size_t i = 0; i <= b64.size(); i += 64) {
      header += b64.substr(i, 64);
      header += '\n';
      if (b64.size() - i < 64) break;
    }
  }
  header += "---";
  std::string mac_key = secrets::hkdf_sha256(file_key, "", "header", 32);
  header += " " + base64_encode(secrets::hmac_sha256(mac_key, header), false) + "\n";
  std::string nonce = secrets::random_bytes(16);
  std::string key = secrets::hkdf_sha256(file_key, nonce, "payload", 32);
  std::string out = header + nonce;
  size_t pos = 0;
  uint64_t counter = 0;
  do {
    size_t n = std::min(kChunkSize, plaintext.size() - pos);
    bool last = pos + n == plaintext.size();
    out += secrets::chacha20poly1305_seal(key, chunk_nonce(counter++, last),
                                          plaintext.substr(pos, n));
    pos += n;
    if (last) break;
  } while (true);
  return armored ? armor(out) : out;
}

}  // namespace strata::age

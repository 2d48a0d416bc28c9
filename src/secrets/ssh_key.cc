#include "secrets/ssh_key.h"

#include <cstdint>
#include <optional>

#include "secrets/crypto.h"

namespace strata::secrets {
namespace {

constexpr std::string_view kOpensshBegin = "-----BEGIN OPENSSH PRIVATE KEY-----";
constexpr std::string_view kOpensshEnd = "-----END OPENSSH PRIVATE KEY-----";
constexpr std::string_view kOpensshMagic{"openssh-key-v1\0", 15};

// Reads SSH wire encoding (RFC 4251): uint32, string, mpint. Every read checks the bounds.
class WireReader {
 public:
  explicit WireReader(std::string_view data) : data_(data) {}

  std::optional<uint32_t> u32() {
    if (data_.size() - pos_ < 4) return std::nullopt;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(data_[pos_++]);
    return v;
  }
  std::optional<std::string_view> string() {
    auto len = u32();
    if (!len || data_.size() - pos_ < *len) return std::nullopt;
    std::string_view out = data_.substr(pos_, *len);
    pos_ += *len;
    return out;
  }
  // An mpint as its big-endian magnitude (the sign byte dropped; SSH keys are positive).
  std::optional<std::string_view> mpint() {
    auto s = string();
    if (s && !s->empty() && static_cast<unsigned char>((*s)[0]) & 0x80) return std::nullopt;
    while (s && !s->empty() && (*s)[0] == '\0') s->remove_prefix(1);
    return s;
  }
  bool at_end() const { return pos_ == data_.size(); }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

void put_string(std::string& out, std::string_view s) {
  for (int shift = 24; shift >= 0; shift -= 8) out += char((s.size() >> shift) & 0xff);
  out += s;
}

void put_mpint(std::string& out, std::string_view magnitude) {
  while (!magnitude.empty() && magnitude[0] == '\0') magnitude.remove_prefix(1);
  if (!magnitude.empty() && static_cast<unsigned char>(magnitude[0]) & 0x80)
    put_string(out, std::string(1, '\0') + std::string(magnitude));
  else
    put_string(out, magnitude);
}

std::string rsa_blob(std::string_view n, std::string_view e) {
  std::string blob;
  put_string(blob, "ssh-rsa");
  put_mpint(blob, e);
  put_mpint(blob, n);
  return blob;
}

[[noreturn]] void malformed(const Origin& where, const std::string& what) {
  throw Error("malformed SSH private key: " + what, where,
              "use an unencrypted OpenSSH ed25519 or RSA key (ssh-keygen -t ed25519), or an age "
              "key (age-keygen)");
}

SshPrivateKey parse_openssh(std::string_view text, const Origin& where) {
  size_t begin = text.find(kOpensshBegin);
  size_t end = text.find(kOpensshEnd);
  if (end == std::string_view::npos || end < begin) malformed(where, "the END line is missing");
  std::string b64;
  for (char c : text.substr(begin + kOpensshBegin.size(), end - begin - kOpensshBegin.size()))
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') b64 += c;
  std::optional<std::string> raw = base64_decode_std(b64);
  if (!raw) malformed(where, "its body is not valid base64");
  if (raw->compare(0, kOpensshMagic.size(), kOpensshMagic) != 0)
    malformed(where, "it does not start with openssh-key-v1");
  WireReader r(std::string_view(*raw).substr(kOpensshMagic.size()));
  auto cipher = r.string();
  auto kdf = r.string();
  auto kdf_options = r.string();
  auto count = r.u32();
  if (!cipher || !kdf || !kdf_options || !count) malformed(where, "its header is truncated");
  if (*cipher != "none")
    throw SshKeyLocked("the SSH private key is protected by a passphrase, and strata never prompts "
                       "for one",
                       where,
                       "use an age key (age-keygen) in SOPS_AGE_KEY_FILE, or point "
                       "SOPS_AGE_SSH_PRIVATE_KEY_FILE at an unencrypted key kept off shared disks");
  if (*count != 1) malformed(where, "it holds " + std::to_string(*count) + " keys, not one");
  auto public_blob = r.string();
  auto private_section = r.string();
  if (!public_blob || !private_section) malformed(where, "its key section is truncated");

  WireReader p(*private_section);
  auto check1 = p.u32();
  auto check2 = p.u32();
  auto type = p.string();
  if (!check1 || !check2 || !type) malformed(where, "its private section is truncated");
  if (*check1 != *check2) malformed(where, "its check numbers differ (the key is damaged)");
  SshPrivateKey key;
  key.public_blob = std::string(*public_blob);
  if (*type == "ssh-ed25519") {
    auto pub = p.string();
    auto priv = p.string();
    if (!pub || !priv || pub->size() != 32 || priv->size() != 64)
      malformed(where, "its ed25519 key has the wrong size");
    if (priv->substr(32) != *pub) malformed(where, "its ed25519 public half does not match");
    std::string expected_blob;
    put_string(expected_blob, "ssh-ed25519");
    put_string(expected_blob, *pub);
    if (expected_blob != key.public_blob)
      malformed(where, "its public key does not match its private key");
    key.type = SshKeyType::kEd25519;
    key.ed25519_seed = std::string(priv->substr(0, 32));
  } else if (*type == "ssh-rsa") {
    auto n = p.mpint();
    auto e = p.mpint();
    auto d = p.mpint();
    auto iqmp = p.mpint();
    auto pp = p.mpint();
    auto q = p.mpint();
    if (!n || !e || !d || !iqmp || !pp || !q) malformed(where, "its RSA key is truncated");
    if (rsa_blob(*n, *e) != key.public_blob)
      malformed(where, "its public key does not match its private key");
    std::optional<std::string> der = rsa_private_der(*n, *e, *d, *pp, *q, *iqmp);
    if (!der) malformed(where, "OpenSSL refuses its RSA parameters");
    key.type = SshKeyType::kRsa;
    key.rsa_der = std::move(*der);
  } else {
    throw Error("unsupported SSH key type \"" + std::string(*type) + "\"", where,
                "age opens files for ssh-ed25519 and ssh-rsa keys only");
  }
  if (auto comment = p.string()) key.comment = std::string(*comment);
  return key;
}

}  // namespace

SshPrivateKey parse_ssh_private_key(std::string_view text, const Origin& where) {
  if (text.find(kOpensshBegin) != std::string_view::npos) return parse_openssh(text, where);
  if (text.find("-----BEGIN") == std::string_view::npos)
    throw Error("not an SSH private key (no -----BEGIN line)", where,
                "point SOPS_AGE_SSH_PRIVATE_KEY_FILE at a private key such as ~/.ssh/id_ed25519, "
                "not at its .pub file");
  if (text.find("ENCRYPTED") != std::string_view::npos)
    throw SshKeyLocked("the SSH private key is protected by a passphrase, and strata never "
                       "prompts for one",
                       where, "use an age key (age-keygen) in SOPS_AGE_KEY_FILE instead");
  std::optional<RsaKey> rsa = rsa_from_pem(text);
  if (!rsa)
    throw Error("unsupported or malformed PEM private key", where,
                "age opens files for OpenSSH ed25519 keys and RSA keys only");
  SshPrivateKey key;
  key.type = SshKeyType::kRsa;
  key.rsa_der = std::move(rsa->der);
  key.public_blob = rsa_blob(rsa->n, rsa->e);
  return key;
}

SshPublicKey parse_ssh_public_key(std::string_view line, const Origin& where) {
  auto bad = [&](const std::string& what) -> Error {
    return Error("malformed SSH public key: " + what, where,
                 "give a line like \"ssh-ed25519 AAAA... comment\" from a .pub file");
  };
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos) throw bad("expected \"TYPE BASE64 [COMMENT]\"");
  std::string_view type = line.substr(0, sp);
  std::string_view rest = line.substr(sp + 1);
  std::string_view b64 = rest.substr(0, rest.find_first_of(" \n\r"));
  std::optional<std::string> blob = base64_decode_std(b64);
  if (!blob) throw bad("the key is not valid base64");
  WireReader r(*blob);
  auto inner_type = r.string();
  if (!inner_type || *inner_type != type) throw bad("the key's type does not match \"" + std::string(type) + "\"");
  SshPublicKey key;
  key.blob = *blob;
  if (type == "ssh-ed25519") {
    auto point = r.string();
    if (!point || point->size() != 32 || !r.at_end()) throw bad("an ed25519 key holds 32 bytes");
    key.type = SshKeyType::kEd25519;
    key.ed25519 = std::string(*point);
  } else if (type == "ssh-rsa") {
    auto e = r.mpint();
    auto n = r.mpint();
    if (!e || !n || !r.at_end()) throw bad("the RSA key is truncated");
    key.type = SshKeyType::kRsa;
    key.rsa_e = std::string(*e);
    key.rsa_n = std::string(*n);
  } else {
    throw bad("unsupported type \"" + std::string(type) + "\" (age takes ssh-ed25519 and ssh-rsa)");
  }
  return key;
}

std::string ssh_key_tag(std::string_view public_blob) {
  return base64_encode(sha256(public_blob).substr(0, 4), false);
}

}  // namespace strata::secrets

#include "secrets/crypto.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <array>
#include <memory>
#include <utility>
#include <vector>

#include "model/error.h"

namespace strata::secrets {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

const std::array<int8_t, 256>& decode_table() {
  static const std::array<int8_t, 256> table = [] {
    std::array<int8_t, 256> t{};
    t.fill(-1);
    for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kAlphabet[i])] = int8_t(i);
    return t;
  }();
  return table;
}

const unsigned char* u8(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* u8(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

// OpenSSL's reasons for the last failure ("" when it gave none), emptying its error queue.
std::string openssl_reason() {
  std::string reason;
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    reason += std::string(reason.empty() ? ": " : "; ") + buf;
  }
  return reason;
}

// A failure input cannot cause: the OpenSSL on this machine refused (a restricted provider
// configuration, no memory, no random source). The machine's problem, so kEnvironment.
[[noreturn]] void openssl_fail(const char* what) {
  throw Error(ErrorKind::kEnvironment, std::string("OpenSSL failed in ") + what + openssl_reason(),
              {},
              "strata needs OpenSSL 3 with its default provider; check OPENSSL_CONF and "
              "OPENSSL_MODULES if they are set");
}

// An RSA public key OpenSSL will not use: the recipient's key is wrong (user input).
[[noreturn]] void rsa_key_refused(const char* why) {
  throw Error(std::string("invalid RSA public key: ") + why + openssl_reason(), {},
              "check the ssh-rsa recipient (ssh-keygen -l -f on its .pub file shows its size)");
}

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

std::string digest(const EVP_MD* md, std::string_view data) {
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned int len = 0;
  if (!EVP_Digest(data.data(), data.size(), u8(out), &len, md, nullptr)) openssl_fail("digest");
  out.resize(len);
  return out;
}

}  // namespace

std::string base64_encode(std::string_view data, bool pad) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t v = (uint32_t(uint8_t(data[i])) << 16) | (uint32_t(uint8_t(data[i + 1])) << 8) |
                 uint8_t(data[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  size_t rest = data.size() - i;
  if (rest == 1) {
    uint32_t v = uint32_t(uint8_t(data[i])) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    uint32_t v = (uint32_t(uint8_t(data[i])) << 16) | (uint32_t(uint8_t(data[i + 1])) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

std::string base64url_encode(std::string_view data) {
  std::string s = base64_encode(data, /*pad=*/false);
  for (char& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return s;
}

std::string pkce_s256(std::string_view verifier) { return base64url_encode(sha256(verifier)); }

namespace {
std::optional<std::string> decode_body(std::string_view text, bool canonical) {
  if (text.size() % 4 == 1) return std::nullopt;
  const auto& table = decode_table();
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int8_t v = table[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((acc >> bits) & 0xff);
    }
  }
  // Canonical: the unused low bits of the last character must be zero.
  if (canonical && bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}
}  // namespace

std::optional<std::string> base64_decode_unpadded(std::string_view text) {
  return decode_body(text, true);
}

std::optional<std::string> base64_decode_std(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  std::string_view body = text.substr(0, text.size() - pad);
  if (body.find('=') != std::string_view::npos) return std::nullopt;
  if (pad > 0 && (body.size() % 4) + pad != 4) return std::nullopt;
  return decode_body(body, false);
}

std::optional<std::string> base64_decode_padded(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  std::string_view body = text.substr(0, text.size() - pad);
  if (body.find('=') != std::string_view::npos) return std::nullopt;
  if (pad > 0 && (body.size() % 4) + pad != 4) return std::nullopt;
  return base64_decode_unpadded(body);
}

std::string sha256(std::string_view data) { return digest(EVP_sha256(), data); }
std::string sha512(std::string_view data) { return digest(EVP_sha512(), data); }

std::string hex_encode(std::string_view data, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (unsigned char c : data) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::string out(32, '\0');
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), int(key.size()), u8(data), data.size(), u8(out), &len))
    openssl_fail("HMAC");
  return out;
}

bool equal_in_constant_time(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string hkdf_sha256(std::string_view ikm, std::string_view salt, std::string_view info,
                        size_t length) {
  if (ikm.empty()) {
    // OpenSSL's HKDF refuses an empty key; age's ssh-ed25519 tweak uses one (RFC 5869 by hand).
    std::string prk = hmac_sha256(salt.empty() ? std::string(32, '\0') : std::string(salt), "");
    std::string out, block;
    for (unsigned char i = 1; out.size() < length; ++i)
      out += block = hmac_sha256(prk, block + std::string(info) + char(i));
    out.resize(length);
    return out;
  }
  PkeyCtx ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_hkdf_md(ctx.get(), EVP_sha256()) <= 0 ||
      EVP_PKEY_CTX_set1_hkdf_key(ctx.get(), u8(ikm), int(ikm.size())) <= 0 ||
      (!salt.empty() && EVP_PKEY_CTX_set1_hkdf_salt(ctx.get(), u8(salt), int(salt.size())) <= 0) ||
      EVP_PKEY_CTX_add1_hkdf_info(ctx.get(), u8(info), int(info.size())) <= 0)
    openssl_fail("HKDF setup");
  std::string out(length, '\0');
  size_t out_len = length;
  if (EVP_PKEY_derive(ctx.get(), u8(out), &out_len) <= 0) openssl_fail("HKDF");
  return out;
}

std::string x25519_public(std::string_view private_key) {
  Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, u8(private_key),
                                        private_key.size()));
  if (!key) openssl_fail("X25519 private key");
  std::string out(32, '\0');
  size_t len = 32;
  if (!EVP_PKEY_get_raw_public_key(key.get(), u8(out), &len)) openssl_fail("X25519 public key");
  return out;
}

std::optional<std::string> x25519_shared(std::string_view private_key,
                                         std::string_view peer_public) {
  if (private_key.size() != 32 || peer_public.size() != 32) return std::nullopt;
  Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, u8(private_key), 32));
  Pkey peer(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, u8(peer_public), 32));
  if (!key || !peer) return std::nullopt;
  PkeyCtx ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) <= 0 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) <= 0)
    return std::nullopt;
  std::string out(32, '\0');
  size_t len = 32;
  if (EVP_PKEY_derive(ctx.get(), u8(out), &len) <= 0 || len != 32) return std::nullopt;
  // Refuse the all-zero result explicitly (low-order points), whatever OpenSSL did.
  unsigned char acc = 0;
  for (char c : out) acc |= static_cast<unsigned char>(c);
  if (acc == 0) return std::nullopt;
  return out;
}

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(u8(out), int(n)) != 1) openssl_fail("RAND_bytes");
  return out;
}

std::optional<std::string> scrypt(std::string_view passphrase, std::string_view salt, int log2_n,
                                  size_t length) {
  if (log2_n < 1 || log2_n > 30) return std::nullopt;
  uint64_t n = uint64_t(1) << log2_n;
  uint64_t maxmem = 128 * 8 * n + (uint64_t(1) << 20);
  std::string out(length, '\0');
  if (EVP_PBE_scrypt(passphrase.data(), passphrase.size(), u8(salt), salt.size(), n, 8, 1, maxmem,
                     u8(out), length) != 1)
    return std::nullopt;
  return out;
}

std::string chacha20poly1305_seal(std::string_view key, std::string_view nonce,
                                  std::string_view plaintext) {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx || !EVP_EncryptInit_ex(ctx.get(), EVP_chacha20_poly1305(), nullptr, u8(key), u8(nonce)))
    openssl_fail("ChaCha20-Poly1305 init");
  std::string out(plaintext.size() + 16, '\0');
  int len = 0;
  if (!plaintext.empty() &&
      !EVP_EncryptUpdate(ctx.get(), u8(out), &len, u8(plaintext), int(plaintext.size())))
    openssl_fail("ChaCha20-Poly1305 encrypt");
  int fin = 0;
  if (!EVP_EncryptFinal_ex(ctx.get(), u8(out) + len, &fin)) openssl_fail("ChaCha20-Poly1305 final");
  if (!EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, 16, u8(out) + plaintext.size()))
    openssl_fail("ChaCha20-Poly1305 tag");
  return out;
}

std::optional<std::string> chacha20poly1305_open(std::string_view key, std::string_view nonce,
                                                 std::string_view ciphertext) {
  if (ciphertext.size() < 16 || key.size() != 32 || nonce.size() != 12) return std::nullopt;
  size_t n = ciphertext.size() - 16;
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx || !EVP_DecryptInit_ex(ctx.get(), EVP_chacha20_poly1305(), nullptr, u8(key), u8(nonce)))
    openssl_fail("ChaCha20-Poly1305 init");
  std::string out(n, '\0');
  int len = 0;
  if (n > 0 && !EVP_DecryptUpdate(ctx.get(), u8(out), &len, u8(ciphertext), int(n)))
    return std::nullopt;
  std::string tag(ciphertext.substr(n));
  if (!EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, 16, tag.data())) return std::nullopt;
  int fin = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), u8(out) + len, &fin) <= 0) return std::nullopt;
  return out;
}

GcmSealed aes256gcm_seal(std::string_view key, std::string_view iv, std::string_view aad,
                         std::string_view plaintext) {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx || !EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) ||
      !EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, int(iv.size()), nullptr) ||
      !EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, u8(key), u8(iv)))
    openssl_fail("AES-GCM init");
  int len = 0;
  if (!aad.empty() && !EVP_EncryptUpdate(ctx.get(), nullptr, &len, u8(aad), int(aad.size())))
    openssl_fail("AES-GCM aad");
  GcmSealed out;
  out.ciphertext.assign(plaintext.size(), '\0');
  len = 0;
  if (!plaintext.empty() && !EVP_EncryptUpdate(ctx.get(), u8(out.ciphertext), &len, u8(plaintext),
                                               int(plaintext.size())))
    openssl_fail("AES-GCM encrypt");
  int fin = 0;
  if (!EVP_EncryptFinal_ex(ctx.get(), u8(out.ciphertext) + len, &fin)) openssl_fail("AES-GCM final");
  out.tag.assign(16, '\0');
  if (!EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, out.tag.data()))
    openssl_fail("AES-GCM tag");
  return out;
}

std::optional<std::string> aes256gcm_open(std::string_view key, std::string_view iv,
                                          std::string_view aad, std::string_view ciphertext,
                                          std::string_view tag) {
  if (key.size() != 32 || iv.empty() || tag.size() != 16) return std::nullopt;
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx || !EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) ||
      !EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, int(iv.size()), nullptr) ||
      !EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, u8(key), u8(iv)))
    openssl_fail("AES-GCM init");
  int len = 0;
  if (!aad.empty() && !EVP_DecryptUpdate(ctx.get(), nullptr, &len, u8(aad), int(aad.size())))
    return std::nullopt;
  std::string out(ciphertext.size(), '\0');
  len = 0;
  if (!ciphertext.empty() &&
      !EVP_DecryptUpdate(ctx.get(), u8(out), &len, u8(ciphertext), int(ciphertext.size())))
    return std::nullopt;
  std::string t(tag);
  if (!EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, t.data())) return std::nullopt;
  int fin = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), u8(out) + len, &fin) <= 0) return std::nullopt;
  return out;
}

namespace {

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;
struct BnCtxFree {
  void operator()(BN_CTX* c) const { BN_CTX_free(c); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamsFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};

Bn bn(std::string_view big_endian) {
  Bn out(BN_bin2bn(u8(big_endian), int(big_endian.size()), nullptr));
  if (!out) openssl_fail("BN_bin2bn");
  return out;
}

std::string bn_bytes(const BIGNUM* b) {
  std::string out(size_t(BN_num_bytes(b)), '\0');
  BN_bn2bin(b, u8(out));
  return out;
}

// An RSA EVP_PKEY from named BIGNUM parameters; null when OpenSSL refuses them.
Pkey rsa_from_params(const std::vector<std::pair<const char*, const BIGNUM*>>& params,
                     int selection) {
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld) openssl_fail("OSSL_PARAM_BLD_new");
  for (const auto& [name, value] : params)
    if (!OSSL_PARAM_BLD_push_BN(bld.get(), name, value)) openssl_fail("OSSL_PARAM_BLD_push_BN");
  std::unique_ptr<OSSL_PARAM, ParamsFree> built(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* key = nullptr;
  if (!built || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &key, selection, built.get()) <= 0)
    return nullptr;
  return Pkey(key);
}

bool set_oaep_sha256(EVP_PKEY_CTX* ctx, std::string_view label) {
  if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) <= 0)
    return false;
  void* copy = OPENSSL_memdup(label.data(), label.size());
  if (!copy) return false;
  if (EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, copy, int(label.size())) <= 0) {
    OPENSSL_free(copy);
    return false;
  }
  return true;
}

std::string private_der(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int len = i2d_PrivateKey(key, &der);
  if (len <= 0) openssl_fail("i2d_PrivateKey");
  std::string out(reinterpret_cast<char*>(der), size_t(len));
  OPENSSL_clear_free(der, size_t(len));
  return out;
}

}  // namespace

std::optional<std::string> rsa_oaep_sha256_decrypt(std::string_view private_der_bytes,
                                                   std::string_view label,
                                                   std::string_view ciphertext) {
  const unsigned char* p = u8(private_der_bytes);
  Pkey key(d2i_PrivateKey(EVP_PKEY_RSA, nullptr, &p, long(private_der_bytes.size())));
  if (!key) return std::nullopt;
  PkeyCtx ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
  if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) <= 0 || !set_oaep_sha256(ctx.get(), label))
    openssl_fail("RSA-OAEP setup");
  size_t len = 0;
  if (EVP_PKEY_decrypt(ctx.get(), nullptr, &len, u8(ciphertext), ciphertext.size()) <= 0)
    return std::nullopt;
  std::string out(len, '\0');
  if (EVP_PKEY_decrypt(ctx.get(), u8(out), &len, u8(ciphertext), ciphertext.size()) <= 0)
    return std::nullopt;
  out.resize(len);
  return out;
}

namespace {
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
}  // namespace

std::optional<std::string> rsa_sha256_sign(std::string_view private_der_bytes, std::string_view data) {
  const unsigned char* p = u8(private_der_bytes);
  Pkey key(d2i_PrivateKey(EVP_PKEY_RSA, nullptr, &p, long(private_der_bytes.size())));
  if (!key) {
    ERR_clear_error();
    return std::nullopt;
  }
  MdCtx ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) <= 0 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, u8(data), data.size()) <= 0)
    openssl_fail("RSA-SHA256 signing");
  std::string out(len, '\0');
  if (EVP_DigestSign(ctx.get(), u8(out), &len, u8(data), data.size()) <= 0) openssl_fail("RSA-SHA256 signing");
  out.resize(len);
  return out;
}

bool rsa_sha256_verify(std::string_view n, std::string_view e, std::string_view data, std::string_view signature) {
  Bn bn_n = bn(n), bn_e = bn(e);
  Pkey key = rsa_from_params({{OSSL_PKEY_PARAM_RSA_N, bn_n.get()}, {OSSL_PKEY_PARAM_RSA_E, bn_e.get()}},
                             EVP_PKEY_PUBLIC_KEY);
  if (!key) return false;
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) <= 0) return false;
  bool ok = EVP_DigestVerify(ctx.get(), u8(signature), signature.size(), u8(data), data.size()) == 1;
  ERR_clear_error();
  return ok;
}

std::string rsa_oaep_sha256_encrypt(std::string_view n, std::string_view e, std::string_view label,
                                    std::string_view plaintext) {
  Bn bn_n = bn(n), bn_e = bn(e);
  Pkey key = rsa_from_params({{OSSL_PKEY_PARAM_RSA_N, bn_n.get()}, {OSSL_PKEY_PARAM_RSA_E, bn_e.get()}},
                             EVP_PKEY_PUBLIC_KEY);
  if (!key) rsa_key_refused("OpenSSL does not accept its modulus and exponent");
  PkeyCtx ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) <= 0 || !set_oaep_sha256(ctx.get(), label))
    openssl_fail("RSA-OAEP setup");
  // Encryption fails only for the key's sake: a modulus too small for OAEP with SHA-256.
  size_t len = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &len, u8(plaintext), plaintext.size()) <= 0)
    rsa_key_refused("it cannot encrypt with RSA-OAEP (is it too small?)");
  std::string out(len, '\0');
  if (EVP_PKEY_encrypt(ctx.get(), u8(out), &len, u8(plaintext), plaintext.size()) <= 0)
    rsa_key_refused("it cannot encrypt with RSA-OAEP (is it too small?)");
  out.resize(len);
  return out;
}

std::optional<std::string> rsa_private_der(std::string_view n, std::string_view e,
                                           std::string_view d, std::string_view p,
                                           std::string_view q, std::string_view iqmp) {
  std::unique_ptr<BN_CTX, BnCtxFree> bctx(BN_CTX_new());
  Bn bn_n = bn(n), bn_e = bn(e), bn_d = bn(d), bn_p = bn(p), bn_q = bn(q), bn_iqmp = bn(iqmp);
  Bn p1(BN_dup(bn_p.get())), q1(BN_dup(bn_q.get())), dp(BN_new()), dq(BN_new());
  if (!bctx || !p1 || !q1 || !dp || !dq) openssl_fail("BN_new");
  if (BN_is_zero(bn_p.get()) || BN_is_zero(bn_q.get()) || !BN_sub_word(p1.get(), 1) ||
      !BN_sub_word(q1.get(), 1) || BN_is_zero(p1.get()) || BN_is_zero(q1.get()) ||
      !BN_mod(dp.get(), bn_d.get(), p1.get(), bctx.get()) ||
      !BN_mod(dq.get(), bn_d.get(), q1.get(), bctx.get()))
    return std::nullopt;
  Pkey key = rsa_from_params({{OSSL_PKEY_PARAM_RSA_N, bn_n.get()},
                              {OSSL_PKEY_PARAM_RSA_E, bn_e.get()},
                              {OSSL_PKEY_PARAM_RSA_D, bn_d.get()},
                              {OSSL_PKEY_PARAM_RSA_FACTOR1, bn_p.get()},
                              {OSSL_PKEY_PARAM_RSA_FACTOR2, bn_q.get()},
                              {OSSL_PKEY_PARAM_RSA_EXPONENT1, dp.get()},
                              {OSSL_PKEY_PARAM_RSA_EXPONENT2, dq.get()},
                              {OSSL_PKEY_PARAM_RSA_COEFFICIENT1, bn_iqmp.get()}},
                             EVP_PKEY_KEYPAIR);
  if (!key) return std::nullopt;
  return private_der(key.get());
}

std::optional<RsaKey> rsa_from_pem(std::string_view pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), int(pem.size())));
  if (!bio) openssl_fail("BIO_new_mem_buf");
  // A callback that supplies no passphrase: an encrypted key fails instead of prompting.
  auto no_passphrase = [](char*, int, int, void*) { return -1; };
  Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  ERR_clear_error();
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) return std::nullopt;
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  if (!EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_N, &n) ||
      !EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_E, &e)) {
    BN_free(n);
    BN_free(e);
    return std::nullopt;
  }
  Bn own_n(n), own_e(e);
  return RsaKey{private_der(key.get()), bn_bytes(n), bn_bytes(e)};
}

std::optional<std::string> ed25519_public_to_x25519(std::string_view point) {
  if (point.size() != 32) return std::nullopt;
  std::string y_le(point);
  y_le[31] = char(static_cast<unsigned char>(y_le[31]) & 0x7f);  // drop x's sign bit
  std::unique_ptr<BN_CTX, BnCtxFree> bctx(BN_CTX_new());
  Bn p(BN_new()), y(BN_lebin2bn(u8(y_le), 32, nullptr)), num(BN_new()), den(BN_new()),
      u(BN_new());
  if (!bctx || !p || !y || !num || !den || !u) openssl_fail("BN_new");
  if (!BN_set_bit(p.get(), 255) || !BN_sub_word(p.get(), 19)) openssl_fail("BN_set_bit");
  if (BN_cmp(y.get(), p.get()) >= 0) return std::nullopt;
  // num = 1 + y, den = 1 - y (mod p)
  if (!BN_copy(num.get(), y.get()) || !BN_add_word(num.get(), 1) ||
      !BN_mod_sub(den.get(), BN_value_one(), y.get(), p.get(), bctx.get()))
    openssl_fail("BN arithmetic");
  if (BN_is_zero(den.get())) return std::nullopt;
  Bn inv(BN_mod_inverse(nullptr, den.get(), p.get(), bctx.get()));
  if (!inv || !BN_mod_mul(u.get(), num.get(), inv.get(), p.get(), bctx.get()))
    openssl_fail("BN arithmetic");
  std::string out(32, '\0');
  if (BN_bn2lebinpad(u.get(), u8(out), 32) != 32) openssl_fail("BN_bn2lebinpad");
  return out;
}

}  // namespace strata::secrets

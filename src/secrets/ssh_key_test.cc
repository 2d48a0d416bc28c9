// age with SSH identities (ssh-ed25519, ssh-rsa): files made by Debian's age 1.1.1 decrypt;
// strata's own encryption to SSH keys round-trips and, when `age` is installed, age reads it;
// locked, damaged and mismatched keys fail with a clear error; SOPS finds SSH keys as sops does.
#include "secrets/ssh_key.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "base/subprocess.h"
#include "base/temp_dir.h"
#include "secrets/age.h"
#include "secrets/crypto.h"
#include "secrets/sops.h"
#include "support/conformance.h"

namespace strata::secrets {
namespace {

namespace fs = std::filesystem;

std::string data(const std::string& name) {
  std::ifstream in(fs::path(strata::testing::source_dir()) / "tests/data/secrets/ssh" / name,
                   std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  EXPECT_FALSE(s.str().empty()) << name;
  return s.str();
}

age::Identity identity(const std::string& name) {
  return age::Identity::ssh(parse_ssh_private_key(data(name), Origin(name)));
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

TEST(AgeSsh, FilesMadeByAgeDecryptWithEd25519AndRsaKeys) {
  EXPECT_EQ(age::decrypt(data("ed.age"), {identity("id_ed25519")}), "the ssh-ed25519 payload\n");
  EXPECT_EQ(age::decrypt(data("rsa.age.armored"), {identity("id_rsa")}), "the ssh-rsa payload\n");
  EXPECT_EQ(age::decrypt(data("rsapem.age"), {identity("id_rsa_pem")}), "pem rsa payload\n");
  // Every identity tried; only the matching one opens.
  EXPECT_EQ(age::decrypt(data("ed.age"), {identity("id_rsa"), identity("id_rsa_pem"),
                                          identity("id_ed25519")}),
            "the ssh-ed25519 payload\n");
}

TEST(AgeSsh, KeyTagsAreTheOnesAgeWrites) {
  // age writes "-> ssh-ed25519 TAG SHARE": the tag is SHA-256 of the public key's wire form.
  std::string header = data("ed.age");
  std::string tag = identity("id_ed25519").ssh_tag();
  EXPECT_EQ(tag.size(), 6u);
  EXPECT_NE(header.find("-> ssh-ed25519 " + tag + " "), std::string::npos) << tag;
  EXPECT_EQ(ssh_key_tag(parse_ssh_public_key(first_line(data("id_ed25519.pub"))).blob), tag);
  EXPECT_EQ(ssh_key_tag(parse_ssh_public_key(first_line(data("id_rsa_pem.pub"))).blob),
            identity("id_rsa_pem").ssh_tag());
}

TEST(AgeSsh, WrongKeyIsNoMatch) {
  try {
    age::decrypt(data("ed.age"), {identity("id_rsa")}, Origin("ed.age"));
    FAIL() << "decrypted with the wrong key";
  } catch (const age::AgeError& e) {
    EXPECT_EQ(e.failure(), age::FailureKind::kNoMatch);
    EXPECT_NE(e.hint().find("SOPS_AGE_SSH_PRIVATE_KEY_FILE"), std::string::npos) << e.hint();
  }
}

TEST(AgeSsh, DamagedRsaStanzaIsAHeaderFailure) {
  std::string file = data("rsapem.age");
  // The stanza body starts on the line after "-> ssh-rsa TAG"; flip one base64 character.
  size_t body = file.find('\n', file.find("-> ssh-rsa")) + 1;
  file[body + 10] = file[body + 10] == 'A' ? 'B' : 'A';
  try {
    age::decrypt(file, {identity("id_rsa_pem")}, Origin("rsapem.age"));
    FAIL() << "a damaged stanza decrypted";
  } catch (const age::AgeError& e) {
    EXPECT_EQ(e.failure(), age::FailureKind::kHeader) << e.message();
  }
}

TEST(AgeSsh, OurEncryptionToSshKeysRoundTripsAndAgeReadsIt) {
  TempDir dir("strata-age-ssh");
  for (const std::string key : {"id_ed25519", "id_rsa"}) {
    std::string recipient = first_line(data(key + ".pub"));
    std::string file = age::encrypt("secret for " + key, {recipient});
    EXPECT_EQ(age::decrypt(file, {identity(key)}), "secret for " + key);
    std::ofstream(dir.file(key + ".age"), std::ios::binary) << file;
  }
  SubprocessOptions probe;
  probe.argv = {"sh", "-c", "command -v age"};
  probe.capture_stdout = true;
  if (!Subprocess(probe).run().success())
    GTEST_SKIP() << "age is not installed (scripts/bootstrap installs it): interop with age not "
                    "checked";
  for (const std::string key : {"id_ed25519", "id_rsa"}) {
    std::string key_copy = dir.file(key);
    std::ofstream(key_copy) << data(key);
    fs::permissions(key_copy, fs::perms::owner_read | fs::perms::owner_write);
    SubprocessOptions o;
    o.argv = {"age", "-d", "-i", key_copy, dir.file(key + ".age")};
    o.capture_stdout = true;
    o.capture_stderr = true;
    SubprocessResult r = Subprocess(o).run();
    EXPECT_TRUE(r.success()) << r.stderr_text;
    EXPECT_EQ(r.stdout_text, "secret for " + key);
  }
}

TEST(SshKey, LockedKeysAreRefusedWithoutPrompting) {
  EXPECT_THROW(parse_ssh_private_key(data("id_ed25519_locked"), Origin("id_ed25519_locked")),
               SshKeyLocked);
  try {
    parse_ssh_private_key(data("id_ed25519_locked"), Origin("id_ed25519_locked"));
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("passphrase"), std::string::npos) << e.message();
    EXPECT_EQ(e.origin().path(), "id_ed25519_locked");
  }
  std::string pem_locked =
      "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n"
      "AAAA\n-----END RSA PRIVATE KEY-----\n";
  EXPECT_THROW(parse_ssh_private_key(pem_locked), SshKeyLocked);
}

TEST(SshKey, BadKeysFailClearlyNeverCrash) {
  auto message = [](const std::string& text) -> std::string {
    try {
      parse_ssh_private_key(text, Origin("key"));
    } catch (const SshKeyLocked& e) {
      return "locked: " + e.message();
    } catch (const Error& e) {
      EXPECT_EQ(e.origin().path(), "key");
      EXPECT_FALSE(e.hint().empty());
      return e.message();
    }
    return "parsed";
  };
  EXPECT_EQ(message(data("id_ed25519.pub")), "not an SSH private key (no -----BEGIN line)");
  std::string key = data("id_ed25519");
  std::string rsa = data("id_rsa");
  EXPECT_EQ(message(key.substr(0, key.find("-----END"))),
            "malformed SSH private key: the END line is missing");
  // Every truncation of the body: an error, never a crash or a partial key.
  size_t body = key.find('\n') + 1;
  size_t end = key.find("-----END");
  for (size_t cut = body; cut < end; cut += 7) {
    std::string text = key.substr(0, cut) + "\n" + key.substr(end);
    EXPECT_NE(message(text), "parsed") << cut;
  }
  for (size_t cut = rsa.find('\n') + 1; cut < rsa.find("-----END"); cut += 97) {
    std::string text = rsa.substr(0, cut) + "\n" + rsa.substr(rsa.find("-----END"));
    EXPECT_NE(message(text), "parsed") << cut;
  }
  EXPECT_EQ(message("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n"),
            "unsupported or malformed PEM private key");
}

TEST(SshKey, PublicKeyLinesAreChecked) {
  EXPECT_THROW(parse_ssh_public_key("ssh-ed25519"), Error);
  EXPECT_THROW(parse_ssh_public_key("ssh-ed25519 !!!!"), Error);
  std::string rsa = first_line(data("id_rsa.pub"));
  EXPECT_THROW(parse_ssh_public_key("ssh-ed25519" + rsa.substr(7)), Error);  // type mismatch
  EXPECT_THROW(parse_ssh_public_key("ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY="), Error);
  SshPublicKey k = parse_ssh_public_key(rsa);
  EXPECT_EQ(k.type, SshKeyType::kRsa);
  EXPECT_EQ(k.rsa_n.size(), 256u);
}

// SOPS files whose age recipient is an SSH key open with the key sops would use.
class SopsSshTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : {"SOPS_AGE_KEY", "SOPS_AGE_KEY_FILE", "SOPS_AGE_SSH_PRIVATE_KEY_FILE",
                          "XDG_CONFIG_HOME", "HOME"})
      if (const char* old = std::getenv(v)) saved_.emplace_back(v, old);
    for (const char* v : {"SOPS_AGE_KEY", "SOPS_AGE_KEY_FILE", "SOPS_AGE_SSH_PRIVATE_KEY_FILE"})
      ::unsetenv(v);
    ::setenv("HOME", home_.path().c_str(), 1);
    ::setenv("XDG_CONFIG_HOME", home_.file(".config").c_str(), 1);
  }
  void TearDown() override {
    for (const char* v : {"SOPS_AGE_SSH_PRIVATE_KEY_FILE", "XDG_CONFIG_HOME", "HOME"}) ::unsetenv(v);
    for (const auto& [k, v] : saved_) ::setenv(k.c_str(), v.c_str(), 1);
  }
  std::string place_key(const std::string& fixture, const std::string& as) {
    std::string path = home_.file(as);
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << data(fixture);
    return path;
  }
  std::string sops_for(const std::string& pub_fixture) {
    return encrypt_sops_yaml({{"db_password", "s3cr3t-ssh"}}, first_line(data(pub_fixture)));
  }
  TempDir home_{"strata-sops-ssh-home"};
  std::vector<std::pair<std::string, std::string>> saved_;
};

TEST_F(SopsSshTest, KeyFromSopsAgeSshPrivateKeyFile) {
  std::string key = place_key("id_rsa", "keys/deploy_rsa");
  ::setenv("SOPS_AGE_SSH_PRIVATE_KEY_FILE", key.c_str(), 1);
  Value v = decrypt_sops(sops_for("id_rsa.pub"), SopsFormat::kYaml, "s.yaml", {});
  EXPECT_EQ(v.find("db_password")->as_string(), "s3cr3t-ssh");
  EXPECT_TRUE(v.find("db_password")->sensitive());
}

TEST_F(SopsSshTest, DefaultKeysInHomeSshAreUsedAndLockedOnesNamed) {
  place_key("id_ed25519", ".ssh/id_ed25519");
  Value v = decrypt_sops(sops_for("id_ed25519.pub"), SopsFormat::kYaml, "s.yaml", {});
  EXPECT_EQ(v.find("db_password")->as_string(), "s3cr3t-ssh");

  // A passphrase-protected default key is skipped, and the failure says so.
  place_key("id_ed25519_locked", ".ssh/id_ed25519");
  try {
    decrypt_sops(sops_for("id_ed25519.pub"), SopsFormat::kYaml, "s.yaml", {});
    FAIL() << "decrypted without a usable key";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("skipped the SSH key " + home_.file(".ssh/id_ed25519") +
                               ": the SSH private key is protected by a passphrase"),
              std::string::npos)
        << e.message();
    EXPECT_EQ(e.origin().path(), "s.yaml");
  }
}

TEST_F(SopsSshTest, MissingOrBadExplicitKeyIsAnError) {
  ::setenv("SOPS_AGE_SSH_PRIVATE_KEY_FILE", home_.file("nope").c_str(), 1);
  try {
    decrypt_sops(sops_for("id_rsa.pub"), SopsFormat::kYaml, "s.yaml", {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "SOPS_AGE_SSH_PRIVATE_KEY_FILE points to a missing file: " +
                               home_.file("nope"));
  }
  std::string pub = place_key("id_rsa.pub", "keys/id_rsa.pub");
  ::setenv("SOPS_AGE_SSH_PRIVATE_KEY_FILE", pub.c_str(), 1);
  try {
    decrypt_sops(sops_for("id_rsa.pub"), SopsFormat::kYaml, "s.yaml", {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "not an SSH private key (no -----BEGIN line)");
    EXPECT_EQ(e.origin().path(), pub);
  }
}

TEST(SshRsaRecipient, AKeyTooSmallForOaepIsTheUsersErrorNotABug) {
  // A 256-bit modulus cannot hold a 16-byte file key with OAEP-SHA256 padding. OpenSSL refuses;
  // that is the recipient's fault, reported as a strata::Error, not an internal error.
  const std::string n = std::string(1, '\xc1') + std::string(31, '\x01');
  try {
    rsa_oaep_sha256_encrypt(n, std::string("\x01\x00\x01", 3), "age-encryption.org/v1/ssh-rsa",
                            std::string(16, 'k'));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUserInput);
    EXPECT_EQ(e.message().rfind("invalid RSA public key: ", 0), 0u) << e.message();
    EXPECT_NE(e.hint().find("ssh-rsa recipient"), std::string::npos) << e.hint();
  }
}

}  // namespace
}  // namespace strata::secrets

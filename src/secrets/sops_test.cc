// SOPS conformance: every decryptable file in ../shared/conformance/sops decrypts to the tree
// in its expected/ JSON (one test per file); plus tampering, wrong keys and malformed values fail
// clearly.
#include "secrets/sops.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/subprocess.h"
#include "base/temp_dir.h"
#include "secrets/crypto.h"
#include "secrets/shamir.h"
#include "support/conformance.h"
#include "support/data_cases.h"

namespace strata::secrets {
namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const char* kTestIdentity =
    "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";

class SopsConformanceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    gnupg_ = new TempDir("strata-gnupg");
    std::filesystem::permissions(gnupg_->path(), std::filesystem::perms::owner_all);
  }
  static void TearDownTestSuite() {
    SubprocessOptions o;
    o.argv = {"gpgconf", "--kill", "gpg-agent"};
    o.env["GNUPGHOME"] = gnupg_->path();
    try {
      Subprocess(o).run();
    } catch (...) {
    }
    delete gnupg_;
    gnupg_ = nullptr;
  }
  static void import_key(const std::string& asc) {
    SubprocessOptions o;
    o.argv = {"gpg", "--batch", "--quiet", "--import", asc};
    o.env["GNUPGHOME"] = gnupg_->path();
    o.capture_stderr = true;
    SubprocessResult r = Subprocess(o).run();
    ASSERT_TRUE(r.success()) << r.stderr_text;
  }
  static TempDir* gnupg_;
};
TempDir* SopsConformanceTest::gnupg_ = nullptr;

std::filesystem::path sops_dir() {
  return std::filesystem::path(strata::testing::conformance_dir()) / "sops";
}

bool is_expected_json(const std::filesystem::path& p) { return p.extension() == ".json"; }

TEST_F(SopsConformanceTest, EveryDecryptableFileHasACase) {
  STRATA_REQUIRE_CONFORMANCE(conf);
  EXPECT_EQ(
      strata::testing::data_cases((sops_dir() / "expected").string(), is_expected_json).size(),
      24u);
}

// One test per file in expected/: Cases/SopsConformanceCase.MatchesItsExpectedTree/<file>.
class SopsConformanceCase : public SopsConformanceTest,
                            public ::testing::WithParamInterface<strata::testing::DataCase> {};

TEST_P(SopsConformanceCase, MatchesItsExpectedTree) {
  const std::filesystem::path root = sops_dir();
  import_key((root / "getsops-sops/pgp/sops_functional_tests_key.asc").string());
  import_key((root / "fluxcd-kustomize-controller/sops/keys/pgp.asc").string());
  SopsOptions opts;
  opts.gnupg_home = gnupg_->path();
  opts.age_identities.emplace();
  for (const char* k : {"age.txt", "age-global.txt"}) {
    auto ids = age::parse_identities(slurp(root / "fluxcd-kustomize-controller/sops/keys" / k));
    opts.age_identities->insert(opts.age_identities->end(), ids.begin(), ids.end());
  }
  Value exp = parse_json_text(slurp(GetParam().path));
  std::string file = exp.find("file")->as_string();
  SCOPED_TRACE(file);
  std::string full = (root / file).string();
  bool mac_ok = exp.find("mac_ok")->is_bool() && exp.find("mac_ok")->as_bool();
  if (!mac_ok) {
    try {
      decrypt_sops_file(full, opts);
      ADD_FAILURE() << "a file without a MAC was accepted by default";
    } catch (const Error& e) {
      EXPECT_NE(e.message().find("no MAC"), std::string::npos) << e.message();
    }
  }
  SopsOptions o = opts;
  o.ignore_mac = !mac_ok;
  try {
    Value got = decrypt_sops_file(full, o);
    // Value equality compares numbers by value (sops writes 1234568000 for 1234568000.0).
    EXPECT_TRUE(got == *exp.find("plaintext")) << to_json_text(got) << "\nexpected:\n"
                                               << to_json_text(*exp.find("plaintext"));
    EXPECT_TRUE(got.contains_sensitive());
  } catch (const Error& e) {
    ADD_FAILURE() << e.render();
  }
}

// No cases without the conformance folder; EveryDecryptableFileHasACase then skips (or fails in
// CI).
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SopsConformanceCase);
INSTANTIATE_TEST_SUITE_P(Cases, SopsConformanceCase,
                         ::testing::ValuesIn(strata::testing::data_cases(
                             (sops_dir() / "expected").string(), is_expected_json, false, ".json")),
                         strata::testing::data_case_name);

// A file only AWS KMS opens goes to the sops binary when there is one: here a stand-in script
// that records its arguments and prints what sops --decrypt --output-type json would.
TEST(SopsBinaryFallback, KmsOnlyFileIsDecryptedBySopsWhenInstalledAndNamedWhenNot) {
  TempDir dir;
  const std::string file = dir.file("prod.enc.yaml");
  {
    std::ofstream(file) << "a: ENC[AES256_GCM,data:AA==,iv:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,tag:"
                           "AAAAAAAAAAAAAAAAAAAAAA==,type:str]\nsops:\n  kms:\n    - arn: arn:aws:kms:x\n"
                           "      enc: abc\n  lastmodified: x\n  mac: x\n  version: 3.9.0\n";
  }
  const std::string fake = dir.file("sops");
  {
    std::ofstream(fake) << "#!/bin/sh\necho \"$@\" > " << dir.file("args") << "\n"
                        << "echo '{\"a\": \"from-kms\", \"n\": {\"port\": 5432}}'\n";
  }
  std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
  SopsOptions with;
  with.sops_program = fake;
  Value tree = decrypt_sops_file(file, with);
  EXPECT_EQ(tree.find("a")->as_string(), "from-kms");
  EXPECT_TRUE(tree.find("a")->sensitive());
  EXPECT_TRUE(tree.find("n")->find("port")->sensitive());
  std::ifstream args(dir.file("args"));
  std::string line;
  std::getline(args, line);
  EXPECT_EQ(line, "--decrypt --output-type json " + file);

  SopsOptions without;
  without.sops_program = dir.file("no-such-sops");
  try {
    decrypt_sops_file(file, without);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("kms: this recipient type"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("no sops binary found"), std::string::npos) << e.message();
  }
}

TEST_F(SopsConformanceTest, UnsupportedRecipientTypeIsNamed) {
  std::string text =
      "a: ENC[AES256_GCM,data:AA==,iv:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,tag:"
      "AAAAAAAAAAAAAAAAAAAAAA==,type:str]\nsops:\n  kms:\n    - arn: arn:aws:kms:x\n"
      "      enc: abc\n  lastmodified: x\n  mac: x\n  version: 3.9.0\n";
  try {
    decrypt_sops(text, SopsFormat::kYaml, "s.yaml", {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("kms: this recipient type (a cloud KMS or Vault) cannot be opened"), std::string::npos)
        << e.message();
    EXPECT_EQ(e.origin().path(), "s.yaml");
  }
}

class SopsAgeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    id_ = age::Identity::x25519(kTestIdentity);
    opts_.age_identities = std::vector<age::Identity>{id_};
    text_ = encrypt_sops_yaml({{"db_password", "hunter2"}, {"api", "tok"}}, id_.recipient());
  }
  std::string message_of(const std::string& text, SopsOptions opts) {
    try {
      decrypt_sops(text, SopsFormat::kYaml, "secrets.enc.yaml", opts);
    } catch (const Error& e) {
      EXPECT_EQ(e.message().find("hunter2"), std::string::npos);
      return e.render();
    }
    return "(no error)";
  }
  age::Identity id_ = age::Identity::passphrase("");
  SopsOptions opts_;
  std::string text_;
};

// Fault campaign (#18): a self-referring alias crashed `strata secrets decrypt` (SIGSEGV).
TEST(SopsYaml, SelfReferringAliasIsAnErrorWithItsPosition) {
  for (const std::string text : {"a: &a [*a]\n", "x: 1\na: &a {b: *a}\n"}) {
    try {
      decrypt_sops(text, SopsFormat::kYaml, "s.yaml", {});
      ADD_FAILURE() << "no error for " << text;
    } catch (const Error& e) {
      EXPECT_NE(e.message().find("an alias refers to a map or list that contains it"), std::string::npos)
          << e.message();
      EXPECT_EQ(e.origin().path(), "s.yaml");
      EXPECT_GT(e.origin().line, 0);
    }
  }
}

TEST_F(SopsAgeTest, OwnEncryptorRoundTrips) {
  Value v = decrypt_sops(text_, SopsFormat::kYaml, "secrets.enc.yaml", opts_);
  EXPECT_EQ(v.find("db_password")->as_string(), "hunter2");
  EXPECT_TRUE(v.find("db_password")->sensitive());
  EXPECT_EQ(v.find("db_password")->origin().str(), "secrets.enc.yaml:1:14");
}

TEST_F(SopsAgeTest, TamperedValueNamesTheKeyPath) {
  std::string t = text_;
  size_t pos = t.find("data:") + 5;
  t[pos] = t[pos] == 'A' ? 'B' : 'A';
  std::string msg = message_of(t, opts_);
  EXPECT_NE(msg.find("secrets.enc.yaml:1:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("key path db_password"), std::string::npos) << msg;
}

TEST_F(SopsAgeTest, MovedValueFailsBecauseThePathIsAuthenticated) {
  std::string t = text_;
  t.replace(0, std::string("db_password").size(), "db_passwore");
  EXPECT_NE(message_of(t, opts_).find("key path db_passwore"), std::string::npos);
}

TEST_F(SopsAgeTest, MacMismatchIsRefusedUnlessOverridden) {
  // Swap the two values' lines: each still decrypts? No: the AAD binds them; instead drop one.
  std::string t = text_;
  size_t start = t.find("api: ");
  t.erase(start, t.find('\n', start) + 1 - start);
  std::string msg = message_of(t, opts_);
  EXPECT_NE(msg.find("MAC mismatch"), std::string::npos) << msg;
  SopsOptions o = opts_;
  o.ignore_mac = true;
  EXPECT_EQ(decrypt_sops(t, SopsFormat::kYaml, "x.yaml", o).find("db_password")->as_string(),
            "hunter2");
}

TEST_F(SopsAgeTest, WrongKeyMalformedEncAndUnknownTypeAreClear) {
  SopsOptions other;
  other.age_identities = std::vector<age::Identity>{age::Identity::x25519(
      "AGE-SECRET-KEY-1RH87A5Z54ZGUR9S0AS3R6WHFSEFNPLYMAKF5Z2CEU7R06VRJ0A3Q7242AM")};
  std::string msg = message_of(text_, other);
  EXPECT_NE(msg.find("cannot decrypt the data key"), std::string::npos) << msg;
  EXPECT_NE(msg.find("SOPS_AGE_KEY"), std::string::npos) << msg;

  std::string t = text_;
  t.replace(t.find(",iv:"), 4, ",IV:");
  msg = message_of(t, opts_);
  EXPECT_NE(msg.find("malformed ENC[] value at key path db_password"), std::string::npos) << msg;

  EXPECT_FALSE(parse_enc("ENC[AES256_GCM,data:AA==,iv:AA==,tag:AA==]"));
  EXPECT_FALSE(parse_enc("ENC[AES256_GCM,data:A,iv:AA==,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]"));
  EXPECT_TRUE(parse_enc("ENC[AES256_GCM,data:,iv:AA==,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]"));
}

TEST_F(SopsAgeTest, TruncatedFilesAndUnknownVersionsFailClearly) {
  for (size_t cut : {size_t(0), size_t(10), text_.find("sops:") - 20, text_.find("-----END"),
                     text_.find("  mac:") + 30}) {
    std::string msg = message_of(text_.substr(0, cut), opts_);
    EXPECT_NE(msg, "(no error)") << cut;
    EXPECT_EQ(msg.rfind("secrets.enc.yaml", 0), 0u) << msg;
  }
  std::string t = text_;
  t.replace(t.find("version: 3.9.0"), 14, "version: 9.0.0");
  std::string msg = message_of(t, opts_);
  EXPECT_NE(msg.find("unsupported SOPS file version 9.0.0"), std::string::npos) << msg;
}

// Builds a file with custom rules: `body` lines are written as given, the MAC covers `mac_of`.
std::string with_rules(const age::Identity& id, const std::string& rule,
                       const std::vector<std::pair<std::string, std::string>>& clear,
                       const std::vector<std::pair<std::string, std::string>>& secret,
                       const std::string& mac_of) {
  std::string key;
  std::string base = encrypt_sops_yaml({}, id.recipient(), &key);
  std::string body;
  for (const auto& [k, v] : clear) body += k + ": " + v + "\n";
  for (const auto& [k, v] : secret) body += k + ": " + encrypt_enc(v, key, k + ":", "str") + "\n";
  size_t mac = base.find("  mac: ");
  size_t mac_end = base.find('\n', mac);
  std::string mac_line = "  mac: " +
      encrypt_enc(hex_encode(sha512(mac_of), true), key, "2024-01-01T00:00:00Z", "str");
  base.replace(mac, mac_end - mac, mac_line);
  base.replace(base.find("  unencrypted_suffix: _unencrypted\n"), 35, rule);
  return body + base;
}

TEST_F(SopsAgeTest, EncryptionRulesDecideWhatIsDecryptedAndMacked) {
  // encrypted_suffix + mac_only_encrypted: only *_secret values are encrypted and in the MAC.
  std::string t = with_rules(id_, "  encrypted_suffix: _secret\n  mac_only_encrypted: true\n",
                             {{"host", "db.local"}}, {{"db_secret", "pw1"}}, "pw1");
  Value v = decrypt_sops(t, SopsFormat::kYaml, "r.yaml", opts_);
  EXPECT_EQ(v.find("host")->as_string(), "db.local");
  EXPECT_FALSE(v.find("host")->sensitive());
  EXPECT_EQ(v.find("db_secret")->as_string(), "pw1");
  EXPECT_TRUE(v.find("db_secret")->sensitive());
  // Without mac_only_encrypted the clear value is part of the MAC, so this MAC mismatches.
  t = with_rules(id_, "  encrypted_suffix: _secret\n", {{"host", "db.local"}},
                 {{"db_secret", "pw1"}}, "pw1");
  EXPECT_NE(message_of(t, opts_).find("MAC mismatch"), std::string::npos);
  t = with_rules(id_, "  encrypted_suffix: _secret\n", {{"host", "db.local"}},
                 {{"db_secret", "pw1"}}, "db.localpw1");
  EXPECT_EQ(decrypt_sops(t, SopsFormat::kYaml, "r.yaml", opts_).find("host")->as_string(),
            "db.local");
  // unencrypted_regex: matching keys stay clear; a clear value where encryption is required
  // is refused.
  t = with_rules(id_, "  unencrypted_regex: ^public\n", {{"public_url", "https://x"}},
                 {{"token", "tk"}}, "https://xtk");
  EXPECT_EQ(decrypt_sops(t, SopsFormat::kYaml, "r.yaml", opts_).find("token")->as_string(), "tk");
  t = with_rules(id_, "  unencrypted_regex: ^public\n", {{"token", "plain"}}, {}, "plain");
  EXPECT_NE(message_of(t, opts_).find("key path token is not encrypted"), std::string::npos);
  // encrypted_regex: only matching subtrees are encrypted.
  t = with_rules(id_, "  encrypted_regex: ^(data|pass)\n", {{"kind", "Secret"}},
                 {{"password", "pw"}}, "Secretpw");
  EXPECT_EQ(decrypt_sops(t, SopsFormat::kYaml, "r.yaml", opts_).find("password")->as_string(),
            "pw");
}

TEST_F(SopsAgeTest, IdentitiesComeFromTheEnvironment) {
  TempDir dir("strata-sops-env");
  std::string keyfile = dir.file("keys.txt");
  std::ofstream(keyfile) << "# test\n" << kTestIdentity << "\n";
  ::setenv("SOPS_AGE_KEY_FILE", keyfile.c_str(), 1);
  ::unsetenv("SOPS_AGE_KEY");
  EXPECT_EQ(decrypt_sops(text_, SopsFormat::kYaml, "x.yaml", {}).find("api")->as_string(), "tok");
  ::unsetenv("SOPS_AGE_KEY_FILE");
  ::setenv("SOPS_AGE_KEY", kTestIdentity, 1);
  ::setenv("XDG_CONFIG_HOME", dir.path().c_str(), 1);
  EXPECT_EQ(decrypt_sops(text_, SopsFormat::kYaml, "x.yaml", {}).find("api")->as_string(), "tok");
  ::unsetenv("SOPS_AGE_KEY");
  std::filesystem::create_directories(dir.file("sops/age"));
  std::filesystem::rename(keyfile, dir.file("sops/age/keys.txt"));
  EXPECT_EQ(decrypt_sops(text_, SopsFormat::kYaml, "x.yaml", {}).find("api")->as_string(), "tok");
  ::unsetenv("XDG_CONFIG_HOME");
}

}  // namespace
}  // namespace strata::secrets

namespace strata::secrets {
namespace {

TEST(Shamir, FieldIsTheAesField) {
  EXPECT_EQ(gf_mul(0x57, 0x83), 0xc1);  // FIPS-197 §4.2
  EXPECT_EQ(gf_mul(0x57, 0x13), 0xfe);
  // Vault's (and sops's) tables use generator 0xe5: exp[2] = 0x4c, exp[8] = 0x03.
  uint8_t power = 1;
  for (int i = 0; i < 8; ++i) {
    power = gf_mul(power, 0xe5);
    if (i == 1) {
      EXPECT_EQ(power, 0x4c);
    }
  }
  EXPECT_EQ(power, 0x03);
}

TEST(Shamir, AnyThresholdOfSharesRebuildsTheSecretAndFewerDoNot) {
  const std::string secret = "0123456789abcdef0123456789abcdef";
  std::vector<std::string> shares = shamir_split(secret, 3, 2);
  ASSERT_EQ(shares.size(), 3u);
  EXPECT_EQ(shares[0].size(), secret.size() + 1);
  EXPECT_EQ(shamir_combine({shares[0], shares[1]}), secret);
  EXPECT_EQ(shamir_combine({shares[2], shares[0]}), secret);
  EXPECT_EQ(shamir_combine({shares[1], shares[2], shares[0]}), secret);
  std::vector<std::string> three = shamir_split(secret, 4, 3);
  EXPECT_NE(shamir_combine({three[0], three[1]}), secret);  // below the threshold: noise
  EXPECT_THROW(shamir_combine({shares[0]}), Error);
  EXPECT_THROW(shamir_combine({shares[0], shares[0]}), Error);
}

// A SOPS file whose data key is split across three age key groups, any two of which open it,
// written the way sops writes one (key_groups + shamir_threshold).
std::string shamir_sops_file(const std::vector<std::string>& recipients, int threshold) {
  std::string key;
  std::string text = encrypt_sops_yaml({{"db_password", "hunter2"}}, recipients[0], &key);
  std::vector<std::string> shares = shamir_split(key, static_cast<int>(recipients.size()), threshold);
  std::string groups = "sops:\n  key_groups:\n";
  for (size_t g = 0; g < recipients.size(); ++g) {
    std::string enc = age::encrypt(shares[g], {recipients[g]}, true);
    groups += "    - age:\n        - recipient: " + recipients[g] + "\n          enc: |\n";
    for (size_t pos = 0; pos < enc.size();) {
      size_t nl = enc.find('\n', pos);
      groups += "            " + enc.substr(pos, nl - pos) + "\n";
      pos = nl + 1;
    }
  }
  groups += "  shamir_threshold: " + std::to_string(threshold) + "\n";
  // Keep the body and the MAC; replace the single age recipient with the groups.
  size_t sops_at = text.find("sops:\n");
  size_t rest_at = text.find("  lastmodified:");
  return text.substr(0, sops_at) + groups + text.substr(rest_at);
}

TEST(Shamir, SopsFileWithKeyGroupsOpensWithThresholdIdentitiesOnly) {
  std::vector<age::Identity> ids = {
      age::Identity::x25519(kTestIdentity),
      age::Identity::x25519("AGE-SECRET-KEY-1RH87A5Z54ZGUR9S0AS3R6WHFSEFNPLYMAKF5Z2CEU7R06VRJ0A3Q7242AM"),
      age::Identity::x25519("AGE-SECRET-KEY-143WN7DCXU4G8R5AXQSSYD9AEPYDNT3HXSLWSPK36CDU6E8M59SSSAGZ3KG")};
  std::string text = shamir_sops_file({ids[0].recipient(), ids[1].recipient(), ids[2].recipient()}, 2);
  ASSERT_NE(text.find("shamir_threshold: 2"), std::string::npos) << text;

  SopsOptions two;
  two.age_identities = std::vector<age::Identity>{ids[0], ids[2]};
  Value tree = decrypt_sops(text, SopsFormat::kYaml, "split.yaml", two);
  EXPECT_EQ(tree.find("db_password")->as_string(), "hunter2");

  SopsOptions one;
  one.age_identities = std::vector<age::Identity>{ids[1]};
  try {
    decrypt_sops(text, SopsFormat::kYaml, "split.yaml", one);
    FAIL() << "one share opened a file that needs two";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("split across 3 key groups and 2 are needed; 1 could be opened"),
              std::string::npos)
        << e.message();
    EXPECT_NE(e.message().find("key group 1: age"), std::string::npos) << e.message();
    EXPECT_EQ(e.message().find("hunter2"), std::string::npos);
  }

  std::string bad = text;
  bad.replace(bad.find("shamir_threshold: 2"), 19, "shamir_threshold: 9");
  EXPECT_THROW(decrypt_sops(bad, SopsFormat::kYaml, "split.yaml", two), Error);
}

}  // namespace
}  // namespace strata::secrets

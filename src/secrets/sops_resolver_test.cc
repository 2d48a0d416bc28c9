#include "secrets/sops_resolver.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "base/temp_dir.h"
#include "model/error.h"
#include "support/conformance.h"

namespace strata::secrets {
namespace {

const char* kIdentity = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";

class SopsResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    id_ = age::Identity::x25519(kIdentity);
    opts_.age_identities = std::vector<age::Identity>{id_};
    std::filesystem::create_directories(dir_.file("env"));
    write("env/db.enc.yaml", {{"password", "s3cr3t-pw"}, {"user", "admin-user"}});
  }
  void write(const std::string& rel, const std::vector<std::pair<std::string, std::string>>& kv) {
    std::ofstream(dir_.file(rel)) << encrypt_sops_yaml(kv, id_.recipient());
  }
  std::string error_of(SopsSecretResolver& r, const std::string& ref) {
    try {
      r.resolve(ref, Origin("stack.js", 3, 7));
    } catch (const Error& e) {
      EXPECT_EQ(e.origin().str(), "stack.js:3:7");
      return e.render();
    }
    return "(no error)";
  }
  TempDir dir_{"strata-resolver"};
  age::Identity id_ = age::Identity::passphrase("");
  SopsOptions opts_;
};

TEST_F(SopsResolverTest, ResolvesBothReferenceFormsMarksSensitiveAndRedacts) {
  Redactor redactor;
  SopsSecretResolver r(dir_.path(), &redactor, opts_);
  Value a = r.resolve("sops://env/db.enc.yaml#/password", Origin("stack.js", 1, 1));
  Value b = r.resolve("sops://env/db.enc.yaml#user", Origin("stack.js", 2, 1));
  EXPECT_EQ(a.as_string(), "s3cr3t-pw");
  EXPECT_EQ(b.as_string(), "admin-user");
  EXPECT_TRUE(a.sensitive());
  EXPECT_EQ(redacted(a).as_string(), "(sensitive)");
  EXPECT_EQ(redactor.redact("pw=s3cr3t-pw user=\"admin-user\""),
            "pw=(sensitive) user=\"(sensitive)\"");
  Value whole = r.resolve("sops://" + dir_.file("env/db.enc.yaml"), Origin("stack.js", 4, 1));
  EXPECT_TRUE(whole.is_map());
  EXPECT_TRUE(whole.find("password")->sensitive());
}

TEST_F(SopsResolverTest, DecryptsEachFileOncePerModificationTime) {
  SopsSecretResolver r(dir_.path(), nullptr, opts_);
  r.resolve("sops://env/db.enc.yaml#password", {});
  r.resolve("sops://env/db.enc.yaml#/user", {});
  EXPECT_EQ(r.decrypt_count(), 1);
  write("env/db.enc.yaml", {{"password", "rotated-pw"}, {"user", "admin-user"}});
  std::filesystem::last_write_time(
      dir_.file("env/db.enc.yaml"),
      std::filesystem::last_write_time(dir_.file("env/db.enc.yaml")) + std::chrono::seconds(5));
  EXPECT_EQ(r.resolve("sops://env/db.enc.yaml#password", {}).as_string(), "rotated-pw");
  EXPECT_EQ(r.decrypt_count(), 2);
}

TEST_F(SopsResolverTest, ErrorsNameFileAndKeyButNeverTheSecret) {
  SopsSecretResolver r(dir_.path(), nullptr, opts_);
  std::string msg = error_of(r, "sops://env/db.enc.yaml#/passwd");
  EXPECT_NE(msg.find("key 'passwd' not found"), std::string::npos) << msg;
  EXPECT_NE(msg.find("db.enc.yaml"), std::string::npos) << msg;
  EXPECT_NE(msg.find("password, user"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("s3cr3t-pw"), std::string::npos) << msg;
  msg = error_of(r, "sops://env/missing.yaml#a");
  EXPECT_NE(msg.find("missing.yaml not found"), std::string::npos) << msg;
  msg = error_of(r, "op://vault/item");
  EXPECT_NE(msg.find("unsupported secret reference"), std::string::npos) << msg;
  // A tampered file: the error carries the file's position and the key path.
  std::string text;
  {
    std::ifstream in(dir_.file("env/db.enc.yaml"));
    std::stringstream s;
    s << in.rdbuf();
    text = s.str();
  }
  size_t pos = text.find("data:") + 5;
  text[pos] = text[pos] == 'A' ? 'B' : 'A';
  std::ofstream(dir_.file("env/bad.enc.yaml")) << text;
  msg = error_of(r, "sops://env/bad.enc.yaml#password");
  EXPECT_NE(msg.find("bad.enc.yaml:1:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("key path password"), std::string::npos) << msg;
}

TEST(SopsResolverConformanceTest, NestedPathsInARealSopsFile) {
  STRATA_REQUIRE_CONFORMANCE(conf);
  std::string keys = conf + "/sops/fluxcd-kustomize-controller/sops/keys/age.txt";
  std::ifstream in(keys);
  std::stringstream s;
  s << in.rdbuf();
  SopsOptions o;
  o.age_identities = age::parse_identities(s.str());
  SopsSecretResolver r(conf + "/sops/fluxcd-kustomize-controller/sops", nullptr, o);
  EXPECT_EQ(r.resolve("sops://algorithms/age.yaml#/stringData/key", {}).as_string(), "value");
  EXPECT_EQ(r.resolve("sops://algorithms/age.yaml#stringData.key", {}).as_string(), "value");
  EXPECT_EQ(r.resolve("sops://algorithms/age.yaml#metadata.name", {}).as_string(), "age");
}

}  // namespace
}  // namespace strata::secrets

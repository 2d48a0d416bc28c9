// Tests for the server's key ring and for SealedStore: what the server keeps at rest is sealed,
// opens only for the record it was sealed for, and stays readable across key rotations.
#include "store/keyring.h"

#include <gtest/gtest.h>

#include "model/error.h"
#include "secrets/crypto.h"

namespace strata::store {
namespace {

TEST(Keyring, SealsOpensAndBindsEachValueToItsRecord) {
  Keyring ring = Keyring::generate();
  std::string sealed = ring.seal(R"({"password":"hunter2"})", "tfstate infra/dev/db");
  EXPECT_EQ(sealed.rfind("sealed:v1:", 0), 0u) << sealed;
  EXPECT_EQ(sealed.find("hunter2"), std::string::npos);
  EXPECT_NE(ring.seal("same", "r"), ring.seal("same", "r")) << "a random nonce per record";
  EXPECT_EQ(ring.open(sealed, "tfstate infra/dev/db"), R"({"password":"hunter2"})");
  EXPECT_EQ(ring.open(ring.seal("", "r"), "r"), "");
  // Moved to another record, or changed: it does not open, and says so.
  EXPECT_THROW(ring.open(sealed, "tfstate infra/prod/db"), Error);
  std::string changed = sealed;
  changed[changed.size() - 3] = changed[changed.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_THROW(ring.open(changed, "tfstate infra/dev/db"), Error);
  // What was stored before the server sealed anything reads as it is.
  EXPECT_EQ(ring.open(R"({"serial":1})", "tfstate x"), R"({"serial":1})");
}

TEST(Keyring, RotationSealsWithTheNewKeyAndOldRecordsStillOpen) {
  Keyring ring = Keyring::generate();
  std::string old = ring.seal("v1 secret", "log a 0");
  EXPECT_EQ(ring.rotate(), 2);
  std::string fresh = ring.seal("v2 secret", "log a 1");
  EXPECT_EQ(Keyring::version_of(old), 1);
  EXPECT_EQ(Keyring::version_of(fresh), 2);
  // Through the file, as a restarted server reads it.
  Keyring reread = Keyring::parse(ring.text(), "keyring");
  EXPECT_EQ(reread.current_version(), 2);
  EXPECT_EQ(reread.open(old, "log a 0"), "v1 secret");
  EXPECT_EQ(reread.open(fresh, "log a 1"), "v2 secret");
}

TEST(Keyring, ARecordWhoseKeyIsGoneFailsLoudlyNamingItsVersion) {
  Keyring ring = Keyring::generate();
  ring.rotate();
  ring.rotate();
  std::string sealed = ring.seal("x", "r");  // version 3
  Keyring other = Keyring::generate();          // version 1 only
  try {
    other.open(sealed, "r");
    FAIL() << "opened without its key";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("key version 3"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("does not hold"), std::string::npos) << e.message();
    EXPECT_NE(e.hint().find("version 3"), std::string::npos) << e.hint();
  }
}

TEST(Keyring, FileMistakesSayWhereAndWhatToDo) {
  const std::string key = secrets::base64_encode(std::string(32, 'k'));
  struct Case {
    std::string text, expected;
  } cases[] = {
      {"", "keyring: the key ring holds no key"},
      {"# only a comment\n", "keyring: the key ring holds no key"},
      {"one " + key + "\n", "keyring:1: \"one\" is not a key version"},
      {"1 " + key + "\n0 " + key + "\n", "keyring:2: \"0\" is not a key version"},
      {"1 c2hvcnQ=\n", "keyring:1: the key of version 1 is not 32 bytes in base64"},
      {"1\n", "keyring:1: the key of version 1 is not 32 bytes in base64"},
      {"1 " + key + "\n\n1 " + key + "\n", "keyring:3: version 1 is there twice"},
  };
  for (const auto& c : cases) {
    try {
      Keyring::parse(c.text, "keyring");
      ADD_FAILURE() << "accepted: " << c.text;
    } catch (const Error& e) {
      EXPECT_EQ(e.message(), c.expected) << c.text;
      EXPECT_FALSE(e.hint().empty()) << c.text;
    }
  }
  EXPECT_EQ(Keyring::parse("# comment\n  7   " + key + "  \n", "keyring").current_version(), 7);
}

}  // namespace
}  // namespace strata::store

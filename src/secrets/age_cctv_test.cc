// Runs every C2SP CCTV age vector: success vectors must decrypt to the payload hash, failure
// vectors must fail with the expected kind (and, for payload failures, release only plaintext
// matching the hash). Each vector is a test of its own; post-quantum (hybrid) vectors skip.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "secrets/age.h"
#include "secrets/crypto.h"
#include "support/conformance.h"
#include "support/data_cases.h"

namespace strata::age {
namespace {

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string inflate_zlib(const std::string& in) {
  z_stream zs{};
  EXPECT_EQ(inflateInit(&zs), Z_OK);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = uInt(in.size());
  std::string out;
  char buf[65536];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(buf, sizeof buf - zs.avail_out);
  }
  inflateEnd(&zs);
  EXPECT_EQ(rc, Z_STREAM_END);
  return out;
}

struct Vector {
  std::string expect, payload_hash, compressed;
  bool armored = false;
  std::vector<std::string> identities, passphrases;
  bool unknown_key = false;
  std::string body;
};

Vector parse_vector(const std::string& text) {
  Vector v;
  size_t pos = 0;
  while (true) {
    size_t nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) break;
    size_t colon = line.find(": ");
    std::string key = line.substr(0, colon), value = line.substr(colon + 2);
    if (key == "expect") v.expect = value;
    else if (key == "payload") v.payload_hash = value;
    else if (key == "identity") v.identities.push_back(value);
    else if (key == "passphrase") v.passphrases.push_back(value);
    else if (key == "armored") v.armored = value == "yes";
    else if (key == "compressed") v.compressed = value;
    else if (key == "file key" || key == "comment") {
    } else v.unknown_key = true;
  }
  v.body = text.substr(pos);
  return v;
}

std::string cctv_dir() { return strata::testing::conformance_dir() + "/age/cctv/testdata"; }

bool is_file(const std::filesystem::path& p) { return std::filesystem::is_regular_file(p); }

TEST(AgeCctvTest, TheVectorsArePresent) {
  STRATA_REQUIRE_CONFORMANCE(conf);
  ASSERT_TRUE(std::filesystem::is_directory(cctv_dir())) << cctv_dir();
  EXPECT_GE(strata::testing::data_cases(cctv_dir(), is_file).size(), 120u);
}

// One test per vector: Cases/AgeCctvVector.BehavesAsExpected/<vector>.
class AgeCctvVector : public ::testing::TestWithParam<strata::testing::DataCase> {};

TEST_P(AgeCctvVector, BehavesAsExpected) {
  Vector v = parse_vector(read_file(GetParam().path));
  bool pq = std::any_of(v.identities.begin(), v.identities.end(),
                        [](const std::string& s) { return s.rfind("AGE-SECRET-KEY-PQ-", 0) == 0; });
  if (pq) GTEST_SKIP() << "post-quantum hybrid identity: not supported";
  if (v.unknown_key) GTEST_SKIP() << "the vector has a header key this runner does not know";
  std::string file = v.compressed == "zlib" ? inflate_zlib(v.body) : v.body;
  std::vector<Identity> ids;
  for (const auto& s : v.identities) ids.push_back(Identity::x25519(s));
  for (const auto& s : v.passphrases) ids.push_back(Identity::passphrase(s));
  std::string released;
  std::string got_kind = "success";
  std::string message;
  try {
    if (v.armored) {
      // Armored vectors must go through the armor decoder, even when detection would not.
      std::string binary = dearmor(file);
      decrypt(binary, ids, {}, &released);
    } else {
      EXPECT_FALSE(is_armored(file));
      decrypt(file, ids, {}, &released);
    }
  } catch (const AgeError& e) {
    got_kind = failure_kind_name(e.failure());
    message = e.message();
  }
  EXPECT_EQ(got_kind, v.expect) << message;
  if (v.expect == "success" || v.expect == "payload failure") {
    EXPECT_EQ(secrets::hex_encode(secrets::sha256(released)), v.payload_hash);
  }
}

// No cases without the conformance folder; TheVectorsArePresent then skips (or fails in CI).
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(AgeCctvVector);
INSTANTIATE_TEST_SUITE_P(Cases, AgeCctvVector,
                         ::testing::ValuesIn(strata::testing::data_cases(cctv_dir(), is_file)),
                         strata::testing::data_case_name);

TEST(AgeTest, EncryptRoundTripsAndWrongKeyIsNoMatch) {
  Identity id = Identity::x25519(
      "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0");
  std::string big(200000, 'x');
  for (bool armored : {false, true}) {
    for (std::string pt : {std::string(), std::string("hello"), big}) {
      std::string enc = encrypt(pt, {id.recipient()}, armored);
      EXPECT_EQ(is_armored(enc), armored);
      EXPECT_EQ(decrypt(enc, {id}), pt);
    }
  }
  Identity other = Identity::x25519(
      "AGE-SECRET-KEY-1RH87A5Z54ZGUR9S0AS3R6WHFSEFNPLYMAKF5Z2CEU7R06VRJ0A3Q7242AM");
  try {
    decrypt(encrypt("x", {id.recipient()}), {other});
    FAIL() << "decrypted with the wrong key";
  } catch (const AgeError& e) {
    EXPECT_EQ(e.failure(), FailureKind::kNoMatch);
  }
}

TEST(AgeTest, MalformedIdentityIsRefused) {
  EXPECT_THROW(Identity::x25519("AGE-SECRET-KEY-1NOTAKEY"), AgeError);
  EXPECT_THROW(parse_identities("# comment\nnot a key\n"), AgeError);
  EXPECT_EQ(parse_identities("# c\n\nAGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR4"
                             "8UAWX40Q2P2LM0\n")
                .size(),
            1u);
}

}  // namespace
}  // namespace strata::age

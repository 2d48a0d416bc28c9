// The registry plugin's conversation with a registry, against a simulated one (FakeRegistry
// answers as distribution 2.8 does, plus a token server): which requests it sends, when it skips
// an upload, how it answers Basic and Bearer challenges, and what it says when refused. The real
// registry is exercised by AppEndToEnd (tests/integration/app_e2e_test.cc).
#include "app/plugins/oci_registry.h"

#include <gtest/gtest.h>

#include <set>

#include "app/lifecycle.h"
#include "app/oci_layout.h"
#include "app/tar_layer.h"
#include "base/atomic_file.h"
#include "base/temp_dir.h"

namespace strata::app {
namespace {

// A simulated registry at http://reg.test. With `bearer`, every /v2/ request needs the token its
// token server (http://auth.test/token) gives to user:pass; with `basic`, it needs user:pass.
class FakeRegistry : public HttpClient {
 public:
  enum class Auth { kNone, kBasic, kBearer };
  explicit FakeRegistry(Auth auth, std::vector<std::string>* log) : auth_(auth), log_(log) {}

  std::set<std::string> blobs;      // digests held
  std::set<std::string> mountable;  // digests another repository holds
  std::string manifest_digest_override;

  HttpResponse send(const HttpRequest& r) override {
    std::string path = r.url.substr(r.url.find('/', 8));
    auto auth = r.headers.find("Authorization");
    std::string shown = auth == r.headers.end() ? "" : " [" + auth->second + "]";
    log_->push_back(r.method + " " + path + shown);
    if (r.url.rfind("http://auth.test/token", 0) == 0) {
      if (shown != " [Basic dXNlcjpwYXNz]") return {401, {}, "bad credentials"};
      return {200, {}, R"({"token": "tok-123"})"};
    }
    if (auth_ == Auth::kBasic && shown != " [Basic dXNlcjpwYXNz]")
      return {401,
              {{"www-authenticate", "Basic realm=\"reg\""}},
              "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}"};
    if (auth_ == Auth::kBearer && shown != " [Bearer tok-123]")
      return {401,
              {{"www-authenticate",
                "Bearer "
                "realm=\"http://auth.test/token\",service=\"reg.test\",scope=\"repository:demo/"
                "web:pull,push\""}},
              ""};
    if (r.method == "HEAD")
      return {blobs.count(path.substr(path.rfind('/') + 1)) ? 200 : 404, {}, ""};
    if (r.method == "POST") {
      auto mount = path.find("?mount=");
      if (mount != std::string::npos) {
        std::string digest = path.substr(mount + 7, path.find('&') - mount - 7);
        if (mountable.count(digest)) {
          blobs.insert(digest);
          return {201, {}, ""};
        }
      }
      return {202, {{"location", "/v2/demo/web/blobs/uploads/u1?_state=x"}}, ""};
    }
    if (r.method == "PUT" && path.find("/blobs/uploads/") != std::string::npos) {
      std::string digest = path.substr(path.find("digest=") + 7);
      if (sha256_digest(r.body) != digest) return {400, {}, "DIGEST_INVALID"};
      blobs.insert(digest);
      return {201, {}, ""};
    }
    if (r.method == "PUT" && path.find("/manifests/") != std::string::npos) {
      std::string digest =
          manifest_digest_override.empty() ? sha256_digest(r.body) : manifest_digest_override;
      return {201, {{"docker-content-digest", digest}}, ""};
    }
    return {404, {}, ""};
  }

 private:
  Auth auth_;
  std::vector<std::string>* log_;
};

class OciRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file_atomic(dir_.file("index.html"), "<p>hi</p>\n", 0644);
    write_file_atomic(dir_.file("cloudstation.hcl"),
                      "app \"web\" {\n  build { use = \"oci\" }\n  deploy { use = \"noop\" }\n}\n",
                      0644);
    project_ = load_project(dir_.path(), {});
    Lifecycle l(project_, project_.config.apps[0], nullptr);
    artifact_ = l.build();
  }

  // Pushes the built image through a registry plugin with `options`, talking to `fake`.
  RegistryRef push(const std::string& options, FakeRegistry* fake) {
    PluginConfig c;
    c.phase = Phase::kRegistry;
    c.use = "registry";
    Diagnostics d;
    // Options as they come out of cloudstation.hcl.
    Value opts = parse_json_text(options);
    c.options = opts.as_map();
    auto plugin = make_oci_registry_with_client(c, d, std::unique_ptr<HttpClient>(fake));
    if (!plugin) throw Error(d.items().at(0).render());
    PhaseContext ctx;
    ctx.app = "web";
    return plugin->push(ctx, artifact_);
  }

  TempDir dir_{"oci-registry"};
  LoadedProject project_;
  Artifact artifact_;
  std::vector<std::string> log_;
};

TEST_F(OciRegistryTest, UploadsWhatTheRegistryLacksThenPutsTheManifest) {
  auto* fake = new FakeRegistry(FakeRegistry::Auth::kNone, &log_);
  RegistryRef ref =
      push(R"({"address": "reg.test", "repository": "demo/web", "insecure": true})", fake);
  EXPECT_EQ(ref.digest, artifact_.digest);
  EXPECT_EQ(ref.reference(), "reg.test/demo/web:latest@" + artifact_.digest);
  EXPECT_EQ(ref.blobs_uploaded, 2);
  ASSERT_EQ(log_.size(), 7u);  // per blob HEAD, POST, PUT; then the manifest
  EXPECT_EQ(log_[0].substr(0, 28), "HEAD /v2/demo/web/blobs/sha2");
  EXPECT_EQ(log_[1], "POST /v2/demo/web/blobs/uploads/");
  EXPECT_EQ(log_[2].substr(0, 55), "PUT /v2/demo/web/blobs/uploads/u1?_state=x&digest=sha25");
  EXPECT_EQ(log_[6], "PUT /v2/demo/web/manifests/latest");
}

TEST_F(OciRegistryTest, BlobsTheRegistryHasOrCanMountAreNotUploaded) {
  auto* fake = new FakeRegistry(FakeRegistry::Auth::kNone, &log_);
  LayoutImage img = read_layout_image(artifact_.layout, "latest");
  fake->blobs.insert(img.manifest["config"]["digest"].get<std::string>());
  fake->mountable.insert(img.manifest["layers"][0]["digest"].get<std::string>());
  RegistryRef ref = push(
      R"({"address": "reg.test", "repository": "demo/web", "insecure": true, "mount_from": "demo/base"})",
      fake);
  EXPECT_EQ(ref.blobs_uploaded, 0);
  EXPECT_EQ(ref.blobs_reused, 2);
  for (const auto& line : log_)
    EXPECT_EQ(line.find("PUT /v2/demo/web/blobs"), std::string::npos) << line;
  EXPECT_NE(log_[1].find("?mount=" + img.manifest["layers"][0]["digest"].get<std::string>() +
                         "&from=demo/base"),
            std::string::npos)
      << log_[1];
}

TEST_F(OciRegistryTest, BearerChallengeIsAnsweredWithATokenFromTheRealm) {
  auto* fake = new FakeRegistry(FakeRegistry::Auth::kBearer, &log_);
  RegistryRef ref = push(
      R"({"address": "reg.test", "repository": "demo/web", "insecure": true, "username": "user", "password": "pass"})",
      fake);
  EXPECT_EQ(ref.digest, artifact_.digest);
  // First request challenged (it carried Basic), one token fetch, then Bearer everywhere.
  EXPECT_EQ(log_[1],
            "GET /token?service=reg.test&scope=repository:demo/web:pull,push [Basic dXNlcjpwYXNz]");
  EXPECT_EQ(log_.back(), "PUT /v2/demo/web/manifests/latest [Bearer tok-123]");
  int token_fetches = 0;
  for (const auto& line : log_) token_fetches += line.rfind("GET /token", 0) == 0;
  EXPECT_EQ(token_fetches, 1);
}

TEST_F(OciRegistryTest, BasicAuthIsSentAndARefusalSaysWhatToCheck) {
  auto* fake = new FakeRegistry(FakeRegistry::Auth::kBasic, &log_);
  push(R"({"address": "reg.test", "insecure": true, "username": "user", "password": "pass"})",
       fake);
  for (const auto& line : log_)
    EXPECT_NE(line.find("[Basic dXNlcjpwYXNz]"), std::string::npos) << line;
  try {
    push(R"({"address": "reg.test", "insecure": true, "username": "user", "password": "wrong"})",
         new FakeRegistry(FakeRegistry::Auth::kBasic, &log_));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.render(), "registry reg.test answered 401 to HEAD /v2/web/blobs/" +
                              read_layout_image(artifact_.layout, "latest")
                                  .manifest["layers"][0]["digest"]
                                  .get<std::string>() +
                              ": {\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}\n"
                              "  hint: check username and password (or the token) for reg.test");
  }
}

TEST_F(OciRegistryTest, ARegistryThatStoresAnotherManifestDigestIsAnError) {
  auto* fake = new FakeRegistry(FakeRegistry::Auth::kNone, &log_);
  fake->manifest_digest_override = "sha256:0000";
  try {
    push(R"({"address": "reg.test", "insecure": true})", fake);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(),
              "registry reg.test stored the manifest as sha256:0000, not " + artifact_.digest);
  }
}

}  // namespace
}  // namespace strata::app

// Vault AppRole login and KV v2 reads against a simulated Vault (the HTTP client is an input):
// what is sent, what is merged, and errors that say what to check without showing a secret.
#include "app/vault_client.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "model/error.h"

namespace strata::app {
namespace {

// Vault with one AppRole (web-role / right-secret-id) allowed to read secret/apps/web.
class FakeVault : public HttpClient {
 public:
  std::vector<HttpRequest> requests;
  HttpResponse send(const HttpRequest& r) override {
    requests.push_back(r);
    if (r.method == "POST" && r.url == "http://vault.test:8200/v1/auth/approle/login") {
      auto body = nlohmann::json::parse(r.body);
      if (body == nlohmann::json{{"role_id", "web-role"}, {"secret_id", "right-secret-id"}})
        return {200, {}, R"({"auth": {"client_token": "s.token-1", "lease_duration": 60}})"};
      return {400, {}, R"({"errors": ["invalid role or secret ID"]})"};
    }
    if (r.method == "GET" && r.headers.count("X-Vault-Token") &&
        r.headers.at("X-Vault-Token") == "s.token-1") {
      if (r.url == "http://vault.test:8200/v1/secret/data/apps/web")
        return {
            200,
            {},
            R"({"data": {"data": {"NPM_TOKEN": "npm-from-vault", "PORT": 8080}, "metadata": {"version": 2}}})"};
      return {404, {}, R"({"errors": []})"};
    }
    return {403, {}, R"({"errors": ["permission denied"]})"};
  }
};

VaultAppRole approle(const std::string& secret_id, const std::string& path = "apps/web") {
  VaultAppRole v;
  v.address = "http://vault.test:8200/";
  v.role_id = "web-role";
  v.secret_id = secret_id;
  v.path = path;
  return v;
}

TEST(VaultClientTest, LogsInWithAppRoleAndReadsTheKvVersion2Secret) {
  FakeVault vault;
  auto secrets = read_vault_secret(vault, approle("right-secret-id"));
  EXPECT_EQ(secrets, (std::map<std::string, std::string>{{"NPM_TOKEN", "npm-from-vault"},
                                                         {"PORT", "8080"}}));
  ASSERT_EQ(vault.requests.size(), 2u);
  EXPECT_EQ(vault.requests[1].url, "http://vault.test:8200/v1/secret/data/apps/web");
}

TEST(VaultClientTest, SecretsNeverOverwriteWhatTheBuildAlreadySets) {
  std::map<std::string, std::string> env = {{"PORT", "9000"}};
  auto added = merge_secrets(env, {{"NPM_TOKEN", "npm-from-vault"}, {"PORT", "8080"}});
  EXPECT_EQ(added, std::vector<std::string>{"NPM_TOKEN"});
  EXPECT_EQ(
      env, (std::map<std::string, std::string>{{"NPM_TOKEN", "npm-from-vault"}, {"PORT", "9000"}}));
}

TEST(VaultClientTest, AWrongSecretIdIsAClearErrorThatDoesNotShowIt) {
  FakeVault vault;
  try {
    read_vault_secret(vault, approle("wrong-secret-id"));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.render(),
              "vault: AppRole login at http://vault.test:8200 failed: invalid role or secret ID "
              "(HTTP 400)\n"
              "  hint: check role_id and secret_id (a secret_id may have expired or reached its "
              "use limit)");
  }
}

TEST(VaultClientTest, AMissingSecretNamesTheKvPathItRead) {
  FakeVault vault;
  try {
    read_vault_secret(vault, approle("right-secret-id", "apps/nope"));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.render(),
              "vault: cannot read secret/data/apps/nope at http://vault.test:8200: HTTP 404\n"
              "  hint: check mount and path (a KV version 2 secret is read at MOUNT/data/PATH)");
  }
}

}  // namespace
}  // namespace strata::app

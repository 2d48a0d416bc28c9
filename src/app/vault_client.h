// Vault secrets for builds (CloudStation's csdocker): log in with AppRole
// (POST /v1/auth/approle/login), read one KV version 2 secret (GET /v1/MOUNT/data/PATH) and
// merge its keys into a build environment without overwriting what is already set. Errors never
// carry the secret_id, the token or a secret's value.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "app/http_client.h"

namespace strata::app {

struct VaultAppRole {
  std::string address;  // "https://vault.example.com:8200"
  std::string role_id;
  std::string secret_id;
  std::string mount = "secret";  // the KV v2 engine's mount
  std::string path;              // the secret inside it: "apps/web"
  std::string approle_mount = "approle";
};

// The secret's keys and values. Throws strata::Error saying which step failed and what to check.
std::map<std::string, std::string> read_vault_secret(HttpClient& http, const VaultAppRole& vault);

// Adds `secrets` to `env` where `env` has no value for the key yet; returns the keys added.
std::vector<std::string> merge_secrets(std::map<std::string, std::string>& env,
                                       const std::map<std::string, std::string>& secrets);

}  // namespace strata::app

#include "app/vault_client.h"

#include <nlohmann/json.hpp>

#include "model/error.h"

namespace strata::app {

namespace {

// Vault's {"errors": ["..."]}, joined; or the status alone.
std::string vault_errors(const HttpResponse& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  std::string out;
  if (j.is_object() && j.contains("errors") && j["errors"].is_array())
    for (const auto& e : j["errors"])
      if (e.is_string()) out += (out.empty() ? "" : "; ") + e.get<std::string>();
  return out.empty() ? "HTTP " + std::to_string(r.status)
                     : out + " (HTTP " + std::to_string(r.status) + ")";
}

}  // namespace

std::map<std::string, std::string> read_vault_secret(HttpClient& http, const VaultAppRole& v) {
  std::string base = v.address;
  while (!base.empty() && base.back() == '/') base.pop_back();
  nlohmann::json login = {{"role_id", v.role_id}, {"secret_id", v.secret_id}};
  HttpResponse r = http.send({"POST",
                              base + "/v1/auth/" + v.approle_mount + "/login",
                              {{"Content-Type", "application/json"}},
                              login.dump()});
  if (r.status != 200)
    throw Error(
        "vault: AppRole login at " + base + " failed: " + vault_errors(r), {},
        "check role_id and secret_id (a secret_id may have expired or reached its use limit)");
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  std::string token;
  if (j.is_object() && j.contains("auth") && j["auth"].is_object())
    token = j["auth"].value("client_token", "");
  if (token.empty())
    throw Error("vault: the AppRole login at " + base + " answered without auth.client_token");

  std::string where = v.mount + "/data/" + v.path;
  r = http.send({"GET", base + "/v1/" + where, {{"X-Vault-Token", token}}, {}});
  if (r.status != 200)
    throw Error("vault: cannot read " + where + " at " + base + ": " + vault_errors(r), {},
                r.status == 404
                    ? "check mount and path (a KV version 2 secret is read at MOUNT/data/PATH)"
                    : "check that the AppRole's policy may read " + where);
  j = nlohmann::json::parse(r.body, nullptr, false);
  const nlohmann::json* data = nullptr;
  if (j.is_object() && j.contains("data") && j["data"].is_object() && j["data"].contains("data"))
    data = &j["data"]["data"];
  if (!data || !data->is_object())
    throw Error("vault: " + where + " is not a KV version 2 secret (no data.data in the answer)");
  std::map<std::string, std::string> out;
  for (const auto& [k, value] : data->items())
    out[k] = value.is_string() ? value.get<std::string>() : value.dump();
  return out;
}

std::vector<std::string> merge_secrets(std::map<std::string, std::string>& env,
                                       const std::map<std::string, std::string>& secrets) {
  std::vector<std::string> added;
  for (const auto& [k, v] : secrets)
    if (env.emplace(k, v).second) added.push_back(k);
  return added;
}

}  // namespace strata::app

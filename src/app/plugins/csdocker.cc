// csdocker: CloudStation's docker builder. As docker, plus the keys of one Vault KV v2 secret
// (AppRole login) as build arguments: each is `--build-arg NAME` on docker's command line and its
// value only in docker's environment; a build_args entry of the same name wins over Vault's.
// Every value read is redacted from strata's output and records from then on.
#include <algorithm>

#include "app/http_client.h"
#include "app/plugin_table.h"
#include "app/plugins/docker.h"
#include "app/vault_client.h"
#include "base/suggest.h"

namespace strata::app {

namespace {

const std::vector<std::string> kVaultKeys = {"address", "role_id", "secret_id",
                                             "mount",   "path",    "approle_mount"};

class CsDockerBuilder : public Builder {
 public:
  CsDockerBuilder(DockerBuildOptions o, VaultAppRole v) : o_(std::move(o)), vault_(std::move(v)) {}
  Artifact build(const PhaseContext& ctx) override {
    auto http = make_curl_client();
    std::map<std::string, std::string> secrets = read_vault_secret(*http, vault_);
    for (const auto& [k, v] : secrets)
      if (ctx.redactor) ctx.redactor->add_secret(v);
    std::map<std::string, std::string> args = o_.build_args;
    std::vector<std::string> added = merge_secrets(args, secrets);
    if (ctx.progress)
      ctx.progress("vault: " + std::to_string(added.size()) + " build arguments from " +
                   vault_.mount + "/" + vault_.path);
    return docker_build(ctx, o_, args, "csdocker");
  }

 private:
  DockerBuildOptions o_;
  VaultAppRole vault_;
};

}  // namespace

std::unique_ptr<Builder> make_csdocker_builder(const PluginConfig& c, Diagnostics& d) {
  PluginOptions opt(c, d);
  DockerBuildOptions o = read_docker_build_options(opt);
  VaultAppRole v;
  std::optional<std::map<std::string, std::string>> vault = opt.string_map("vault");
  if (!vault && !c.options.count("vault")) {
    opt.missing("vault",
                "vault { address = \"https://vault:8200\" role_id = ... secret_id = ... path = "
                "\"apps/web\" }");
  } else if (vault) {
    for (const auto& [k, value] : *vault) {
      if (std::find(kVaultKeys.begin(), kVaultKeys.end(), k) != kVaultKeys.end()) continue;
      std::string guess = closest_match(k, kVaultKeys);
      opt.error("vault", "the vault block has no option \"" + k + "\"",
                guess.empty() ? "" : "did you mean \"" + guess + "\"?");
    }
    for (const char* required : {"address", "role_id", "secret_id", "path"})
      if (!vault->count(required))
        opt.error("vault", std::string("the vault block needs \"") + required + "\"");
    v.address = (*vault)["address"];
    v.role_id = (*vault)["role_id"];
    v.secret_id = (*vault)["secret_id"];
    v.path = (*vault)["path"];
    if (vault->count("mount")) v.mount = (*vault)["mount"];
    if (vault->count("approle_mount")) v.approle_mount = (*vault)["approle_mount"];
  }
  if (!opt.finish()) return nullptr;
  return std::make_unique<CsDockerBuilder>(std::move(o), std::move(v));
}

}  // namespace strata::app

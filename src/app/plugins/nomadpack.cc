// nomadpack: deploys with `nomad-pack run PACK --name NAME --registry REG --var image=REF
// --var ...`, the image being the pushed reference (or the built image without a registry);
// status from `nomad job status -short JOB`, destroy with `nomad job stop -purge JOB`. The Nomad
// address and token go in the tools' environment (NOMAD_ADDR, NOMAD_TOKEN), never on their
// command lines.
#include <regex>

#include "app/cli_tool.h"
#include "app/plugin_options.h"
#include "app/plugin_table.h"

namespace strata::app {

namespace {

struct NomadPackOptions {
  std::string pack, registry, name, job, nomad_addr, nomad_token;
  std::map<std::string, std::string> vars;
};

class NomadPackPlatform : public Platform {
 public:
  explicit NomadPackPlatform(NomadPackOptions o) : o_(std::move(o)) {}

  Deployment deploy(const PhaseContext& ctx, const DeployInput& input) override {
    std::string name = o_.name.empty() ? ctx.app : o_.name;
    std::string image = input.pushed ? input.pushed->registry + "/" + input.pushed->repository +
                                           ":" + input.pushed->tag
                                     : input.artifact.image + ":" + input.artifact.tag;
    std::vector<std::string> argv = {"nomad-pack", "run", o_.pack, "--name", name};
    if (!o_.registry.empty()) argv.insert(argv.end(), {"--registry", o_.registry});
    argv.insert(argv.end(), {"--var", "image=" + image});
    for (const auto& [k, v] : o_.vars) argv.insert(argv.end(), {"--var", k + "=" + v});
    run_tool(ctx, argv, env());
    Deployment d;
    d.plugin = "nomadpack";
    d.id = "nomad-pack:" + name;
    d.artifact_id = input.artifact.id;
    d.resources["job"] = job(ctx);
    d.resources["pack"] = o_.pack;
    return status(ctx, d);
  }

  Deployment status(const PhaseContext& ctx, const Deployment& d) override {
    Deployment out = d;
    ToolResult r =
        run_tool(ctx, {"nomad", "job", "status", "-short", d.resources.at("job")}, env());
    std::smatch m;
    static const std::regex kStatus(R"((^|\n)Status\s*=\s*(\w+))");
    if (!std::regex_search(r.out, m, kStatus))
      throw Error("nomad job status printed no \"Status = ...\" line for job " +
                  d.resources.at("job"));
    std::string s = m[2];
    out.state = s == "running"   ? DeploymentState::kRunning
                : s == "pending" ? DeploymentState::kPending
                : s == "dead"    ? DeploymentState::kStopped
                                 : DeploymentState::kFailed;
    out.health = "nomad: " + s;
    return out;
  }

  Deployment destroy(const PhaseContext& ctx, const Deployment& d) override {
    run_tool(ctx, {"nomad", "job", "stop", "-purge", d.resources.at("job")}, env());
    Deployment out = d;
    out.state = DeploymentState::kStopped;
    out.health.clear();
    return out;
  }

 private:
  std::string job(const PhaseContext& ctx) const {
    return !o_.job.empty() ? o_.job : !o_.name.empty() ? o_.name : ctx.app;
  }
  std::map<std::string, std::string> env() const {
    std::map<std::string, std::string> e;
    if (!o_.nomad_addr.empty()) e["NOMAD_ADDR"] = o_.nomad_addr;
    if (!o_.nomad_token.empty()) e["NOMAD_TOKEN"] = o_.nomad_token;
    return e;
  }
  NomadPackOptions o_;
};

}  // namespace

std::unique_ptr<Platform> make_nomadpack_platform(const PluginConfig& c, Diagnostics& d) {
  PluginOptions opt(c, d);
  NomadPackOptions o;
  std::optional<std::string> pack = opt.string("pack");
  if (!pack && !c.options.count("pack")) opt.missing("pack", "pack = \"hello_world\"");
  o.pack = pack.value_or("");
  o.registry = opt.string("registry", "");
  o.name = opt.string("name", "");
  o.job = opt.string("job", "");
  o.nomad_addr = opt.string("nomad_addr", "");
  o.nomad_token = opt.string("nomad_token", "");
  o.vars = opt.string_map("vars").value_or(o.vars);
  if (!opt.finish()) return nullptr;
  return std::make_unique<NomadPackPlatform>(std::move(o));
}

}  // namespace strata::app

// nixpacks: builds the app's folder with `nixpacks build` into the Docker daemon (nixpacks
// detects the language and writes the Dockerfile itself); then the image is pushed like a
// docker builder's (use = "docker" in the registry block). Needs the daemon, checked first.
// `env` values are passed as `--env KEY=VALUE` on nixpacks' command line: keep secrets out of it.
#include "app/cli_tool.h"
#include "app/plugin_options.h"
#include "app/plugin_table.h"

namespace strata::app {

namespace {

struct NixpacksOptions {
  std::string image, tag = "latest", context = ".";
  std::map<std::string, std::string> env;
};

class NixpacksBuilder : public Builder {
 public:
  explicit NixpacksBuilder(NixpacksOptions o) : o_(std::move(o)) {}
  Artifact build(const PhaseContext& ctx) override {
    require_docker_daemon(ctx, "nixpacks");
    Artifact a;
    a.plugin = "nixpacks";
    a.image = o_.image.empty() ? ctx.app : o_.image;
    a.tag = o_.tag;
    a.labels = ctx.labels;
    std::vector<std::string> argv = {"nixpacks", "build", o_.context, "--name",
                                     a.image + ":" + a.tag};
    for (const auto& [k, v] : o_.env) argv.insert(argv.end(), {"--env", k + "=" + v});
    run_tool(ctx, argv);
    std::string id =
        run_tool(ctx, {"docker", "image", "inspect", "--format", "{{.Id}}", a.image + ":" + a.tag})
            .out;
    while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
    if (id.rfind("sha256:", 0) != 0)
      throw Error("docker image inspect gave \"" + id + "\", not an image id (sha256:...)");
    a.id = id;
    return a;
  }

 private:
  NixpacksOptions o_;
};

}  // namespace

std::unique_ptr<Builder> make_nixpacks_builder(const PluginConfig& c, Diagnostics& d) {
  PluginOptions opt(c, d);
  NixpacksOptions o;
  o.image = opt.string("image", "");
  o.tag = opt.string("tag", "latest");
  o.context = opt.string("context", ".");
  o.env = opt.string_map("env").value_or(o.env);
  if (!opt.finish()) return nullptr;
  return std::make_unique<NixpacksBuilder>(std::move(o));
}

}  // namespace strata::app

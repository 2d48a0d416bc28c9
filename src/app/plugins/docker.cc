// docker: builds with `docker build` and pushes with `docker tag` + `docker push` (Waypoint's
// docker builder and registry). Needs a Docker daemon, which is checked first (`docker info`),
// not only the client. Build arguments are passed as `--build-arg NAME` with the value in
// docker's environment, never on its command line, where /proc/PID/cmdline would show it.
#include "app/plugins/docker.h"

#include <regex>

#include "app/cli_tool.h"
#include "app/plugin_options.h"
#include "app/plugin_table.h"

namespace strata::app {

namespace {

class DockerBuilder : public Builder {
 public:
  explicit DockerBuilder(DockerBuildOptions o) : o_(std::move(o)) {}
  Artifact build(const PhaseContext& ctx) override {
    return docker_build(ctx, o_, o_.build_args, "docker");
  }

 private:
  DockerBuildOptions o_;
};

struct DockerPushOptions {
  std::string image, tag;  // where to push: "registry.example.com/team/web"
};

class DockerRegistry : public Registry {
 public:
  explicit DockerRegistry(DockerPushOptions o) : o_(std::move(o)) {}
  RegistryRef push(const PhaseContext& ctx, const Artifact& artifact) override {
    if (artifact.plugin != "docker" && artifact.plugin != "csdocker" &&
        artifact.plugin != "nixpacks")
      throw Error("the docker registry pushes images in the Docker daemon; the " + artifact.plugin +
                      " builder made none",
                  {}, "build with use = \"docker\", or push with use = \"registry\"");
    require_docker_daemon(ctx, "docker");
    std::string tag = o_.tag.empty() ? artifact.tag : o_.tag;
    std::string target = o_.image + ":" + tag;
    run_tool(ctx, {"docker", "tag", artifact.image + ":" + artifact.tag, target});
    ToolResult r = run_tool(ctx, {"docker", "push", target});
    // The last line of a push: "<tag>: digest: sha256:<hex> size: <n>".
    std::smatch m;
    static const std::regex kDigest(R"(: digest: (sha256:[0-9a-f]{64}) size: \d+)");
    if (!std::regex_search(r.out, m, kDigest))
      throw Error("docker push " + target + " printed no digest line (\"" + tag +
                  ": digest: sha256:... size: N\")");
    RegistryRef ref;
    ref.plugin = "docker";
    auto slash = o_.image.find('/');
    bool has_host =
        slash != std::string::npos && (o_.image.find('.') < slash || o_.image.find(':') < slash ||
                                       o_.image.substr(0, slash) == "localhost");
    ref.registry = has_host ? o_.image.substr(0, slash) : "docker.io";
    ref.repository = has_host ? o_.image.substr(slash + 1) : o_.image;
    ref.tag = tag;
    ref.digest = m[1];
    return ref;
  }

 private:
  DockerPushOptions o_;
};

}  // namespace

Artifact docker_build(const PhaseContext& ctx, const DockerBuildOptions& o,
                      const std::map<std::string, std::string>& build_args,
                      const std::string& plugin) {
  require_docker_daemon(ctx, plugin);
  Artifact a;
  a.plugin = plugin;
  a.image = o.image.empty() ? ctx.app : o.image;
  a.tag = o.tag;
  a.labels = ctx.labels;
  for (const auto& [k, v] : o.labels) a.labels[k] = v;
  std::vector<std::string> argv = {"docker", "build", "-t", a.image + ":" + a.tag};
  if (!o.dockerfile.empty()) argv.insert(argv.end(), {"-f", o.dockerfile});
  for (const auto& [k, v] : build_args) argv.insert(argv.end(), {"--build-arg", k});
  for (const auto& [k, v] : a.labels) argv.insert(argv.end(), {"--label", k + "=" + v});
  argv.push_back(o.context);
  run_tool(ctx, argv, build_args);
  std::string id =
      run_tool(ctx, {"docker", "image", "inspect", "--format", "{{.Id}}", a.image + ":" + a.tag})
          .out;
  while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
  if (id.rfind("sha256:", 0) != 0)
    throw Error("docker image inspect gave \"" + id + "\", not an image id (sha256:...)");
  a.id = id;
  return a;
}

DockerBuildOptions read_docker_build_options(PluginOptions& opt) {
  DockerBuildOptions o;
  o.image = opt.string("image", "");
  o.tag = opt.string("tag", "latest");
  o.dockerfile = opt.string("dockerfile", "");
  o.context = opt.string("context", ".");
  o.build_args = opt.string_map("build_args").value_or(o.build_args);
  o.labels = opt.string_map("labels").value_or(o.labels);
  return o;
}

std::unique_ptr<Builder> make_docker_builder(const PluginConfig& c, Diagnostics& d) {
  PluginOptions opt(c, d);
  DockerBuildOptions o = read_docker_build_options(opt);
  if (!opt.finish()) return nullptr;
  return std::make_unique<DockerBuilder>(std::move(o));
}

std::unique_ptr<Registry> make_docker_registry(const PluginConfig& c, Diagnostics& d) {
  PluginOptions opt(c, d);
  DockerPushOptions o;
  std::optional<std::string> image = opt.string("image");
  if (!image && !c.options.count("image"))
    opt.missing("image", "image = \"registry.example.com/team/web\"");
  o.image = image.value_or("");
  o.tag = opt.string("tag", "");
  if (!opt.finish()) return nullptr;
  return std::make_unique<DockerRegistry>(std::move(o));
}

}  // namespace strata::app

// The docker builder's build, shared with csdocker (which adds Vault secrets to the build
// arguments): `docker build` with each build argument as `--build-arg NAME` and its value in
// docker's environment, then the image id from `docker image inspect`.
#pragma once

#include <map>
#include <string>

#include "app/plugin.h"
#include "app/plugin_options.h"

namespace strata::app {

struct DockerBuildOptions {
  std::string image, tag = "latest", dockerfile, context = ".";
  std::map<std::string, std::string> build_args, labels;
};

// Reads image, tag, dockerfile, context, build_args and labels.
DockerBuildOptions read_docker_build_options(PluginOptions& options);

Artifact docker_build(const PhaseContext& ctx, const DockerBuildOptions& options,
                      const std::map<std::string, std::string>& build_args,
                      const std::string& plugin);

}  // namespace strata::app

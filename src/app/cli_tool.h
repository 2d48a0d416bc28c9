// Running the command-line tool a plugin drives (docker, nixpacks, nomad-pack, nomad): no shell,
// the app's folder as working directory, extra environment on top of strata's, output captured;
// a failure names the tool, how it ended and the end of what it said. Values that must stay off
// the command line (where /proc/PID/cmdline shows them) go in `env`.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "app/plugin.h"

namespace strata::app {

struct ToolResult {
  std::string out;
  std::string err;
};

// Runs argv in ctx.app_dir; stderr lines are passed to ctx.progress. Throws strata::Error when
// the tool cannot start or exits non-zero.
ToolResult run_tool(const PhaseContext& ctx, const std::vector<std::string>& argv,
                    const std::map<std::string, std::string>& env = {});

// Whether the Docker daemon answers (`docker info`), not only whether the client exists. Throws
// saying which when it does not.
void require_docker_daemon(const PhaseContext& ctx, const std::string& plugin);

}  // namespace strata::app

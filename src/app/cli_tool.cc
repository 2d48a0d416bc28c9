#include "app/cli_tool.h"

#include "base/subprocess.h"
#include "model/error.h"

namespace strata::app {

namespace {

std::string tail(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  if (text.size() > 500) text = "..." + text.substr(text.size() - 500);
  return text;
}

}  // namespace

ToolResult run_tool(const PhaseContext& ctx, const std::vector<std::string>& argv,
                    const std::map<std::string, std::string>& env) {
  SubprocessOptions o;
  o.argv = argv;
  o.cwd = ctx.app_dir;
  o.env = env;
  o.capture_stdout = true;
  o.capture_stderr = true;
  Subprocess p(std::move(o));
  SubprocessResult r;
  try {
    r = p.run();
  } catch (const Error& e) {
    throw Error(ErrorKind::kEnvironment, e.message(), {},
                argv[0] + " is not installed or not on PATH; install it or choose another plugin");
  }
  if (!r.success()) {
    std::string said = tail(r.stderr_text.empty() ? r.stdout_text : r.stderr_text);
    throw Error(argv[0] + " " + (argv.size() > 1 ? argv[1] + " " : "") + r.describe() +
                (said.empty() ? "" : ": " + said));
  }
  return {r.stdout_text, r.stderr_text};
}

void require_docker_daemon(const PhaseContext& ctx, const std::string& plugin) {
  try {
    run_tool(ctx, {"docker", "info", "--format", "{{.ServerVersion}}"});
  } catch (const Error& e) {
    throw Error(ErrorKind::kEnvironment, "the Docker daemon does not answer (" + e.message() + ")",
                {},
                "start dockerd (or set DOCKER_HOST); the " + plugin +
                    " plugin needs it. The oci builder and the registry plugin need no daemon");
  }
}

}  // namespace strata::app

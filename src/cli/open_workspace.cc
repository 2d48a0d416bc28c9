#include "cli/open_workspace.h"

#include <filesystem>
#include <iostream>

#include "base/supervisor.h"
#include "remote/state_backend.h"
#include "workspace/operations.h"

namespace strata::cli {

std::unique_ptr<workspace::Workspace> open_workspace(const Globals& globals, bool throw_on_errors) {
  workspace::WorkspaceOptions options;
  std::error_code ec;
  options.start_dir = std::filesystem::current_path(ec).string();  // main() has applied -C
  options.env = process_environment();
  options.engine = globals.engine;
  options.engine_supervisor = supervisor_executable();  // strata-supervise, else strata itself
  // strata.yaml's state_backend names a server: the token and certificate `strata remote login`
  // stored for it (STRATA_TOKEN and STRATA_CA_CERT win, as for every remote command).
  options.server_access = [env = options.env](const std::string& url) { return remote::server_access_for(url, env); };
  if (!globals.quiet && !globals.json) {
    options.log = [](js::LogLevel, const std::string& text, const Origin& where) {
      std::cerr << where.str() << ": " << text << "\n";
    };
  }
  auto ws = workspace::open_workspace(std::move(options));
  if (const auto& js = ws->js_stats(); globals.verbose > 0 && !globals.quiet && js.ran + js.reused > 0) {
    std::cerr << "stack files: " << js.ran << " ran, " << js.reused
              << " unchanged since their last run (their results reused; STRATA_JS_CACHE=0 runs every file)\n";
  }
  if (!throw_on_errors) return ws;
  report_problems(globals, *ws);
  return ws;
}

void report_problems(const Globals& globals, const workspace::Workspace& ws) {
  for (const auto& d : ws.diagnostics().items()) {
    if (d.severity == Severity::kWarning && !globals.quiet) std::cerr << d.render() << "\n";
  }
  ws.throw_if_errors();
}

std::unique_ptr<workspace::Workspace> open_workspace_for(const Globals& globals, const workspace::TargetFlags& targets) {
  auto ws = open_workspace(globals, /*throw_on_errors=*/false);
  workspace::focus_on_targets(*ws, targets);
  report_problems(globals, *ws);
  return ws;
}

std::unique_ptr<Engine> make_engine(const Globals& globals, const workspace::Workspace& ws, Operation op) {
  auto engine = workspace::engine_for(ws, op);
  if (engine->choice().simulated && !globals.quiet) {
    std::cerr << "*** engine: tofu-sim (" << engine->choice().path
              << ") is a SIMULATED engine for tests; nothing real is planned or applied ***\n";
  }
  return engine;
}

std::string component_folder_forms(const std::string& tail) {
  return "STACK may be a Kompos config folder (config/cloud=aws/env=dev/cluster=c1); a component's\n"
         "leaf folder (…/composition=terraform/terraform=vpc, or …/composition=vpc) names the\n"
         "component as well" + tail;
}

}  // namespace strata::cli

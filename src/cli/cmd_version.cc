// `strata version`: strata's version, the git commit it was built from, and the engine it
// would run.
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/open_workspace.h"
#include "model/error.h"
#include "workspace/workspace.h"

#ifndef STRATA_VERSION
#define STRATA_VERSION "0.0.0"
#endif
#ifndef STRATA_GIT_COMMIT
#define STRATA_GIT_COMMIT "unknown"
#endif

namespace strata::cli {

std::string version_line() { return std::string("strata ") + STRATA_VERSION + " (commit " + STRATA_GIT_COMMIT + ")"; }

void add_version_command(CLI::App& app, Globals& globals, Action& action) {
  auto* cmd = app.add_subcommand("version", "Show strata's version, build commit and the engine it would use");
  cmd->add_flag("--json", globals.json, "Print a JSON object");
  cmd->callback([&globals, &action] {
    action = [&globals] {
      std::string engine_text = "none found (install OpenTofu or Terraform)";
      nlohmann::json engine = nullptr;
      try {
        // The engine a run from this folder would use: --engine, strata.yaml, STRATA_ENGINE, PATH.
        std::error_code ec;
        workspace::EngineSelection selection = workspace::engine_for_folder(
            std::filesystem::current_path(ec).string(), process_environment(), globals.engine);
        if (const auto& e = selection.choice) {
          engine_text = e->name + " at " + e->path + (e->simulated ? " (simulator)" : "");
          engine = {{"name", e->name}, {"path", e->path}, {"simulated", e->simulated}};
        }
      } catch (const Error& err) {
        engine_text = err.message();
      }
      if (globals.json) {
        nlohmann::json j = {{"version", STRATA_VERSION}, {"commit", STRATA_GIT_COMMIT}, {"engine", engine}};
        std::cout << j.dump(2) << "\n";
      } else {
        std::cout << version_line() << "\n"
                  << "engine: " << engine_text << "\n";
      }
      return 0;
    };
  });
}

}  // namespace strata::cli

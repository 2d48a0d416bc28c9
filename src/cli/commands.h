// The command table: every strata subcommand is registered here, in one place.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

#include "cli/globals.h"
#include "workspace/targets.h"

namespace strata::cli {

// A command's run function; set by the subcommand's callback, returns the exit code.
using Action = std::function<int()>;

void register_commands(CLI::App& app, Globals& globals, Action& action);

// "strata 0.1.0 (commit abc123)": the first line of `strata version`, and `strata --version`.
std::string version_line();

// One registration function per command file (cmd_<name>.cc).
void add_version_command(CLI::App& app, Globals& globals, Action& action);
void add_list_command(CLI::App& app, Globals& globals, Action& action);
void add_describe_command(CLI::App& app, Globals& globals, Action& action);
void add_validate_command(CLI::App& app, Globals& globals, Action& action);
// generate, init, plan, apply, destroy (cmd_execute.cc)
void add_execute_commands(CLI::App& app, Globals& globals, Action& action);
void add_output_command(CLI::App& app, Globals& globals, Action& action);
void add_show_command(CLI::App& app, Globals& globals, Action& action);
void add_graph_command(CLI::App& app, Globals& globals, Action& action);
void add_clean_command(CLI::App& app, Globals& globals, Action& action);
void add_state_command(CLI::App& app, Globals& globals, Action& action);
void add_run_command(CLI::App& app, Globals& globals, Action& action);
// An engine command in every selected workdir, dependencies first, each line prefixed with its
// component, then the summary table (strata run over a selection; validate --deep). Returns the
// exit code.
int run_over_selection(const Globals& globals, const workspace::Workspace& ws, const workspace::TargetFlags& targets,
                       int jobs, bool fail_fast, const std::vector<std::string>& engine_args);
void add_inspect_command(CLI::App& app, Globals& globals, Action& action);
void add_secrets_command(CLI::App& app, Globals& globals, Action& action);
void add_help_command(CLI::App& app, Globals& globals, Action& action);
void add_new_command(CLI::App& app, Globals& globals, Action& action);
// completion, and the hidden __complete the scripts call (cmd_completion.cc)
void add_completion_command(CLI::App& app, Globals& globals, Action& action);
void add_man_command(CLI::App& app, Globals& globals, Action& action);
// app init|build|deploy|release|up|status|destroy|rollback (cmd_app.cc)
void add_app_command(CLI::App& app, Globals& globals, Action& action);
void add_server_command(CLI::App& app, Globals& globals, Action& action);
void add_remote_command(CLI::App& app, Globals& globals, Action& action);
// `remote state …` under the `remote` command (cmd_remote_state.cc).
void add_remote_state_command(CLI::App& remote, Globals& globals, Action& action);
// `remote vars …` and `remote keys add` (cmd_remote_vars.cc).
void add_remote_vars_command(CLI::App& remote, Globals& globals, Action& action);
// `remote tokens …` and `remote audit` (cmd_remote_tokens.cc).
void add_remote_tokens_command(CLI::App& remote, Globals& globals, Action& action);
// `remote stacks …`, `remote events`, `remote deliveries` (cmd_remote_github.cc).
void add_remote_github_commands(CLI::App& remote, Globals& globals, Action& action);
void add_worker_command(CLI::App& app, Globals& globals, Action& action);

}  // namespace strata::cli

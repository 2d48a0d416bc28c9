#include "cli/commands.h"

namespace strata::cli {

void register_commands(CLI::App& app, Globals& globals, Action& action) {
  add_new_command(app, globals, action);
  add_version_command(app, globals, action);
  add_list_command(app, globals, action);
  add_describe_command(app, globals, action);
  add_validate_command(app, globals, action);
  add_execute_commands(app, globals, action);
  add_output_command(app, globals, action);
  add_show_command(app, globals, action);
  add_run_command(app, globals, action);
  add_graph_command(app, globals, action);
  add_inspect_command(app, globals, action);
  add_secrets_command(app, globals, action);
  add_clean_command(app, globals, action);
  add_state_command(app, globals, action);
  add_app_command(app, globals, action);
  add_server_command(app, globals, action);
  add_remote_command(app, globals, action);
  add_worker_command(app, globals, action);
  add_help_command(app, globals, action);
  add_completion_command(app, globals, action);
  add_man_command(app, globals, action);
}

}  // namespace strata::cli

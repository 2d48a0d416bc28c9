#include "cli/commands.h"

namespace strata::cli {

void register_commands(CLI::App& app, Globals& globals, Action& action) {
  add_version_command(app, globals, action);
  add_list_command(app, globals, action);
  add_describe_command(app, globals, action);
  add_validate_command(app, globals, action);
  add_execute_commands(app, globals, action);
}

}  // namespace strata::cli

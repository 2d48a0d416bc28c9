// Engine flags: what a user writes after `--` (`strata plan dev -- -target=terraform_data.x
// -var=n=2`) checked against what strata sets itself, before anything runs. A flag strata already
// passes the same way is dropped (never given twice); one that would change how strata drives
// the engine (-out, -json=false, -input=true, -chdir, a plan file) is an error saying what to do.
#pragma once

#include <string>
#include <vector>

#include "execute/component_runner.h"

namespace strata {

// The arguments to append to `op`'s engine command. Throws an Error (user input) naming the
// argument, why strata refuses it and what to use instead.
std::vector<std::string> engine_arguments(Operation op, const std::vector<std::string>& given);

// Terraform and OpenTofu colour their output even into a pipe: without colour (--color never,
// NO_COLOR, no terminal) the engine gets -no-color, which both take on every command.
std::vector<std::string> with_color_choice(std::vector<std::string> args, bool color);

}  // namespace strata

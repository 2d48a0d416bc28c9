// The end of every command's --help: the exit codes it returns and the environment variables it
// reads, from one table. The man page is generated from the same help, so the two cannot drift.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace strata::cli {

// Exit codes every command shares (DESIGN §9): 2 is never a failure, so a CI job that tests for
// "changes present" cannot mistake a typo for changes.
inline constexpr int kExitUsage = 64;  // EX_USAGE (sysexits.h): unknown command or flag, bad value

// Appends to every command's footer (after its own text) its exit codes and the environment
// variables it reads. Call once, after every command is registered.
void add_help_footers(CLI::App& app);

// The footer for the command at `path` ("plan", "secrets decrypt"; "" = strata itself).
std::string help_footer(const std::string& path);

}  // namespace strata::cli

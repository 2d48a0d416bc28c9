// Options every strata command shares, and how the CLI talks to the terminal.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "base/suggest.h"

namespace strata::cli {

class InterruptHandler;

struct Globals {
  std::string dir;          // -C DIR: run as if started in DIR
  int verbose = 0;          // -v, repeatable
  bool quiet = false;       // -q
  std::string color = "auto";  // auto|always|never (NO_COLOR turns auto into never)
  bool json = false;        // --json on commands that support machine output
  std::string engine;       // --engine PATH
  // Everything after the first `--`: flags for the engine command (plan, apply, destroy, init)
  // or the whole engine command (run). `engine_args_given` is true even for a bare `--`.
  std::vector<std::string> engine_args;
  bool engine_args_given = false;
  InterruptHandler* interrupts = nullptr;  // Ctrl-C handling, set up by main()

  bool use_color(std::FILE* stream) const;
};

// TERM=dumb: a terminal that takes neither colour nor a redrawn board.
bool dumb_terminal();

using strata::closest_match;  // base/suggest.h

}  // namespace strata::cli

#include "cli/globals.h"

#include <unistd.h>

#include <cstdlib>

namespace strata::cli {

bool Globals::use_color(std::FILE* stream) const {
  if (color == "always") return true;
  if (color == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  if (dumb_terminal()) return false;
  return ::isatty(fileno(stream)) != 0;
}

bool dumb_terminal() {
  const char* term = std::getenv("TERM");
  return term && std::string(term) == "dumb";
}

}  // namespace strata::cli

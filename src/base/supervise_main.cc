// strata-supervise: the engine supervisor (base/supervisor.h) as a program of its own, which
// starts in about a millisecond since it links none of strata's front-end libraries (one is
// started per strata process).
#include <cstdio>
#include <cstring>

#include "base/supervisor.h"

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], strata::kSuperviseCommand) == 0) return strata::run_supervisor(argc, argv);
  std::fprintf(stderr, "strata-supervise: for strata's own use; strata starts it to see its engines through strata's death\n");
  return 125;
}

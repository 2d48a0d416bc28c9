// The engine supervisor: a small process between strata and each engine it runs, so that an
// engine outlives strata's death cleanly. Killed strata (SIGKILL, the OOM killer, a cancelled CI
// job) used to take every engine with it: their stdout/stderr were pipes only strata read, so
// each engine died of SIGPIPE at its next write — mid-apply, leaving 0-byte state files and
// resources the next run created again.
//
// The supervisor is a small program of its own, `strata-supervise __supervise LIFELINE KEEP --
// PROGRAM ARGS...` (see supervisor_executable(); strata itself has the same mode as a fallback),
// so posix_spawn stays the only way strata starts processes.
// It runs the engine in its own process group (the group strata signals), owns the engine's
// output pipes and copies them to strata, and watches the lifeline — a pipe whose other end only
// strata holds. When strata dies the lifeline closes: the supervisor sends the engine SIGINT
// (Terraform then stops at the next safe point and writes its state), keeps reading its output so
// it never gets SIGPIPE, and waits for it. KEEP, the workdir lock's descriptor, is held by the
// supervisor and the engine, so the lock lives exactly as long as the engine does; the supervisor
// writes the engine's pid into the lock file so a later run can say who holds it.
//
// While strata lives, the supervisor is invisible: it ignores SIGINT and SIGTERM (strata signals
// the whole group, so the engine gets them), and exits the way the engine did (same code, or the
// same signal).
#pragma once

#include <string>

namespace strata {

// argv[1] of the supervisor mode.
inline constexpr const char* kSuperviseCommand = "__supervise";

// The supervisor's main: argv = {self, "__supervise", LIFELINE_FD, KEEP_FD (-1 = none), "--",
// PROGRAM (an absolute path), ARGS...}. Returns the exit code (or ends by the engine's signal).
int run_supervisor(int argc, char** argv);

// The path of the running executable (/proc/self/exe); "" when it cannot be read.
const char* self_executable();

// The supervisor's own small program (src/base/supervise_main.cc), installed beside strata (or
// in ../libexec/strata/). It links none of strata's libraries, so it starts in about a
// millisecond, where strata re-executed took 25-30 ms of CPU per engine call (mapping and
// relocating JavaScriptCore, ICU, libgit2, …): a 1,001-component plan through the simulator
// went from 20 s to 115 s. Where it is missing, strata itself (which has the same mode).
inline constexpr const char* kSupervisorProgram = "strata-supervise";
std::string supervisor_executable();

}  // namespace strata

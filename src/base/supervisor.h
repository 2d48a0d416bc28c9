// The engine supervisor: one small process beside strata that sees its engines through strata's
// death. Killed strata (SIGKILL, the OOM killer, a cancelled CI job) used to take every engine
// with it: their stdout/stderr were pipes only strata read, so each engine died of SIGPIPE at its
// next write — mid-apply, leaving 0-byte state files and resources the next run created again.
//
// strata starts the supervisor once, at its first supervised engine call (`strata-supervise
// __supervise SOCKET_FD`, see supervisor_executable(); strata itself has the same mode as a
// fallback), in a process group of its own, connected by a socket whose other end only strata
// holds. For each engine strata then sends it, over that socket:
//   - before the engine starts, a copy of the read ends of the engine's output pipes and of the
//     descriptor the engine works under (the workdir lock);
//   - once it started, its pid and a pidfd;
//   - when strata has reaped it, that the supervisor may let go.
// strata still starts, reads, signals and reaps every engine itself; while strata lives, the
// supervisor only holds descriptors. When strata dies the socket closes, and the supervisor then
// sends each running engine's process group SIGINT (Terraform stops at the next safe point and
// writes its state), reads and discards its output so it never gets SIGPIPE, keeps its workdir
// lock until it exits, then kills what the engine left in its group, and exits itself.
//
// An engine call used to start a supervisor of its own (one process more per call, about 1 ms of
// CPU on the 2-core development machine, most of it the dynamic loader's CPU-feature probing
// under virtualization): a quarter of all CPU time in a 1,001-component plan through tofu-sim.
//
// Between spawning an engine and sending its pid there is a moment when a killed strata leaves
// the supervisor holding the engine's pipes without knowing its pid: that engine is not told to
// stop, but it never loses its output's reader either, so it finishes its command.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <mutex>
#include <string>

namespace strata {

// argv[1] of the supervisor mode.
inline constexpr const char* kSuperviseCommand = "__supervise";

// The supervisor's main: argv = {self, "__supervise", SOCKET_FD}. Returns when strata has gone
// and every engine it was watching has ended.
int run_supervisor(int argc, char** argv);

// The path of the running executable (/proc/self/exe); "" when it cannot be read.
const char* self_executable();

// The supervisor's own small program (src/base/supervise_main.cc), installed beside strata (or
// in ../libexec/strata/). It links none of strata's libraries, so it starts in about a
// millisecond where strata re-executed takes 25-30 ms (mapping JavaScriptCore, ICU, libgit2, …).
// Where it is missing, strata itself (which has the same mode).
inline constexpr const char* kSupervisorProgram = "strata-supervise";
std::string supervisor_executable();

// strata's end of the socket to the supervisor started from `program`; one per program, per
// process, started on first use. Safe from any thread.
class SupervisorLink {
 public:
  static SupervisorLink& get(const std::string& program);

  // Before a child starts: the supervisor takes copies of the read ends of its output pipes and
  // of `keep` (-1 = none). Returns a ticket for the calls below; throws strata::Error when no
  // supervisor can be started or reached.
  uint64_t watch(int stdout_read, int stderr_read, int keep);
  // The child started: its pid (also its process group) and a pidfd (-1 when the kernel has none).
  void started(uint64_t ticket, pid_t pid, int pidfd);
  // strata reaped the child (or it never started): the supervisor closes its copies.
  void forget(uint64_t ticket);

  // The supervisor's pid (0 before it started); for tests.
  pid_t pid() const;

 private:
  explicit SupervisorLink(std::string program) : program_(std::move(program)) {}
  void start_locked();
  bool send_locked(uint32_t kind, uint64_t ticket, int32_t pid, const int* fds, int nfds);

  std::string program_;
  mutable std::mutex mu_;
  int socket_ = -1;
  pid_t pid_ = 0;
  uint64_t next_ticket_ = 1;
};

}  // namespace strata

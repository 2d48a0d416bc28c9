// Subprocess: runs one child process the way an orchestrator must — no shell, an explicit
// environment and working directory, output streamed line by line, a timeout, and signals
// forwarded to the child's whole process group. The child always runs in a process group of
// its own, and when it exits everything left in that group is killed and the child is reaped:
// engines such as Terraform leave local-exec grandchildren running after SIGINT, and strata
// must never leave an orphan or a zombie behind.
//
// run() blocks the calling thread; many Subprocess objects may run at once on different
// threads (the scheduler runs up to -j N). interrupt()/terminate()/kill() may be called from
// any thread while run() is in progress.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata {

// Receives one line of output without its trailing newline. Called on the thread inside run().
using LineCallback = std::function<void(std::string_view line)>;

struct SubprocessOptions {
  // argv[0] is the program: a path if it contains '/' (relative to `cwd`), else a name looked
  // up in the child's PATH. Never passed through a shell.
  std::vector<std::string> argv;
  // Working directory of the child; empty = the parent's.
  std::string cwd;
  // The child's environment: exactly `env`, or the parent's environment with `env` laid over
  // it when `inherit_env` is true.
  std::map<std::string, std::string> env;
  bool inherit_env = true;
  // Written to the child's stdin, which is then closed; without it stdin is /dev/null.
  std::optional<std::string> stdin_data;
  // Each complete line of output; a last line without '\n' is delivered when the stream ends.
  LineCallback on_stdout_line;
  LineCallback on_stderr_line;
  // Keep the whole output in the result as well.
  bool capture_stdout = false;
  bool capture_stderr = false;
  // 0 = no limit. When it passes the group gets SIGTERM, and SIGKILL `kill_grace` later.
  std::chrono::milliseconds timeout{0};
  std::chrono::milliseconds kill_grace{std::chrono::seconds(10)};
  // Watch the child with the engine supervisor (base/supervisor.h): this is the path of a binary
  // that has the supervisor mode (strata-supervise, or strata itself); "" = no supervisor. A
  // supervised child outlives this process's death cleanly: it gets SIGINT and its output is
  // still read.
  std::string supervisor;
  // A descriptor held for as long as the supervised child runs, even after this process died
  // (the workdir lock); -1 = none. The child's pid is written into its lock file.
  int keep_fd = -1;
  // Files that exist only in memory (memfd), never on disk: memory_files[i] is open in the child
  // as descriptor memory_file_fd(i), so an argument can name it "/dev/fd/N" (each open reads it
  // from the start). For values that must not touch the disk, such as a variables file holding
  // secrets.
  std::vector<std::string> memory_files;
  // After interrupt(): when this long has passed and no process of the child's group catches
  // SIGINT — each ignores or blocks it, so the child can never stop
  // gracefully — the group gets SIGTERM, then SIGKILL `kill_grace` later, and `on_notice` says
  // so. A child that catches SIGINT (Terraform) is never escalated here: it is saving its state.
  // 0 = never.
  std::chrono::milliseconds ignored_interrupt_timeout{0};
  std::function<void(const std::string& message)> on_notice;
};

// The descriptor a child sees memory_files[i] at.
constexpr int memory_file_fd(size_t i) { return 5 + static_cast<int>(i); }

struct SubprocessResult {
  int exit_code = -1;  // the exit status when the child exited, else -1
  int signal = 0;      // the signal that ended the child, else 0
  bool timed_out = false;
  std::chrono::milliseconds duration{0};
  std::string stdout_text;  // only with capture_stdout
  std::string stderr_text;  // only with capture_stderr

  bool success() const { return exit_code == 0 && !timed_out; }
  // "exited with code 2", "killed by SIGINT", "timed out after 5000 ms (killed by SIGKILL)".
  std::string describe() const;
};

class Subprocess {
 public:
  explicit Subprocess(SubprocessOptions options);
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  // Starts the child and waits for it; call once. Throws strata::Error when the child cannot
  // be started (program not found or not executable, bad working directory). Exceptions from
  // the line callbacks propagate after the child's group has been killed and reaped.
  SubprocessResult run();

  // Signal the child's whole process group. Safe from any thread, but not from a signal
  // handler (they take a mutex): forward Ctrl-C from a thread that waits for it (sigwait).
  // A no-op once the child has been reaped; a signal sent before the child starts is
  // delivered as soon as it has.
  void interrupt();  // SIGINT: Ctrl-C forwarding, lets an engine release its state lock
  void terminate();  // SIGTERM
  void kill();       // SIGKILL: the second Ctrl-C
  void send_signal(int signal_number);

  // The child's pid, which is also its process group id; 0 before it started.
  pid_t pid() const;

 private:
  // stdin_fd -1 = /dev/null. `extra_fds`: {source, target} descriptors the child gets as well.
  pid_t spawn(const std::string& program, const std::vector<std::string>& argv,
              const std::vector<std::string>& env, int stdin_fd, int stdout_fd, int stderr_fd,
              const std::vector<std::pair<int, int>>& extra_fds);
  // Called once the child has exited but before it is reaped: its zombie still holds the
  // group id, so the group cannot have been reused by an unrelated process yet.
  // Returns false when the status could not be collected (the kernel reaped the child).
  bool kill_group_and_reap(int* status);

  SubprocessOptions options_;
  mutable std::mutex mu_;  // guards the three fields below
  pid_t pid_ = 0;
  bool reaped_ = false;
  int pending_signal_ = 0;
  std::optional<std::chrono::steady_clock::time_point> interrupted_at_;  // first SIGINT sent
};

// A descriptor that becomes readable when process `pid` (a child) exits, so poll() can wait for
// output and exit at once; -1 where the kernel has no pidfd (the caller then polls waitpid).
int open_pidfd(pid_t pid);

// "SIGABRT", "SIGKILL"; "signal 77" for one without a name.
std::string signal_name(int sig);

// True when a process of process group `pgid` catches `signal_number` (has a handler for it,
// per /proc/PID/status). False when none does or /proc cannot be read.
bool group_catches_signal(pid_t pgid, int signal_number);

// Starts `argv` (looked up on PATH) in a session of its own, not a child of this process, and
// does not wait for it: for handing something to the user's desktop (a browser), which must
// outlive strata and which strata must not kill. "" when it started; else why not.
std::string launch_detached(const std::vector<std::string>& argv);

}  // namespace strata

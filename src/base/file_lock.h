// FileLock: one strata at a time per workdir. An exclusive flock() on a lock file, taken
// without waiting: a second strata fails at once with a message naming the holder's PID and
// command line, which the holder writes into the lock file — and the engine working under it,
// which may still be running after the strata that started it was killed. The kernel drops a
// flock when the last process holding it exits, so a lock file left behind is no obstacle.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>

namespace strata {

class FileLock {
 public:
  // Locks `lock_path` (created if missing; its directory must exist). `what` names the locked
  // thing for the error message, e.g. "workdir .strata/dev/vpc". Throws strata::Error when
  // another process holds the lock or the file cannot be opened.
  FileLock(const std::string& lock_path, const std::string& what);
  // The same, waiting up to `wait` for a holder to let go (strata's --lock-wait): `on_wait` is
  // called once with the holder's description when the lock is found taken; `cancelled` is
  // asked every 100 ms and ends the wait (a Ctrl-C). A zero wait fails at once.
  struct Wait {
    std::chrono::milliseconds limit{0};
    std::function<void(const std::string& holder)> on_wait;
    std::function<bool()> cancelled;
  };
  FileLock(const std::string& lock_path, const std::string& what, const Wait& wait);
  ~FileLock();  // releases the lock
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  // Releases early; the file stays (removing it would race with a process about to lock it).
  void release();
  const std::string& path() const { return path_; }
  // The locked descriptor: a process that inherits it holds the lock too (the engine
  // supervisor holds a copy, so the lock outlives a killed strata for as long as its engine runs).
  int fd() const { return fd_; }
  // False when the previous holder did not let go in the ordinary way (it was killed holding the
  // lock): what it was writing may be left half-done.
  bool previous_holder_released() const { return previous_holder_released_; }

 private:
  std::string path_;
  int fd_ = -1;
  bool previous_holder_released_ = true;
};

// Adds "engine PID COMMAND" to the details of the lock held through `fd`: the process that works
// under the lock (base/supervisor.h), named when a later strata finds the lock taken. Best
// effort, like the details themselves.
void record_lock_engine(int fd, pid_t pid, const std::string& command);

// This process's command line from /proc/self/cmdline, arguments joined by spaces.
std::string current_command_line();

}  // namespace strata

// FileLock: one strata at a time per workdir. An exclusive flock() on a lock file, taken
// without waiting: a second strata fails at once with a message naming the holder's PID and
// command line, which the holder writes into the lock file. The kernel drops a flock when its
// holder dies, so a lock file left behind by a crashed or killed strata is no obstacle.
#pragma once

#include <string>

namespace strata {

class FileLock {
 public:
  // Locks `lock_path` (created if missing; its directory must exist). `what` names the locked
  // thing for the error message, e.g. "workdir .strata/dev/vpc". Throws strata::Error when
  // another process holds the lock or the file cannot be opened.
  FileLock(const std::string& lock_path, const std::string& what);
  ~FileLock();  // releases the lock
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  // Releases early; the file stays (removing it would race with a process about to lock it).
  void release();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

// This process's command line from /proc/self/cmdline, arguments joined by spaces.
std::string current_command_line();

}  // namespace strata

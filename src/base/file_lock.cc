#include "base/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <signal.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>
#include <chrono>
#include <cstring>
#include <thread>
#include <utility>

#include "base/duration.h"
#include "model/error.h"

namespace strata {

namespace {

std::string read_fd(int fd) {
  std::string content;
  char buf[4096];
  off_t offset = 0;
  for (;;) {
    ssize_t n = ::pread(fd, buf, sizeof buf, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    content.append(buf, static_cast<size_t>(n));
    offset += n;
  }
  return content;
}

bool process_alive(const std::string& pid_text) {
  char* end = nullptr;
  long pid = std::strtol(pid_text.c_str(), &end, 10);
  if (pid <= 0 || !end || *end != '\0') return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

constexpr std::string_view kEngineLine = "engine ";
// Written over the first byte of the details when a holder lets go in the ordinary way.
constexpr char kReleasedMark = '#';

// The lock file holds "pid\ncommand line\n" and, while an engine runs under it, "engine PID
// COMMAND\n". Describes the holder as "pid 1234: strata apply", and an engine that a dead
// strata left running as what it is.
std::string describe_holder(int fd) {
  // The holder writes its details just after taking the lock; give it a moment if we looked
  // in between.
  std::string content;
  for (int attempt = 0; attempt < 20; ++attempt) {
    content = read_fd(fd);
    // "#…": the previous holder's released details, not yet overwritten by the new holder's.
    if (content.find('\n') != std::string::npos && content[0] != kReleasedMark) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  size_t nl = content.find('\n');
  if (nl == std::string::npos || nl == 0) return "pid unknown";
  std::string pid = content.substr(0, nl);
  std::string rest = content.substr(nl + 1);
  std::string command = rest.substr(0, rest.find('\n'));
  std::string holder = command.empty() ? "pid " + pid : "pid " + pid + ": " + command;
  size_t at = rest.find(std::string("\n") + std::string(kEngineLine));
  if (at == std::string::npos) return holder;
  std::string engine = rest.substr(at + 1 + kEngineLine.size());
  engine = engine.substr(0, engine.find('\n'));
  std::string engine_pid = engine.substr(0, engine.find(' '));
  if (!process_alive(engine_pid)) return holder;
  if (process_alive(pid)) return holder + ", running pid " + engine;
  return "its engine, pid " + engine + ", still running after the strata that started it (" + holder +
         ") was killed; it was told to stop and is saving its state";
}

}  // namespace

void record_lock_engine(int fd, pid_t pid, const std::string& command) {
  std::string content = read_fd(fd);
  // Keep the holder's two lines; drop an earlier engine's.
  size_t first = content.find('\n');
  size_t second = first == std::string::npos ? std::string::npos : content.find('\n', first + 1);
  std::string details = second == std::string::npos ? content : content.substr(0, second + 1);
  if (!details.empty() && details.back() != '\n') details += '\n';
  details += std::string(kEngineLine) + std::to_string(pid) + " " + command + "\n";
  if (::pwrite(fd, details.data(), details.size(), 0) == static_cast<ssize_t>(details.size())) {
    if (::ftruncate(fd, static_cast<off_t>(details.size())) != 0) {
      // Only the explanation of the lock suffers.
    }
  }
}

std::string current_command_line() {
  static const std::string line = [] {
    int fd = ::open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::string();
    std::string raw = read_fd(fd);
    ::close(fd);
    while (!raw.empty() && raw.back() == '\0') raw.pop_back();
    for (char& c : raw) {
      if (c == '\0' || c == '\n') c = ' ';
    }
    return raw;
  }();
  return line;
}

FileLock::FileLock(const std::string& lock_path, const std::string& what) : FileLock(lock_path, what, Wait{}) {}

FileLock::FileLock(const std::string& lock_path, const std::string& what, const Wait& wait) : path_(lock_path) {
  // Not O_TRUNC: the file may hold the current holder's details, which we want to report.
  fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    int err = errno;
    throw Error(ErrorKind::kEnvironment,
                "cannot open lock file '" + lock_path + "': " + std::strerror(err), {},
                "check that the directory exists and is writable");
  }
  const auto deadline = std::chrono::steady_clock::now() + wait.limit;
  bool told = false;
  std::string holder;
  for (;;) {
    int rc;
    while ((rc = ::flock(fd_, LOCK_EX | LOCK_NB)) != 0 && errno == EINTR) {
    }
    if (rc == 0) break;
    int err = errno;
    if (err == EWOULDBLOCK) holder = describe_holder(fd_);
    bool cancelled = wait.cancelled && wait.cancelled();
    if (err != EWOULDBLOCK || cancelled || std::chrono::steady_clock::now() >= deadline) {
      ::close(fd_);
      fd_ = -1;
      if (err != EWOULDBLOCK) {
        throw Error(ErrorKind::kEnvironment, "cannot lock '" + lock_path + "': " + std::strerror(err));
      }
      if (cancelled) {
        throw Error(ErrorKind::kConflict, "interrupted while waiting for " + what + " (locked by " + holder + ")");
      }
      if (wait.limit.count() > 0) {
        throw Error(ErrorKind::kConflict,
                    what + " is still locked by another strata after waiting " +
                        format_duration(wait.limit) + " (" + holder + ")",
                    {}, "wait for it to finish and run again, or give --lock-wait a longer duration");
      }
      throw Error(ErrorKind::kConflict, what + " is locked by another strata (" + holder + ")", {},
                  "wait for it to finish or stop that process (the lock, " + lock_path +
                      ", is released as soon as it exits), or run with --lock-wait DURATION (e.g. 5m) to wait "
                      "for it");
    }
    if (!told && wait.on_wait) wait.on_wait(holder);
    told = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // The details a holder leaves start with kReleasedMark when it let go in the ordinary way; a
  // holder killed with the lock left its pid there, and maybe half-written files beside it.
  char previous[4096];
  ssize_t had = ::pread(fd_, previous, sizeof previous, 0);
  previous_holder_released_ = had <= 0 || previous[0] == kReleasedMark;
  std::string details = std::to_string(::getpid()) + "\n" + current_command_line() + "\n";
  // Best effort: the lock itself is what protects the workdir; the details only explain it.
  // Overwritten in place, and truncated only when the previous holder's details were longer:
  // truncating to zero and writing again made the filesystem free and allocate a block on
  // every lock, a third of a no-change `generate` of 10,000 workdirs.
  ssize_t written = ::pwrite(fd_, details.data(), details.size(), 0);
  if (written == static_cast<ssize_t>(details.size()) && had > written) {
    if (::ftruncate(fd_, static_cast<off_t>(details.size())) != 0) {
      // Nothing useful to do: the details only explain the lock.
    }
  }
}

FileLock::~FileLock() { release(); }

FileLock::FileLock(FileLock&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      previous_holder_released_(other.previous_holder_released_) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    previous_holder_released_ = other.previous_holder_released_;
  }
  return *this;
}

void FileLock::release() {
  if (fd_ < 0) return;
  // Marked released (previous_holder_released(): one byte, in place), then closing drops the
  // lock. The rest of our details stay: only a strata that failed to take the lock reads them,
  // and the next holder overwrites them first thing.
  if (::pwrite(fd_, &kReleasedMark, 1, 0) != 1) {
    // Best effort: the next holder then looks for leftovers it does not need to.
  }
  ::close(fd_);
  fd_ = -1;
}

}  // namespace strata

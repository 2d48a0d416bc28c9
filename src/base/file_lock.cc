#include "base/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <utility>

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

// The lock file holds "pid\ncommand line\n"; describes the holder as "pid 1234: strata apply".
std::string describe_holder(int fd) {
  // The holder writes its details just after taking the lock; give it a moment if we looked
  // in between.
  std::string content;
  for (int attempt = 0; attempt < 20; ++attempt) {
    content = read_fd(fd);
    if (content.find('\n') != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  size_t nl = content.find('\n');
  if (nl == std::string::npos || nl == 0) return "pid unknown";
  std::string pid = content.substr(0, nl);
  std::string command = content.substr(nl + 1);
  while (!command.empty() && command.back() == '\n') command.pop_back();
  return command.empty() ? "pid " + pid : "pid " + pid + ": " + command;
}

}  // namespace

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

FileLock::FileLock(const std::string& lock_path, const std::string& what) : path_(lock_path) {
  // Not O_TRUNC: the file may hold the current holder's details, which we want to report.
  fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    int err = errno;
    throw Error("cannot open lock file '" + lock_path + "': " + std::strerror(err), {},
                "check that the directory exists and is writable");
  }
  int rc;
  while ((rc = ::flock(fd_, LOCK_EX | LOCK_NB)) != 0 && errno == EINTR) {
  }
  if (rc != 0) {
    int err = errno;
    std::string holder = err == EWOULDBLOCK ? describe_holder(fd_) : std::string();
    ::close(fd_);
    fd_ = -1;
    if (err != EWOULDBLOCK) {
      throw Error("cannot lock '" + lock_path + "': " + std::strerror(err));
    }
    throw Error(what + " is locked by another strata (" + holder + ")", {},
                "wait for it to finish or stop that process; the lock (" + lock_path +
                    ") is released as soon as it exits");
  }
  std::string details = std::to_string(::getpid()) + "\n" + current_command_line() + "\n";
  // Best effort: the lock itself is what protects the workdir; the details only explain it.
  // Overwritten in place, and truncated only when the previous holder's details were longer:
  // truncating to zero and writing again made the filesystem free and allocate a block on
  // every lock, a third of a no-change `generate` of 10,000 workdirs.
  ssize_t written = ::pwrite(fd_, details.data(), details.size(), 0);
  struct stat st;
  if (written == static_cast<ssize_t>(details.size()) && ::fstat(fd_, &st) == 0 &&
      st.st_size != static_cast<off_t>(details.size())) {
    if (::ftruncate(fd_, static_cast<off_t>(details.size())) != 0) {
      // Nothing useful to do: the details only explain the lock.
    }
  }
}

FileLock::~FileLock() { release(); }

FileLock::FileLock(FileLock&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void FileLock::release() {
  if (fd_ < 0) return;
  // Closing drops the lock. Our details stay in the file: they are only read by a strata that
  // failed to take the lock, and the next holder overwrites them first thing.
  ::close(fd_);
  fd_ = -1;
}

}  // namespace strata

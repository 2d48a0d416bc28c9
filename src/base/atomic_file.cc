#include "base/atomic_file.h"

#include <filesystem>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>

#include "model/error.h"

namespace strata {

Error file_error(const std::string& what, const std::string& path, int err) {
  std::string hint;
  if (err == ENOENT) hint = "check that the directory exists";
  if (err == EACCES || err == EPERM) hint = "check the permissions of the file and its directory";
  if (err == ENOSPC || err == EDQUOT) hint = "the disk is full: free some space and run again";
  if (err == EROFS) {
    hint = "the folder is on a read-only file system: run strata where it may write, or point strata.yaml's "
           "work_dir at a writable folder";
  }
  // A path that does not exist is usually a wrong name in the project; anything else
  // (permissions, a full or read-only disk, I/O) is the machine's.
  ErrorKind kind = err == ENOENT || err == ENOTDIR ? ErrorKind::kUserInput : ErrorKind::kEnvironment;
  return Error(kind, "cannot " + what + " '" + path + "': " + std::strerror(err), {}, hint);
}

Error file_error(const std::filesystem::filesystem_error& e) {
  // "filesystem error: cannot create directories: Read-only file system [path]" -> its parts.
  std::string what = e.what();
  std::string op = "use";
  const std::string prefix = "filesystem error: cannot ";
  if (what.rfind(prefix, 0) == 0) {
    size_t colon = what.find(':', prefix.size());
    if (colon != std::string::npos) op = what.substr(prefix.size(), colon - prefix.size());
  }
  return file_error(op, e.path1().string(), e.code().value());
}

namespace {

[[noreturn]] void throw_errno(const std::string& what, const std::string& path, int err) {
  throw file_error(what, path, err);
}

// Reads the whole of an open fd; false with errno set on failure.
bool read_all(int fd, std::string* out) {
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    out->append(buf, static_cast<size_t>(n));
  }
}

// Reads the whole file at `path` into *out (see read_file_if_exists for `mode`); 0, or the errno
// of the failure.
int read_whole_file(const std::string& path, std::string* out, mode_t* mode) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  struct stat st;
  bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (regular) out->reserve(static_cast<size_t>(st.st_size));
  if (mode) *mode = regular ? static_cast<mode_t>(st.st_mode & 07777) : static_cast<mode_t>(~0);
  int err = read_all(fd, out) ? 0 : errno;
  ::close(fd);
  return err;
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// The current content and mode of a regular file, or nullopt when there is none to compare
// with (missing, not a regular file, unreadable: the write then decides what happens).
struct Existing {
  std::string content;
  mode_t mode;
};
std::optional<Existing> read_existing(int dirfd, const std::string& path, size_t expected_size,
                                     struct stat* st) {
  int fd = ::openat(dirfd, path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<Existing> result;
  // A different size cannot be the same content: skip reading it.
  if (::fstat(fd, st) == 0 && S_ISREG(st->st_mode) &&
      static_cast<size_t>(st->st_size) == expected_size) {
    Existing e{{}, static_cast<mode_t>(st->st_mode & 07777)};
    if (read_all(fd, &e.content)) result = std::move(e);
  }
  ::close(fd);
  return result;
}

// Creates a new, empty temporary file beside `path` with permission bits `mode`; returns its fd
// and sets `tmp` to its name. Names are unique per process and call, so no two writers collide;
// a leftover of a crashed process with the same name is stepped over.
int create_temp_beside(int dirfd, const std::string& dir, const std::string& base, mode_t mode,
                       std::string& tmp) {
  static std::atomic<uint64_t> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    tmp = dir + "/." + base + ".tmp." + std::to_string(::getpid()) + "." +
          std::to_string(counter.fetch_add(1));
    int fd = ::openat(dirfd, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  errno = EEXIST;
  return -1;
}

std::string parent_dir(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

bool write_file_atomic(const std::string& path, std::string_view content, mode_t mode,
                       Durability durability, Previous previous, struct stat* after) {
  return write_file_atomic_at(AT_FDCWD, path, path, content, mode, durability, previous, after);
}

bool write_file_atomic_at(int dirfd, const std::string& rel, const std::string& shown,
                          std::string_view content, mode_t mode, Durability durability,
                          Previous previous, struct stat* after) {
  struct stat st;
  if (!after) after = &st;
  if (previous == Previous::kMayExist) {
    if (auto existing = read_existing(dirfd, rel, content.size(), after);
        existing && existing->content == content) {
      if (existing->mode != mode) {
        if (::fchmodat(dirfd, rel.c_str(), mode, 0) != 0) throw_errno("change the mode of", shown, errno);
        after->st_mode = (after->st_mode & ~07777) | mode;
      }
      return false;
    }
  }

  const std::string dir = parent_dir(rel);
  const std::string base = rel.substr(rel.rfind('/') == std::string::npos ? 0 : rel.rfind('/') + 1);
  // Hidden and in the same directory: rename() is only atomic within one filesystem.
  std::string tmp;
  int fd = create_temp_beside(dirfd, dir, base, mode, tmp);
  if (fd < 0) throw_errno("write", shown, errno);

  auto fail = [&](const char* what) {
    int err = errno;
    ::close(fd);
    ::unlinkat(dirfd, tmp.c_str(), 0);
    throw_errno(what, shown, err);
  };
  if (!write_all(fd, content)) fail("write");
  if (durability == Durability::kFsync && ::fsync(fd) != 0) fail("write");
  if (::fstat(fd, after) != 0) fail("write");  // rename keeps the inode and its times
  // open() applied the umask: set the bits exactly when it took some away.
  if ((after->st_mode & 07777) != mode) {
    if (::fchmod(fd, mode) != 0) fail("set the mode of");
    after->st_mode = (after->st_mode & ~07777) | mode;
  }
  if (::close(fd) != 0) {
    int err = errno;
    ::unlinkat(dirfd, tmp.c_str(), 0);
    throw_errno("write", shown, err);
  }
  if (::renameat(dirfd, tmp.c_str(), dirfd, rel.c_str()) != 0) {
    int err = errno;
    ::unlinkat(dirfd, tmp.c_str(), 0);
    throw_errno("replace", shown, err);
  }
  if (durability == Durability::kRenameOnly) return true;
  // Make the rename itself durable. Some filesystems refuse fsync on a directory; the data is
  // already safe then, so that is not worth failing the write over.
  int dfd = ::openat(dirfd, dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

std::string read_file(const std::string& path) {
  std::optional<std::string> content = read_file_if_exists(path);
  if (!content) throw_errno("read", path, ENOENT);
  return std::move(*content);
}

std::string read_file_or_stdin(const std::string& path) {
  if (path != "-") return read_file(path);
  std::string content;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n > 0) content.append(buffer, static_cast<size_t>(n));
    else if (n == 0) return content;
    else if (errno != EINTR) throw_errno("read", "standard input", errno);
  }
}

bool try_read_file(const std::string& path, std::string& out) {
  out.clear();
  int err = read_whole_file(path, &out, nullptr);
  if (err == 0) return true;
  errno = err;
  return false;
}

std::optional<std::string> read_file_if_exists(const std::string& path, mode_t* mode) {
  std::string content;
  int err = read_whole_file(path, &content, mode);
  if (err == ENOENT) return std::nullopt;
  if (err != 0) throw_errno("read", path, err);
  return content;
}

}  // namespace strata

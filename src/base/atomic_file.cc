#include "base/atomic_file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "model/error.h"

namespace strata {

namespace {

[[noreturn]] void throw_errno(const std::string& what, const std::string& path, int err) {
  std::string hint;
  if (err == ENOENT) hint = "check that the directory exists";
  if (err == EACCES || err == EPERM) hint = "check the permissions of the file and its directory";
  if (err == ENOSPC || err == EDQUOT) hint = "free some disk space and run again";
  throw Error("cannot " + what + " '" + path + "': " + std::strerror(err), {}, hint);
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
std::optional<Existing> read_existing(const std::string& path, size_t expected_size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st;
  std::optional<Existing> result;
  // A different size cannot be the same content: skip reading it.
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
      static_cast<size_t>(st.st_size) == expected_size) {
    Existing e{{}, static_cast<mode_t>(st.st_mode & 07777)};
    if (read_all(fd, &e.content)) result = std::move(e);
  }
  ::close(fd);
  return result;
}

std::string parent_dir(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

bool write_file_atomic(const std::string& path, std::string_view content, mode_t mode,
                       Durability durability) {
  if (auto existing = read_existing(path, content.size());
      existing && existing->content == content) {
    if (existing->mode != mode && ::chmod(path.c_str(), mode) != 0) {
      throw_errno("change the mode of", path, errno);
    }
    return false;
  }

  const std::string dir = parent_dir(path);
  const std::string base =
      path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  // Hidden and in the same directory: rename() is only atomic within one filesystem.
  std::string tmp = dir + "/." + base + ".tmp.XXXXXX";
  std::vector<char> tmpl(tmp.begin(), tmp.end());
  tmpl.push_back('\0');
  int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0) throw_errno("write", path, errno);
  tmp = tmpl.data();

  auto fail = [&](const char* what) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    throw_errno(what, path, err);
  };
  if (::fchmod(fd, mode) != 0) fail("set the mode of");
  if (!write_all(fd, content)) fail("write");
  if (durability == Durability::kFsync && ::fsync(fd) != 0) fail("write");
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw_errno("write", path, err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw_errno("replace", path, err);
  }
  if (durability == Durability::kRenameOnly) return true;
  // Make the rename itself durable. Some filesystems refuse fsync on a directory; the data is
  // already safe then, so that is not worth failing the write over.
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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

std::optional<std::string> read_file_if_exists(const std::string& path, mode_t* mode) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) return std::nullopt;
  if (fd < 0) throw_errno("read", path, errno);
  std::string content;
  struct stat st;
  bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (regular) content.reserve(static_cast<size_t>(st.st_size));
  if (mode) *mode = regular ? static_cast<mode_t>(st.st_mode & 07777) : static_cast<mode_t>(~0);
  if (!read_all(fd, &content)) {
    int err = errno;
    ::close(fd);
    throw_errno("read", path, err);
  }
  ::close(fd);
  return content;
}

}  // namespace strata

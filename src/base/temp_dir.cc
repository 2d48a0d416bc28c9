#include "base/temp_dir.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

#include "model/error.h"

namespace strata {

namespace fs = std::filesystem;

namespace {
// Adds rwx for the owner to `dir` and every directory below it (symlinks are not followed).
void restore_owner_access(const fs::path& dir) noexcept {
  std::error_code ec;
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::add, ec);
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->symlink_status(ec).type() == fs::file_type::directory) restore_owner_access(it->path());
  }
}
}  // namespace

TempDir::TempDir(std::string_view prefix) {
  const char* tmp = getenv("TMPDIR");
  std::string base = (tmp && *tmp) ? tmp : "/tmp";
  std::string pattern = base + "/" + std::string(prefix) + ".XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) {
    int err = errno;
    throw Error(ErrorKind::kEnvironment,
                "cannot create a temporary directory in '" + base + "': " + std::strerror(err), {},
                "check that TMPDIR points at a writable directory");
  }
  std::error_code ec;
  fs::path absolute = fs::absolute(buf.data(), ec);
  path_ = ec ? std::string(buf.data()) : absolute.string();
}

TempDir::~TempDir() { remove(); }

TempDir::TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    remove();
    path_ = std::exchange(other.path_, {});
  }
  return *this;
}

std::string TempDir::file(std::string_view relative) const {
  return path_ + "/" + std::string(relative);
}

void TempDir::remove() noexcept {
  if (path_.empty()) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
  if (ec) {
    // A test may have made a subdirectory unreadable (to provoke an error); give the owner
    // access back everywhere and try once more. Failure is ignored: a destructor must not
    // throw, and a leftover temp dir is harmless.
    restore_owner_access(path_);
    fs::remove_all(path_, ec);
  }
  path_.clear();
}

}  // namespace strata

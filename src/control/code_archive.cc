#include "control/code_archive.h"

#include <archive.h>
#include <archive_entry.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "model/error.h"

namespace strata::control {

namespace {

struct ArchiveFree {
  void operator()(archive* a) const { archive_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveFree>;
struct EntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using EntryPtr = std::unique_ptr<archive_entry, EntryFree>;

Error archive_error(const std::string& what, archive* a) {
  const char* reason = a ? archive_error_string(a) : nullptr;
  return Error(ErrorKind::kEnvironment, what + (reason ? std::string(": ") + reason : std::string()), {},
               "start the run again; if this repeats, the server's copy of the repository is damaged (remove "
               "<data-dir>/git/<repository id> on the server and it fetches the repository anew)");
}

la_ssize_t append_to_string(archive*, void* out, const void* data, size_t size) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(data), size);
  return static_cast<la_ssize_t>(size);
}

}  // namespace

std::string write_code_archive(
    const std::function<void(const std::function<void(const ArchiveEntry&)>&)>& visit) {
  std::string out;
  ArchivePtr a(archive_write_new());
  archive_write_set_format_pax_restricted(a.get());
  archive_write_add_filter_gzip(a.get());
  archive_write_set_bytes_in_last_block(a.get(), 1);
  if (archive_write_open(a.get(), &out, nullptr, append_to_string, nullptr) != ARCHIVE_OK)
    throw archive_error("cannot start a code archive", a.get());
  visit([&](const ArchiveEntry& e) {
    EntryPtr entry(archive_entry_new());
    archive_entry_set_pathname(entry.get(), e.path.c_str());
    archive_entry_set_mtime(entry.get(), 946684800, 0);
    if (!e.target.empty()) {
      archive_entry_set_filetype(entry.get(), AE_IFLNK);
      archive_entry_set_perm(entry.get(), 0777);
      archive_entry_set_symlink(entry.get(), e.target.c_str());
    } else if (!e.path.empty() && e.path.back() == '/') {
      archive_entry_set_filetype(entry.get(), AE_IFDIR);
      archive_entry_set_perm(entry.get(), 0755);
    } else {
      archive_entry_set_filetype(entry.get(), AE_IFREG);
      archive_entry_set_perm(entry.get(), e.mode & 0777);
      archive_entry_set_size(entry.get(), static_cast<la_int64_t>(e.data.size()));
    }
    if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK)
      throw archive_error("cannot add " + e.path + " to the code archive", a.get());
    if (e.target.empty() && !e.data.empty() &&
        archive_write_data(a.get(), e.data.data(), e.data.size()) != static_cast<la_ssize_t>(e.data.size()))
      throw archive_error("cannot add " + e.path + " to the code archive", a.get());
  });
  if (archive_write_close(a.get()) != ARCHIVE_OK) throw archive_error("cannot finish the code archive", a.get());
  return out;
}

void unpack_code_archive(const std::string& data, const std::string& dest, size_t max_bytes) {
  ArchivePtr in(archive_read_new());
  archive_read_support_format_tar(in.get());
  archive_read_support_filter_gzip(in.get());
  if (archive_read_open_memory(in.get(), data.data(), data.size()) != ARCHIVE_OK)
    throw archive_error("cannot read the code archive", in.get());
  size_t total = 0;
  for (;;) {
    archive_entry* entry = nullptr;
    int rc = archive_read_next_header(in.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK) throw archive_error("cannot read the code archive", in.get());
    std::string path = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
    while (!path.empty() && path.back() == '/') path.pop_back();
    mode_t type = archive_entry_filetype(entry);
    if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
      throw archive_error("the code archive holds " + path + ", which is not a file, folder or symlink", nullptr);
    // Only plain relative paths: no absolute path, no "." or ".." part, no empty part.
    if (path.empty() || path.front() == '/')
      throw archive_error("the code archive holds an absolute or empty path: \"" + path + "\"", nullptr);
    for (size_t at = 0; at <= path.size();) {
      size_t slash = std::min(path.find('/', at), path.size());
      std::string part = path.substr(at, slash - at);
      if (part.empty() || part == "." || part == "..")
        throw archive_error("the code archive holds a path that leaves its folder: \"" + path + "\"", nullptr);
      at = slash + 1;
    }
    // Every folder on the way must be a real folder the archive made, never a symlink.
    for (size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
      struct stat st{};
      std::string folder = dest + "/" + path.substr(0, slash);
      if (::lstat(folder.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw archive_error("the code archive writes " + path + " through something that is not a folder", nullptr);
    }
    std::string target = dest + "/" + path;
    total += static_cast<size_t>(std::max<la_int64_t>(0, archive_entry_size(entry)));
    if (total > max_bytes)
      throw archive_error("the code archive unpacks to more than " + std::to_string(max_bytes) + " bytes", nullptr);
    if (type == AE_IFDIR) {
      if (::mkdir(target.c_str(), 0755) != 0 && errno != EEXIST)
        throw Error(ErrorKind::kEnvironment, "cannot create " + target + ": " + std::strerror(errno));
      continue;
    }
    if (type == AE_IFLNK) {
      const char* link = archive_entry_symlink(entry);
      if (!link || !*link || ::symlink(link, target.c_str()) != 0)
        throw Error(ErrorKind::kEnvironment, "cannot create the symlink " + target + ": " + std::strerror(errno));
      continue;
    }
    // O_EXCL: an entry never replaces (or writes through) what is already there.
    mode_t mode = (archive_entry_perm(entry) & 0111) ? 0755 : 0644;
    int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) throw Error(ErrorKind::kEnvironment, "cannot create " + target + ": " + std::strerror(errno));
    char buffer[64 * 1024];
    la_ssize_t n;
    while ((n = archive_read_data(in.get(), buffer, sizeof buffer)) > 0) {
      for (la_ssize_t done = 0; done < n;) {
        ssize_t w = ::write(fd, buffer + done, static_cast<size_t>(n - done));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
          ::close(fd);
          throw Error(ErrorKind::kEnvironment, "cannot write " + target + ": " + std::strerror(errno));
        }
        done += w;
      }
    }
    ::close(fd);
    if (n < 0) throw archive_error("cannot read " + path + " from the code archive", in.get());
  }
}

}  // namespace strata::control

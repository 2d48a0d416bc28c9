#include "base/atomic_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <string>
#include <vector>

#include "base/temp_dir.h"
#include "model/error.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

struct timespec mtime_of(const std::string& path) {
  struct stat st;
  EXPECT_EQ(stat(path.c_str(), &st), 0);
  return st.st_mtim;
}

mode_t mode_of(const std::string& path) {
  struct stat st;
  EXPECT_EQ(stat(path.c_str(), &st), 0);
  return st.st_mode & 07777;
}

std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(AtomicFile, WritesContentWithDefaultMode) {
  TempDir dir;
  std::string path = dir.file("backend.tf.json");
  EXPECT_TRUE(write_file_atomic(path, "{\n  \"a\": 1\n}\n"));
  EXPECT_EQ(read_file(path), "{\n  \"a\": 1\n}\n");
  EXPECT_EQ(mode_of(path), 0644u);
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"backend.tf.json"})
      << "no temporary file may be left behind";
}

TEST(AtomicFile, PlanFilesCanBePrivate) {
  TempDir dir;
  std::string path = dir.file("tfplan");
  EXPECT_TRUE(write_file_atomic(path, "secret plan", 0600));
  EXPECT_EQ(mode_of(path), 0600u);
  // Replacing a 0644 file with a 0600 one must not keep the old, wider mode.
  std::string wide = dir.file("wide");
  write_file_atomic(wide, "old", 0644);
  write_file_atomic(wide, "new", 0600);
  EXPECT_EQ(mode_of(wide), 0600u);
}

TEST(AtomicFile, ModeIsExactWhateverTheUmask) {
  TempDir dir;
  mode_t old = ::umask(077);
  std::string path = dir.file("main.tf");
  write_file_atomic(path, "x", 0644);
  std::string script = dir.file("run.sh");
  write_file_atomic(script, "#!/bin/sh\n", 0755);
  ::umask(old);
  EXPECT_EQ(mode_of(path), 0644u);
  EXPECT_EQ(mode_of(script), 0755u);
}

TEST(AtomicFile, AfterReceivesTheStatOfTheFileWrittenOrKept) {
  TempDir dir;
  std::string path = dir.file("main.tf");
  struct stat written, kept, now;
  EXPECT_TRUE(write_file_atomic(path, "abc", 0644, Durability::kRenameOnly, Previous::kMayExist, &written));
  ASSERT_EQ(::stat(path.c_str(), &now), 0);
  EXPECT_EQ(written.st_ino, now.st_ino);
  EXPECT_EQ(written.st_size, 3);
  EXPECT_EQ(written.st_mode & 07777, 0644u);
  EXPECT_EQ(written.st_mtim.tv_sec, now.st_mtim.tv_sec);
  EXPECT_EQ(written.st_mtim.tv_nsec, now.st_mtim.tv_nsec);
  EXPECT_FALSE(write_file_atomic(path, "abc", 0600, Durability::kRenameOnly, Previous::kMayExist, &kept));
  EXPECT_EQ(kept.st_ino, now.st_ino);
  EXPECT_EQ(kept.st_mode & 07777, 0600u);  // the mode was corrected in place
  EXPECT_EQ(mode_of(path), 0600u);
}

TEST(AtomicFile, AbsentMeansNotLookedForSoTheFileIsReplaced) {
  TempDir dir;
  std::string path = dir.file("main.tf");
  write_file_atomic(path, "same", 0644);
  struct timespec before = mtime_of(path);
  ::usleep(20000);
  EXPECT_TRUE(write_file_atomic(path, "same", 0644, Durability::kRenameOnly, Previous::kReplace));
  struct timespec after = mtime_of(path);
  EXPECT_TRUE(after.tv_sec != before.tv_sec || after.tv_nsec != before.tv_nsec);
  EXPECT_EQ(read_file(path), "same");
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"main.tf"});
}

TEST(AtomicFile, AtAHandleWritesRelativeAndNamesTheShownPathInErrors) {
  TempDir dir;
  fs::create_directories(dir.file("work/sub"));
  int fd = ::open(dir.file("work").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(write_file_atomic_at(fd, "sub/main.tf", "shown/sub/main.tf", "x", 0644, Durability::kRenameOnly,
                                   Previous::kMayExist));
  EXPECT_FALSE(write_file_atomic_at(fd, "sub/main.tf", "shown/sub/main.tf", "x", 0644, Durability::kFsync,
                                    Previous::kMayExist));
  EXPECT_EQ(read_file(dir.file("work/sub/main.tf")), "x");
  EXPECT_EQ(names_in(dir.file("work/sub")), std::vector<std::string>{"main.tf"});
  try {
    write_file_atomic_at(fd, "missing/main.tf", "shown/missing/main.tf", "x", 0644, Durability::kRenameOnly,
                         Previous::kReplace);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.render().find("'shown/missing/main.tf'"), std::string::npos) << e.render();
  }
  ::close(fd);
}

TEST(AtomicFile, IdenticalRewriteKeepsMtime) {
  TempDir dir;
  std::string path = dir.file("main.tf");
  ASSERT_TRUE(write_file_atomic(path, "resource \"x\" \"y\" {}\n"));
  // Set an old mtime so any rewrite would visibly change it, whatever the clock resolution.
  struct timespec old_times[2] = {{1000000000, 0}, {1000000000, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), old_times, 0), 0);
  struct stat before;
  ASSERT_EQ(stat(path.c_str(), &before), 0);

  EXPECT_FALSE(write_file_atomic(path, "resource \"x\" \"y\" {}\n"));
  EXPECT_EQ(mtime_of(path).tv_sec, 1000000000);
  struct stat after;
  ASSERT_EQ(stat(path.c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino) << "the file must not have been replaced";

  EXPECT_TRUE(write_file_atomic(path, "resource \"x\" \"z\" {}\n"));
  EXPECT_NE(mtime_of(path).tv_sec, 1000000000);
  EXPECT_EQ(read_file(path), "resource \"x\" \"z\" {}\n");
}

TEST(AtomicFile, SameSizeDifferentContentIsWritten) {
  TempDir dir;
  std::string path = dir.file("f");
  write_file_atomic(path, "aaaa");
  EXPECT_TRUE(write_file_atomic(path, "aaab"));
  EXPECT_EQ(read_file(path), "aaab");
  EXPECT_TRUE(write_file_atomic(path, ""));
  EXPECT_EQ(read_file(path), "");
  EXPECT_FALSE(write_file_atomic(path, ""));
}

TEST(AtomicFile, IdenticalContentWithOtherModeFixesModeOnly) {
  TempDir dir;
  std::string path = dir.file("f");
  write_file_atomic(path, "same", 0644);
  EXPECT_FALSE(write_file_atomic(path, "same", 0600));
  EXPECT_EQ(mode_of(path), 0600u);
}

TEST(AtomicFile, MissingDirectoryIsAnErrorNamingThePath) {
  TempDir dir;
  std::string path = dir.file("no/such/dir/file.tf");
  try {
    write_file_atomic(path, "x");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find(path), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("No such file or directory"), std::string::npos) << e.message();
  }
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{});
}

TEST(AtomicFile, ReadMissingFileNamesPathAndReason) {
  TempDir dir;
  std::string path = dir.file("absent.yaml");
  try {
    read_file(path);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find(path), std::string::npos) << e.message();
    // A name that leads nowhere is the project's mistake, not the machine's.
    EXPECT_EQ(e.kind(), ErrorKind::kUserInput);
    EXPECT_NE(e.message().find("No such file or directory"), std::string::npos) << e.message();
  }
}

TEST(AtomicFile, ReadDirectoryIsAnError) {
  TempDir dir;
  try {
    read_file(dir.path());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("Is a directory"), std::string::npos) << e.message();
  }
}

TEST(AtomicFile, TryReadReportsTheReasonInErrno) {
  TempDir dir;
  std::string text = "left over";
  errno = 0;
  EXPECT_FALSE(try_read_file(dir.file("absent"), text));
  EXPECT_EQ(errno, ENOENT);
  EXPECT_EQ(text, "");
  EXPECT_FALSE(try_read_file(dir.path(), text));
  EXPECT_EQ(errno, EISDIR);
  write_file_atomic(dir.file("a.env"), "A=1\n");
  ASSERT_TRUE(try_read_file(dir.file("a.env"), text));
  EXPECT_EQ(text, "A=1\n");
}

TEST(AtomicFile, ReadsLargeAndBinaryContent) {
  TempDir dir;
  std::string content(3 * 1024 * 1024 + 7, '\0');
  for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i * 31 % 251);
  write_file_atomic(dir.file("big"), content);
  EXPECT_EQ(read_file(dir.file("big")), content);
}

}  // namespace
}  // namespace strata

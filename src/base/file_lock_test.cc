#include "base/file_lock.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "base/atomic_file.h"
#include "base/temp_dir.h"
#include "model/error.h"

namespace strata {
namespace {

// A forked child that takes the lock and then waits to be killed, as another strata would.
class LockHolder {
 public:
  explicit LockHolder(const std::string& lock_path) {
    int ready[2];
    EXPECT_EQ(pipe(ready), 0);
    pid_ = fork();
    if (pid_ == 0) {
      close(ready[0]);
      char ok = 'n';
      try {
        FileLock lock(lock_path, "test workdir");
        ok = 'y';
        if (write(ready[1], &ok, 1) != 1) _exit(2);
        for (;;) pause();
      } catch (...) {
        if (write(ready[1], &ok, 1) != 1) _exit(2);
        _exit(1);
      }
    }
    close(ready[1]);
    char ok = 0;
    EXPECT_EQ(read(ready[0], &ok, 1), 1);
    close(ready[0]);
    EXPECT_EQ(ok, 'y') << "the child could not take the lock";
  }
  ~LockHolder() { kill_now(); }

  pid_t pid() const { return pid_; }
  void kill_now() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

TEST(FileLock, SecondHolderIsToldWhoHoldsIt) {
  TempDir dir;
  std::string lock_path = dir.file(".strata.lock");
  LockHolder holder(lock_path);
  try {
    FileLock second(lock_path, "workdir .strata/dev/vpc");
    FAIL() << "the lock was taken twice";
  } catch (const Error& e) {
    std::string expected_start = "workdir .strata/dev/vpc is locked by another strata (pid " +
                                 std::to_string(holder.pid()) + ": ";
    EXPECT_EQ(e.message().rfind(expected_start, 0), 0u) << e.message();
    EXPECT_EQ(e.kind(), ErrorKind::kConflict);
    // The holder is this test binary (forked), so its command line names it.
    EXPECT_NE(e.message().find("base_test"), std::string::npos) << e.message();
    EXPECT_NE(e.hint().find(lock_path), std::string::npos) << e.hint();
  }
}

TEST(FileLock, LockFromKilledProcessIsTakenOver) {
  TempDir dir;
  std::string lock_path = dir.file(".strata.lock");
  LockHolder holder(lock_path);
  EXPECT_NE(read_file(lock_path).find(std::to_string(holder.pid())), std::string::npos);
  holder.kill_now();  // SIGKILL: no chance to clean up; the lock file stays behind
  FileLock lock(lock_path, "test workdir");
  EXPECT_EQ(read_file(lock_path).rfind(std::to_string(getpid()) + "\n", 0), 0u)
      << read_file(lock_path);
  EXPECT_FALSE(lock.previous_holder_released()) << "the killed holder may have left files half-written";
}

// A holder that lets go in the ordinary way says so in the file; the next holder then knows
// there is nothing half-written to look for. A new lock file has had no holder.
TEST(FileLock, TheNextHolderKnowsWhetherThePreviousOneLetGo) {
  TempDir dir;
  std::string lock_path = dir.file(".strata.lock");
  {
    FileLock first(lock_path, "w");
    EXPECT_TRUE(first.previous_holder_released());
  }
  {
    FileLock second(lock_path, "w");
    EXPECT_TRUE(second.previous_holder_released());
    FileLock moved(std::move(second));
    EXPECT_TRUE(moved.previous_holder_released());
  }
  LockHolder killed(lock_path);
  killed.kill_now();
  FileLock third(lock_path, "w");
  EXPECT_FALSE(third.previous_holder_released());
}

TEST(FileLock, ReleasedWhenDestroyed) {
  TempDir dir;
  std::string lock_path = dir.file("lock");
  {
    FileLock first(lock_path, "w");
    EXPECT_THROW(FileLock(lock_path, "w"), Error) << "a second open in one process must also fail";
  }
  FileLock again(lock_path, "w");
  FileLock moved(std::move(again));
  EXPECT_THROW(FileLock(lock_path, "w"), Error);
  moved.release();
  EXPECT_NO_THROW(FileLock(lock_path, "w"));
}

TEST(FileLock, RecordsPidAndCommandLine) {
  TempDir dir;
  FileLock lock(dir.file("lock"), "w");
  std::string content = read_file(dir.file("lock"));
  EXPECT_EQ(content, std::to_string(getpid()) + "\n" + current_command_line() + "\n");
  EXPECT_NE(current_command_line().find("base_test"), std::string::npos);
}

TEST(FileLock, MissingDirectoryIsAClearError) {
  TempDir dir;
  try {
    FileLock lock(dir.file("missing/lock"), "w");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find(dir.file("missing/lock")), std::string::npos) << e.message();
    EXPECT_EQ(e.kind(), ErrorKind::kEnvironment);
    EXPECT_NE(e.message().find("No such file or directory"), std::string::npos) << e.message();
  }
}

}  // namespace
}  // namespace strata

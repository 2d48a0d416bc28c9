#include "base/subprocess.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/file_lock.h"
#include "base/supervisor.h"
#include "base/temp_dir.h"
#include "model/error.h"
#include "support/conformance.h"

namespace strata {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// --- helpers that look at the process table ---------------------------------------------

// The state letter from /proc/PID/stat, or 0 when the process no longer exists.
char process_state(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 >= stat.size()) return 0;
  return stat[paren + 2];
}

// Zombies are dead; they only wait for whoever adopted them to reap them.
bool running(pid_t pid) {
  char s = process_state(pid);
  return s != 0 && s != 'Z' && s != 'X';
}

// Processes of group `pgid` that are still running.
std::vector<pid_t> running_members(pid_t pgid) {
  std::vector<pid_t> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::string name = e.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    std::ifstream in(e.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t paren = stat.rfind(')');
    if (paren == std::string::npos) continue;
    // After ")": state ppid pgrp ...
    char state = 0;
    int ppid = 0, pgrp = 0;
    if (sscanf(stat.c_str() + paren + 1, " %c %d %d", &state, &ppid, &pgrp) != 3) continue;
    if (pgrp == pgid && state != 'Z' && state != 'X') out.push_back(std::stoi(name));
  }
  return out;
}

// SIGKILL is asynchronous: give the kernel a moment before declaring a survivor.
bool group_is_gone(pid_t pgid, const std::vector<pid_t>& pids) {
  for (auto deadline = std::chrono::steady_clock::now() + 5s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(10ms)) {
    bool any = !running_members(pgid).empty();
    for (pid_t p : pids) any = any || running(p);
    if (!any) return true;
  }
  return false;
}

// Kills leftovers so a failing test does not leave sleeps behind.
void kill_all(const std::vector<pid_t>& pids) {
  for (pid_t p : pids)
    if (running(p)) ::kill(p, SIGKILL);
}

// Runs `sh -c script`, collecting stdout lines; calls `on_ready` (from another thread, like
// the executor's Ctrl-C handler) once `ready_lines` lines have arrived.
struct ShellRun {
  std::vector<std::string> lines;
  std::mutex mu;
  std::condition_variable cv;
  SubprocessResult result;
  pid_t pgid = 0;

  std::vector<pid_t> pids() {
    std::lock_guard lock(mu);
    std::vector<pid_t> out;
    for (const auto& l : lines) out.push_back(std::stoi(l));
    return out;
  }

  void run(const std::string& script, size_t ready_lines,
           const std::function<void(Subprocess&)>& on_ready) {
    SubprocessOptions o;
    o.argv = {"sh", "-c", script};
    o.on_stdout_line = [this](std::string_view line) {
      std::lock_guard lock(mu);
      lines.emplace_back(line);
      cv.notify_all();
    };
    Subprocess p(o);
    std::thread runner([&] { result = p.run(); });
    {
      std::unique_lock lock(mu);
      ASSERT_TRUE(cv.wait_for(lock, 20s, [&] { return lines.size() >= ready_lines; }))
          << "the script did not start";
    }
    pgid = p.pid();
    on_ready(p);
    runner.join();
  }
};

SubprocessResult run_simple(SubprocessOptions o) { return Subprocess(std::move(o)).run(); }

// --- output ---------------------------------------------------------------------------------

TEST(Subprocess, LinesArriveInOrderOnBothStreams) {
  std::vector<std::string> out, err;
  SubprocessOptions o;
  o.argv = {"sh", "-c",
            "for i in 1 2 3; do echo out$i; echo err$i >&2; done; echo; printf 'no newline'"};
  o.on_stdout_line = [&](std::string_view l) { out.emplace_back(l); };
  o.on_stderr_line = [&](std::string_view l) { err.emplace_back(l); };
  SubprocessResult r = run_simple(o);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(r.success());
  EXPECT_EQ(out, (std::vector<std::string>{"out1", "out2", "out3", "", "no newline"}));
  EXPECT_EQ(err, (std::vector<std::string>{"err1", "err2", "err3"}));
  EXPECT_TRUE(r.stdout_text.empty()) << "not captured unless asked";
}

TEST(Subprocess, SeveralMegabytesOnBothStreamsDoNotDeadlock) {
  // Both streams are written at once, each far beyond a pipe's 64 KiB buffer: reading only one
  // of them at a time would block the child forever.
  const int kLines = 400000;
  const std::string kLine = "0123456789abcdef";
  int out_lines = 0, err_lines = 0;
  bool out_ok = true, err_ok = true;
  SubprocessOptions o;
  o.argv = {"sh", "-c",
            "yes " + kLine + " | head -n " + std::to_string(kLines) + " & yes " + kLine +
                " | head -n " + std::to_string(kLines) + " >&2; wait"};
  o.on_stdout_line = [&](std::string_view l) {
    ++out_lines;
    out_ok = out_ok && l == kLine;
  };
  o.on_stderr_line = [&](std::string_view l) {
    ++err_lines;
    err_ok = err_ok && l == kLine;
  };
  o.capture_stdout = true;
  o.capture_stderr = true;
  SubprocessResult r = run_simple(o);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(out_lines, kLines);
  EXPECT_EQ(err_lines, kLines);
  EXPECT_TRUE(out_ok);
  EXPECT_TRUE(err_ok);
  EXPECT_EQ(r.stdout_text.size(), kLines * (kLine.size() + 1));
  EXPECT_EQ(r.stderr_text.size(), kLines * (kLine.size() + 1));
}

TEST(Subprocess, StdinIsEmpty) {
  SubprocessOptions o;
  o.argv = {"cat"};
  o.capture_stdout = true;
  o.timeout = 20s;
  SubprocessResult r = run_simple(o);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_FALSE(r.timed_out) << "cat waited for input: stdin is not /dev/null";
  EXPECT_EQ(r.stdout_text, "");
}

TEST(Subprocess, StdinDataIsFedWhileOutputIsRead) {
  // Megabytes in both directions at once: feeding and reading must interleave.
  std::string input;
  for (int i = 0; i < 200000; ++i) input += "line " + std::to_string(i) + "\n";
  SubprocessOptions o;
  o.argv = {"cat"};
  o.stdin_data = input;
  o.capture_stdout = true;
  SubprocessResult r = run_simple(o);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.stdout_text.size(), input.size());
  EXPECT_TRUE(r.stdout_text == input);
}

TEST(Subprocess, ChildIgnoringStdinDoesNotHurtTheParent) {
  // Writing to a child that has exited would raise SIGPIPE and kill strata with a pipe.
  SubprocessOptions o;
  o.argv = {"sh", "-c", "exit 4"};
  o.stdin_data = std::string(8 * 1024 * 1024, 'x');
  SubprocessResult r = run_simple(o);
  EXPECT_EQ(r.exit_code, 4);
}

// --- environment and working directory -------------------------------------------------------

TEST(Subprocess, EnvironmentIsExactlyTheGivenOne) {
  SubprocessOptions o;
  o.argv = {"/usr/bin/env"};
  o.inherit_env = false;
  o.env = {{"TF_VAR_region", "eu-west-1"}, {"EMPTY", ""}};
  o.capture_stdout = true;
  SubprocessResult r = run_simple(o);
  EXPECT_EQ(r.stdout_text, "EMPTY=\nTF_VAR_region=eu-west-1\n");
}

TEST(Subprocess, InheritedEnvironmentWithOverrides) {
  ::setenv("STRATA_TEST_INHERITED", "from-parent", 1);
  ::setenv("STRATA_TEST_OVERRIDDEN", "from-parent", 1);
  SubprocessOptions o;
  o.argv = {"sh", "-c", "echo \"$STRATA_TEST_INHERITED $STRATA_TEST_OVERRIDDEN $STRATA_TEST_NEW\""};
  o.env = {{"STRATA_TEST_OVERRIDDEN", "override"}, {"STRATA_TEST_NEW", "new"}};
  o.capture_stdout = true;
  SubprocessResult r = run_simple(o);
  ::unsetenv("STRATA_TEST_INHERITED");
  ::unsetenv("STRATA_TEST_OVERRIDDEN");
  EXPECT_EQ(r.stdout_text, "from-parent override new\n");
}

TEST(Subprocess, WorkingDirectoryIsHonoured) {
  TempDir dir;
  fs::create_directories(dir.file("stack/vpc"));
  { std::ofstream(dir.file("stack/vpc/tool.sh")) << "#!/bin/sh\npwd\necho \"$@\"\n"; }
  fs::permissions(dir.file("stack/vpc/tool.sh"), fs::perms::owner_all);
  SubprocessOptions o;
  o.argv = {"./tool.sh", "a b", "c"};  // relative to cwd, like execvp in the child would see it
  o.cwd = dir.file("stack/vpc");
  o.capture_stdout = true;
  SubprocessResult r = run_simple(o);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.stdout_text, fs::canonical(dir.file("stack/vpc")).string() + "\na b c\n");
}

// --- results -------------------------------------------------------------------------------

TEST(Subprocess, ExitCodeIsReported) {
  SubprocessOptions o;
  o.argv = {"sh", "-c", "exit 3"};
  SubprocessResult r = run_simple(o);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.signal, 0);
  EXPECT_FALSE(r.success());
  EXPECT_EQ(r.describe(), "exited with code 3");
}

TEST(Subprocess, ChildIsReapedNotLeftAZombie) {
  SubprocessOptions o;
  o.argv = {"true"};
  Subprocess p(o);
  EXPECT_EQ(p.pid(), 0);
  p.run();
  ASSERT_GT(p.pid(), 0);
  errno = 0;
  EXPECT_EQ(::waitpid(p.pid(), nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD) << "run() must have reaped its child";
  EXPECT_EQ(process_state(p.pid()), 0) << "no zombie left in the process table";
  p.interrupt();  // after the end: a no-op, never a signal to a recycled group id
}

TEST(Subprocess, KillingSignalIsReported) {
  SubprocessOptions o;
  o.argv = {"sh", "-c", "kill -TERM $$; sleep 5"};
  SubprocessResult r = run_simple(o);
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_EQ(r.signal, SIGTERM);
  EXPECT_EQ(r.describe(), "killed by SIGTERM");
}

// --- errors a user can cause ------------------------------------------------------------------

TEST(Subprocess, MissingProgramIsAClearError) {
  SubprocessOptions o;
  o.argv = {"strata-no-such-engine"};
  try {
    run_simple(o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "cannot run 'strata-no-such-engine': not found on PATH");
    EXPECT_NE(e.hint().find("PATH is"), std::string::npos) << e.hint();
    EXPECT_EQ(e.kind(), ErrorKind::kEnvironment);
  }
}

TEST(Subprocess, NonExecutableProgramIsAClearError) {
  TempDir dir;
  std::ofstream(dir.file("tofu")) << "#!/bin/sh\n";
  SubprocessOptions o;
  o.argv = {dir.file("tofu")};
  try {
    run_simple(o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("is not executable"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find(dir.file("tofu")), std::string::npos) << e.message();
  }
  // Found on PATH but not executable: say so rather than "not found".
  o.argv = {"tofu"};
  o.env = {{"PATH", dir.path()}};
  try {
    run_simple(o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find(dir.file("tofu") + ": it is not executable"), std::string::npos)
        << e.message();
    EXPECT_EQ(e.kind(), ErrorKind::kEnvironment);
  }
}

TEST(Subprocess, BadWorkingDirectoryIsAClearError) {
  TempDir dir;
  SubprocessOptions o;
  o.argv = {"true"};
  o.cwd = dir.file("missing");
  try {
    run_simple(o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("working directory '" + dir.file("missing") + "'"),
              std::string::npos)
        << e.message();
    EXPECT_NE(e.message().find("No such file or directory"), std::string::npos) << e.message();
  }
}

// --- timeouts and signals ----------------------------------------------------------------------

TEST(Subprocess, TimeoutTerminatesTheChild) {
  SubprocessOptions o;
  o.argv = {"sleep", "30"};
  o.timeout = 200ms;
  SubprocessResult r = run_simple(o);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.signal, SIGTERM);
  EXPECT_LT(r.duration, 10s);
  EXPECT_GE(r.duration, 200ms);
  EXPECT_NE(r.describe().find("timed out after"), std::string::npos) << r.describe();
}

TEST(Subprocess, TimeoutEscalatesToKillWhenTermIsIgnored) {
  SubprocessOptions o;
  o.argv = {"sh", "-c", "trap '' TERM; sleep 30"};
  o.timeout = 200ms;
  o.kill_grace = 300ms;
  SubprocessResult r = run_simple(o);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_GE(r.duration, 500ms);
  EXPECT_LT(r.duration, 10s);
}

TEST(Subprocess, InterruptBeforeStartIsDeliveredOnStart) {
  SubprocessOptions o;
  o.argv = {"sleep", "30"};
  Subprocess p(o);
  p.interrupt();
  SubprocessResult r = p.run();
  EXPECT_EQ(r.signal, SIGINT);
  EXPECT_LT(r.duration, 10s);
}

TEST(Subprocess, ChildRunsInItsOwnProcessGroup) {
  SubprocessOptions o;
  o.argv = {"sh", "-c", "ps -o pgid= -p $$ 2>/dev/null || cut -d' ' -f5 /proc/$$/stat"};
  o.capture_stdout = true;
  Subprocess p(o);
  SubprocessResult r = p.run();
  std::string text = r.stdout_text;
  text.erase(std::remove_if(text.begin(), text.end(), ::isspace), text.end());
  EXPECT_EQ(text, std::to_string(p.pid()));
  EXPECT_NE(p.pid(), getpgrp());
}

// --- no orphans --------------------------------------------------------------------------------

TEST(Subprocess, InterruptLeavesNoOrphan) {
  // Like Terraform on SIGINT: the shell dies, but its background sleeps ignore SIGINT (as
  // asynchronous commands of a non-interactive shell do) and would live on as orphans.
  ShellRun s;
  s.run("sleep 300 & echo $!; sleep 300 & echo $!; wait", 2, [](Subprocess& p) { p.interrupt(); });
  std::vector<pid_t> sleeps = s.pids();
  EXPECT_EQ(s.result.signal, SIGINT) << s.result.describe();
  EXPECT_TRUE(group_is_gone(s.pgid, sleeps)) << "a sleep of the interrupted group survived";
  kill_all(sleeps);
}

TEST(Subprocess, KillAfterIgnoredInterruptLeavesNoOrphan) {
  ShellRun s;
  s.run("trap '' INT; sleep 300 & echo $!; sleep 300 & echo $!; wait", 2, [](Subprocess& p) {
    p.interrupt();
    // Ignored: the whole group must still be there.
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(::kill(-p.pid(), 0), 0);
    p.kill();
  });
  std::vector<pid_t> sleeps = s.pids();
  EXPECT_EQ(s.result.signal, SIGKILL) << s.result.describe();
  EXPECT_TRUE(group_is_gone(s.pgid, sleeps));
  kill_all(sleeps);
}

TEST(Subprocess, GrandchildOutlivingTheChildIsKilled) {
  // The shell exits at once; the sleep keeps the stdout pipe open. run() must neither wait
  // 300 s for it nor leave it running.
  std::vector<std::string> lines;
  SubprocessOptions o;
  o.argv = {"sh", "-c", "sleep 300 & echo $!"};
  o.on_stdout_line = [&](std::string_view l) { lines.emplace_back(l); };
  Subprocess p(o);
  SubprocessResult r = p.run();
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_LT(r.duration, 10s);
  ASSERT_EQ(lines.size(), 1u);
  pid_t sleep_pid = std::stoi(lines[0]);
  EXPECT_TRUE(group_is_gone(p.pid(), {sleep_pid}));
  kill_all({sleep_pid});
}

TEST(Subprocess, CallbackExceptionStillCleansUp) {
  SubprocessOptions o;
  o.argv = {"sh", "-c", "sleep 300 & echo $!; wait"};
  pid_t sleep_pid = 0;
  o.on_stdout_line = [&](std::string_view l) {
    sleep_pid = std::stoi(std::string(l));
    throw std::runtime_error("sink failed");
  };
  Subprocess p(o);
  EXPECT_THROW(p.run(), std::runtime_error);
  ASSERT_GT(sleep_pid, 0);
  EXPECT_TRUE(group_is_gone(p.pid(), {sleep_pid}));
  kill_all({sleep_pid});
}

TEST(Subprocess, ManyRunConcurrently) {
  const int kThreads = 8;
  std::vector<std::string> outputs(kThreads);
  std::vector<int> codes(kThreads, -1);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      SubprocessOptions o;
      o.argv = {"sh", "-c", "for n in 1 2 3; do echo \"$1-$n\"; done; exit $1", "sh",
                std::to_string(i)};
      o.capture_stdout = true;
      SubprocessResult r = run_simple(o);
      outputs[i] = r.stdout_text;
      codes[i] = r.exit_code;
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) {
    std::string n = std::to_string(i);
    EXPECT_EQ(outputs[i], n + "-1\n" + n + "-2\n" + n + "-3\n");
    EXPECT_EQ(codes[i], i);
  }
}

// Engine calls are watched by one supervisor per process, not one each (a process start is about
// 1 ms of CPU on the development machine), and it lets go of every engine's descriptors once the
// engine is reaped: a server running engines for weeks must not collect them.
template <typename F>
bool eventually(F done, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

TEST(Subprocess, SupervisedChildrenShareOneSupervisorThatLetsGoOfThem) {
  const std::string supervisor = testing::binary_dir() + "/bin/" + kSupervisorProgram;
  if (::access(supervisor.c_str(), X_OK) != 0) GTEST_SKIP() << "not built: " << supervisor;
  TempDir dir;
  const std::string lock_path = (fs::path(dir.path()) / "lock").string();
  auto fds_of = [](pid_t pid) {
    std::error_code ec;
    auto it = fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
    return ec ? -1 : static_cast<int>(std::distance(it, fs::directory_iterator()));
  };
  const int kThreads = 6;
  pid_t seen[kThreads] = {};
  std::vector<std::string> outputs(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int round = 0; round < 5; ++round) {
        SubprocessOptions o;
        o.argv = {"sh", "-c", "echo out-$1; echo err-$1 >&2", "sh", std::to_string(i)};
        o.supervisor = supervisor;
        o.capture_stdout = true;
        o.capture_stderr = true;
        SubprocessResult r = run_simple(o);
        if (round == 0) outputs[i] = r.stdout_text + r.stderr_text;
      }
      seen[i] = SupervisorLink::get(supervisor).pid();
    });
  }
  for (auto& t : threads) t.join();
  const pid_t pid = SupervisorLink::get(supervisor).pid();
  ASSERT_GT(pid, 0);
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(outputs[i], "out-" + std::to_string(i) + "\nerr-" + std::to_string(i) + "\n");
    EXPECT_EQ(seen[i], pid) << "a second supervisor was started";
  }
  EXPECT_TRUE(running(pid));
  // Standard input, output and error, and its socket: nothing of the 30 children it watched.
  EXPECT_TRUE(eventually([&] { return fds_of(pid) == 4; }, 5s)) << fds_of(pid) << " descriptors open";
  // A child working under a lock names itself in the lock file.
  {
    FileLock lock(lock_path, "test");
    SubprocessOptions o;
    o.argv = {"sh", "-c", "exit 0"};
    o.supervisor = supervisor;
    o.keep_fd = lock.fd();
    run_simple(o);
    std::ifstream in(lock_path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("sh -c exit 0"), std::string::npos) << text;
  }
  EXPECT_TRUE(eventually([&] { return fds_of(pid) == 4; }, 5s)) << fds_of(pid) << " descriptors open";
}

// Handing something to the desktop (a browser for `strata remote login`): started, not waited
// for, not strata's child; a program that cannot be run says why.
TEST(Subprocess, LaunchDetachedDoesNotWaitAndSaysWhyWhenItCannotStart) {
  TempDir dir;
  const std::string done = dir.path() + "/done";
  auto before = std::chrono::steady_clock::now();
  EXPECT_EQ(launch_detached({"sh", "-c", "sleep 0.3; echo $PPID > " + done}), "");
  EXPECT_LT(std::chrono::steady_clock::now() - before, 250ms) << "it waited for the program";
  EXPECT_FALSE(std::filesystem::exists(done));
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(done) && std::filesystem::file_size(done) > 0; }, 5s));
  std::ifstream in(done);
  int parent = 0;
  in >> parent;
  EXPECT_NE(parent, ::getpid()) << "a child of strata";
  std::string why = launch_detached({"strata-no-such-browser", "http://x"});
  EXPECT_NE(why.find("strata-no-such-browser: No such file or directory"), std::string::npos) << why;
}

}  // namespace
}  // namespace strata

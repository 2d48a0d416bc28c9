#include "base/supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "base/file_lock.h"
#include "base/subprocess.h"

extern char** environ;

namespace strata {

namespace {

using Clock = std::chrono::steady_clock;

// Writes all of `data` to `fd`; false when the reader is gone (EPIPE) or the write failed.
bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// Ends this process the way the engine ended: its exit code, or the signal that killed it.
[[noreturn]] void exit_like(int status) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    ::signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
    ::raise(sig);
    ::_exit(128 + sig);
  }
  ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 125);
}

}  // namespace

const char* self_executable() {
  static const std::string path = [] {
    char buf[4096];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
  }();
  return path.c_str();
}

std::string supervisor_executable() {
  std::string self = self_executable();
  if (self.empty()) return self;
  std::string dir = self.substr(0, self.rfind('/'));
  for (const std::string& candidate : {dir + "/" + kSupervisorProgram, dir + "/../libexec/strata/" + kSupervisorProgram}) {
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return self;
}

int run_supervisor(int argc, char** argv) {
  if (argc < 6 || std::strcmp(argv[4], "--") != 0) {
    std::fprintf(stderr, "strata %s: for strata's own use (LIFELINE_FD KEEP_FD -- PROGRAM ARGS...)\n",
                 kSuperviseCommand);
    return 125;
  }
  const int lifeline = std::atoi(argv[2]);
  const int keep = std::atoi(argv[3]);
  char** engine_argv = argv + 5;

  // strata signals the whole group: the engine reacts, the supervisor stays to see it through.
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGTERM, SIG_IGN);
  ::signal(SIGHUP, SIG_IGN);
  ::signal(SIGPIPE, SIG_IGN);  // writes to a dead strata fail with EPIPE instead
  ::fcntl(lifeline, F_SETFD, FD_CLOEXEC);

  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    std::fprintf(stderr, "strata: cannot create a pipe for %s: %s\n", engine_argv[0], std::strerror(errno));
    return 126;
  }
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP) sigaddset(&defaults, sig);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, engine_argv[0], &actions, &attr, engine_argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    std::fprintf(stderr, "strata: cannot run '%s': %s\n", engine_argv[0], std::strerror(rc));
    return 127;
  }
  if (keep >= 0) {
    std::string command;
    for (char** a = engine_argv; *a; ++a) command += (command.empty() ? "" : " ") + std::string(*a);
    record_lock_engine(keep, pid, command);
  }

  // The engine's exit wakes poll() (a pidfd), so the supervisor ends as soon as the engine
  // does: waiting for a poll timeout instead added up to that timeout to every engine call.
  const int exit_fd = open_pidfd(pid);
  constexpr int kExitPollMs = 20;  // without a pidfd (old kernels), how often waitpid is asked
  bool strata_alive = true;
  bool lifeline_open = true;
  int streams[2] = {out[0], err[0]};
  int status = 0;
  bool exited = false;
  Clock::time_point drain_until{};
  char buf[65536];
  for (;;) {
    if (!exited) {
      pid_t w = ::waitpid(pid, &status, WNOHANG);
      if (w == pid) {
        exited = true;
        // Whatever the engine printed last is still in the pipes; a grandchild that kept them
        // open (a provisioner's background job) gets a moment, not forever.
        drain_until = Clock::now() + std::chrono::seconds(2);
      }
    }
    if (exited && ((streams[0] < 0 && streams[1] < 0) || Clock::now() >= drain_until)) break;
    pollfd fds[4];
    int n = 0;
    int which[4];
    for (int i = 0; i < 2; ++i)
      if (streams[i] >= 0) {
        fds[n] = {streams[i], POLLIN, 0};
        which[n++] = i;
      }
    if (lifeline_open) {
      fds[n] = {lifeline, POLLIN, 0};
      which[n++] = 2;
    }
    if (exit_fd >= 0 && !exited) {
      fds[n] = {exit_fd, POLLIN, 0};
      which[n++] = 3;
    }
    int timeout_ms = exit_fd >= 0 ? -1 : kExitPollMs;
    if (exited) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(drain_until - Clock::now()).count();
      timeout_ms = static_cast<int>(std::max<long long>(0, left));
    }
    int ready = ::poll(fds, static_cast<nfds_t>(n), timeout_ms);
    if (ready <= 0) continue;  // timeout or EINTR: check the engine again
    bool strata_gone = false;
    for (int i = 0; i < n; ++i) {
      if (fds[i].revents == 0 || which[i] == 3) continue;  // the engine exited: waitpid above
      if (which[i] == 2) {
        // The lifeline carries no data: readable means its writer — strata — is gone.
        ssize_t got = ::read(lifeline, buf, sizeof buf);
        if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
          lifeline_open = false;
          strata_gone = true;
        }
        continue;
      }
      int& fd = streams[which[i]];
      ssize_t got = ::read(fd, buf, sizeof buf);
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (got <= 0) {
        ::close(fd);
        fd = -1;
        continue;
      }
      // After strata is gone the output goes nowhere, but it is still read: an engine whose
      // pipe fills up blocks, and one whose pipe is closed dies of SIGPIPE.
      if (strata_alive && !write_all(which[i] == 0 ? 1 : 2, buf, static_cast<size_t>(got))) strata_gone = true;
    }
    if (strata_gone && strata_alive) {
      strata_alive = false;
      // Graceful stop: Terraform finishes the operation in flight, writes its state and
      // releases its state lock. Sent to the group, so plugins and provisioners hear it too.
      if (!exited) ::kill(-::getpgrp(), SIGINT);
    }
  }
  if (!exited) {
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (exit_fd >= 0) ::close(exit_fd);
  if (!strata_alive) {
    // Nobody will reap the group for us: end what the engine left behind (and ourselves).
    ::kill(-::getpgrp(), SIGKILL);
  }
  exit_like(status);
}

}  // namespace strata

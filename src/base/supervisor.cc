#include "base/supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "model/error.h"

extern char** environ;

namespace strata {

namespace {

using Clock = std::chrono::steady_clock;

// One message on the socket: what it says, and up to kMaxFds descriptors beside it.
enum : uint32_t { kWatch = 1, kStarted = 2, kForget = 3 };
struct Message {
  uint32_t kind = 0;
  int32_t pid = 0;
  uint64_t ticket = 0;
};
constexpr int kMaxFds = 3;

// A received message and its descriptors; false when strata is gone (end of file, or the
// socket failed).
bool receive(int socket, Message* m, int* fds, int* nfds) {
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
  for (;;) {
    iovec iov{m, sizeof *m};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(socket, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    *nfds = 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      int count = static_cast<int>((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      const unsigned char* data = CMSG_DATA(c);
      for (int i = 0; i < count; ++i) {
        int fd;
        std::memcpy(&fd, data + i * sizeof(int), sizeof fd);
        if (*nfds < kMaxFds) {
          fds[(*nfds)++] = fd;
        } else {
          ::close(fd);
        }
      }
    }
    if (static_cast<size_t>(n) == sizeof *m) return true;
    for (int i = 0; i < *nfds; ++i) ::close(fds[i]);  // not one of ours: ignore it
  }
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// What the supervisor holds for one engine.
struct Watched {
  int out = -1, err = -1, keep = -1, pidfd = -1;
  pid_t pid = 0;
  bool exited = false;
  Clock::time_point drain_until{};

  void close_all() {
    close_fd(out);
    close_fd(err);
    close_fd(keep);
    close_fd(pidfd);
  }
};

// After strata is gone: sees every engine to its end, then returns.
void see_engines_through(std::map<uint64_t, Watched>& watched) {
  // Graceful stop: Terraform finishes the operation in flight, writes its state and releases
  // its state lock. Sent to the group, so plugins and provisioners hear it too.
  for (auto& [ticket, w] : watched)
    if (w.pid > 0) ::kill(-w.pid, SIGINT);
  char buf[65536];
  while (!watched.empty()) {
    std::vector<pollfd> fds;
    std::vector<std::pair<uint64_t, int*>> which;  // the entry and its descriptor
    int timeout_ms = -1;
    const auto now = Clock::now();
    for (auto& [ticket, w] : watched) {
      for (int* fd : {&w.out, &w.err, &w.pidfd}) {
        if (*fd < 0 || (fd == &w.pidfd && w.exited)) continue;
        fds.push_back({*fd, POLLIN, 0});
        which.emplace_back(ticket, fd);
      }
      if (w.exited) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(w.drain_until - now).count();
        int ms = static_cast<int>(std::clamp<long long>(left, 0, 1 << 30));
        timeout_ms = timeout_ms < 0 ? ms : std::min(timeout_ms, ms);
      }
    }
    int ready = fds.empty() ? 0 : ::poll(fds.data(), fds.size(), timeout_ms);
    if (ready < 0 && errno != EINTR) ready = 0;
    for (size_t i = 0; ready > 0 && i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      auto& [ticket, fd] = which[i];
      Watched& w = watched[ticket];
      if (fd == &w.pidfd) {
        // Whatever the engine printed last is still in the pipes; a grandchild that kept them
        // open (a provisioner's background job) gets a moment, not forever.
        w.exited = true;
        w.drain_until = Clock::now() + std::chrono::seconds(2);
        continue;
      }
      // The output goes nowhere, but it is still read: an engine whose pipe fills up blocks,
      // and one whose pipe has no reader dies of SIGPIPE.
      ssize_t got = ::read(*fd, buf, sizeof buf);
      if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) close_fd(*fd);
    }
    for (auto it = watched.begin(); it != watched.end();) {
      Watched& w = it->second;
      const bool pipes_closed = w.out < 0 && w.err < 0;
      // Without a pidfd (an old kernel) the end of its output is the only sign of its end.
      const bool done = (w.exited && (pipes_closed || Clock::now() >= w.drain_until)) ||
                        (pipes_closed && (w.pid == 0 || w.pidfd < 0));
      if (!done) {
        ++it;
        continue;
      }
      // Nobody else will clean the group up: end what the engine left behind. Its zombie,
      // until its new parent reaps it, keeps the group id from being reused.
      if (w.pid > 0) ::kill(-w.pid, SIGKILL);
      w.close_all();  // the workdir lock goes with the last descriptor
      it = watched.erase(it);
    }
  }
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
  if (argc != 3) {
    std::fprintf(stderr, "strata %s: for strata's own use (SOCKET_FD)\n", kSuperviseCommand);
    return 125;
  }
  int socket = std::atoi(argv[2]);
  // Only the socket and the standard three: a descriptor strata's own parent left open (a CI
  // runner's output pipe) must not stay open for as long as the supervisor outlives strata.
  if (socket != 3) {
    if (::dup2(socket, 3) < 0) return 125;
    socket = 3;
  }
  ::syscall(SYS_close_range, 4U, ~0U, 0U);
  ::fcntl(socket, F_SETFD, FD_CLOEXEC);
  // strata signals its engines' groups itself; a Ctrl-C or a hang-up is not for the supervisor.
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGTERM, SIG_IGN);
  ::signal(SIGHUP, SIG_IGN);
  ::signal(SIGPIPE, SIG_IGN);
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;  // three or four descriptors per running engine
    ::setrlimit(RLIMIT_NOFILE, &files);
  }

  // While strata lives, the supervisor only takes and lets go of descriptors.
  std::map<uint64_t, Watched> watched;
  Message m;
  int fds[kMaxFds];
  int nfds = 0;
  while (receive(socket, &m, fds, &nfds)) {
    auto it = watched.find(m.ticket);
    if (m.kind == kWatch && nfds >= 2 && it == watched.end()) {
      Watched& w = watched[m.ticket];
      w.out = fds[0];
      w.err = fds[1];
      w.keep = nfds > 2 ? fds[2] : -1;
      continue;
    }
    if (m.kind == kStarted && it != watched.end() && it->second.pid == 0 && m.pid > 0) {
      it->second.pid = m.pid;
      it->second.pidfd = nfds > 0 ? fds[0] : -1;
      for (int i = 1; i < nfds; ++i) ::close(fds[i]);
      continue;
    }
    for (int i = 0; i < nfds; ++i) ::close(fds[i]);
    if (m.kind == kForget && it != watched.end()) {
      it->second.close_all();
      watched.erase(it);
    }
  }
  ::close(socket);
  see_engines_through(watched);
  return 0;
}

SupervisorLink& SupervisorLink::get(const std::string& program) {
  static std::mutex mu;
  // Never destroyed: a thread may still be running an engine while the process exits.
  static auto* links = new std::map<std::string, SupervisorLink*>;
  std::lock_guard<std::mutex> lock(mu);
  auto [it, added] = links->emplace(program, nullptr);
  if (added) {
    it->second = new SupervisorLink(program);
    // At a normal exit every engine has been reaped: close the socket, and let the supervisor
    // end before strata does, so nothing of strata's outlives it.
    if (links->size() == 1) {
      std::atexit([] {
        for (auto& [path, link] : *links) {
          std::lock_guard<std::mutex> l(link->mu_);
          if (link->socket_ < 0) continue;
          ::close(link->socket_);
          link->socket_ = -1;
          for (int i = 0; i < 200 && ::waitpid(link->pid_, nullptr, WNOHANG) == 0; ++i) ::usleep(5000);
        }
      });
    }
  }
  return *it->second;
}

pid_t SupervisorLink::pid() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pid_;
}

void SupervisorLink::start_locked() {
  if (socket_ >= 0) ::close(socket_);
  socket_ = -1;
  if (pid_ > 0) ::waitpid(pid_, nullptr, WNOHANG);  // one that died: reap it
  pid_ = 0;
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    throw Error(ErrorKind::kEnvironment, std::string("cannot start the engine supervisor: socketpair: ") +
                                             std::strerror(errno), {}, "the process may be out of file descriptors (ulimit -n)");
  }
  // Above 3, so the dup2 below is a real one (it clears close-on-exec).
  int child_end = ::fcntl(sv[1], F_DUPFD_CLOEXEC, 10);
  ::close(sv[1]);
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  if (child_end >= 0) posix_spawn_file_actions_adddup2(&actions, child_end, 3);
  // A group of its own: a signal to strata's group (a terminal's Ctrl-C, a job control kill)
  // must not take the supervisor along with strata.
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP) sigaddset(&defaults, sig);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  std::string fd_arg = "3";
  char* args[] = {const_cast<char*>(program_.c_str()), const_cast<char*>(kSuperviseCommand), fd_arg.data(), nullptr};
  pid_t pid = 0;
  int rc = child_end < 0 ? errno : ::posix_spawn(&pid, program_.c_str(), &actions, &attr, args, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (child_end >= 0) ::close(child_end);
  if (rc != 0) {
    ::close(sv[0]);
    throw Error(ErrorKind::kEnvironment,
                "cannot start the engine supervisor '" + program_ + "': " + std::strerror(rc), {},
                "it is installed beside strata (strata-supervise); reinstall strata");
  }
  socket_ = sv[0];
  pid_ = pid;
}

bool SupervisorLink::send_locked(uint32_t kind, uint64_t ticket, int32_t pid, const int* fds, int nfds) {
  if (socket_ < 0) return false;
  Message m;
  m.kind = kind;
  m.pid = pid;
  m.ticket = ticket;
  iovec iov{&m, sizeof m};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
  if (nfds > 0) {
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
    std::memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
  }
  for (;;) {
    ssize_t n = ::sendmsg(socket_, &msg, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    return n == static_cast<ssize_t>(sizeof m);
  }
}

uint64_t SupervisorLink::watch(int stdout_read, int stderr_read, int keep) {
  std::lock_guard<std::mutex> lock(mu_);
  const int fds[] = {stdout_read, stderr_read, keep};
  const int nfds = keep >= 0 ? 3 : 2;
  const uint64_t ticket = next_ticket_++;
  if (socket_ < 0) start_locked();
  if (send_locked(kWatch, ticket, 0, fds, nfds)) return ticket;
  // The supervisor is gone (killed by hand?): the engines it watched are strata's alone now;
  // a new one watches the next.
  start_locked();
  if (send_locked(kWatch, ticket, 0, fds, nfds)) return ticket;
  throw Error(ErrorKind::kEnvironment,
              std::string("cannot reach the engine supervisor '") + program_ + "': " + std::strerror(errno), {},
              "the process may be out of file descriptors (ulimit -n)");
}

void SupervisorLink::started(uint64_t ticket, pid_t pid, int pidfd) {
  std::lock_guard<std::mutex> lock(mu_);
  send_locked(kStarted, ticket, pid, &pidfd, pidfd >= 0 ? 1 : 0);
}

void SupervisorLink::forget(uint64_t ticket) {
  std::lock_guard<std::mutex> lock(mu_);
  send_locked(kForget, ticket, 0, nullptr, 0);
}
}  // namespace strata

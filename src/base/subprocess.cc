#include "base/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "base/atomic_file.h"
#include "base/executable_search.h"
#include "base/file_lock.h"
#include "base/supervisor.h"
#include "model/error.h"

extern char** environ;

namespace strata {

namespace {

using Clock = std::chrono::steady_clock;

// Once the child has exited, grandchildren in other process groups (daemonized with setsid)
// may still hold our pipes open; stop waiting for their end-of-file after this long.
constexpr auto kDrainLimit = std::chrono::seconds(2);
// Without pidfd (old kernels, some sandboxes) exit is noticed by polling this often.
constexpr int kExitPollMs = 20;

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// One output stream of the child: its pipe, the partial line not yet delivered, the capture.
struct OutputStream {
  UniqueFd fd;
  const LineCallback* on_line;
  std::string* capture;  // null when not captured
  std::string partial;

  void feed(std::string_view data) {
    if (capture) capture->append(data);
    if (!*on_line) return;
    size_t nl;
    while ((nl = data.find('\n')) != std::string_view::npos) {
      if (partial.empty()) {
        (*on_line)(data.substr(0, nl));
      } else {
        partial.append(data.substr(0, nl));
        std::string line = std::move(partial);
        partial.clear();
        (*on_line)(line);
      }
      data.remove_prefix(nl + 1);
    }
    partial.append(data);
  }

  // Reads what is available; closes the pipe at end-of-file and flushes the partial line.
  void read_some() {
    char buf[64 * 1024];
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (n <= 0) {
      fd.reset();
      finish();
      return;
    }
    feed(std::string_view(buf, static_cast<size_t>(n)));
  }

  void finish() {
    if (!partial.empty() && *on_line) {
      std::string line = std::move(partial);
      partial.clear();
      (*on_line)(line);
    }
    partial.clear();
  }
};

std::vector<std::string> build_environment(const SubprocessOptions& options) {
  std::map<std::string, std::string> merged;
  if (options.inherit_env) {
    for (char** e = environ; e && *e; ++e) {
      std::string_view entry(*e);
      size_t eq = entry.find('=');
      if (eq == std::string_view::npos || eq == 0) continue;
      merged.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
    }
  }
  for (const auto& [key, value] : options.env) merged[key] = value;
  std::vector<std::string> out;
  out.reserve(merged.size());
  for (const auto& [key, value] : merged) out.push_back(key + "=" + value);
  return out;
}

std::string lookup_env(const std::vector<std::string>& env, std::string_view key) {
  for (const auto& entry : env) {
    if (entry.size() > key.size() && entry.compare(0, key.size(), key) == 0 &&
        entry[key.size()] == '=') {
      return entry.substr(key.size() + 1);
    }
  }
  return {};
}

void check_working_directory(const std::string& cwd, const std::string& program) {
  if (cwd.empty()) return;
  struct stat st;
  if (::stat(cwd.c_str(), &st) != 0) {
    int err = errno;
    throw Error(ErrorKind::kEnvironment,
                "cannot run '" + program + "': working directory '" + cwd +
                    "' is not usable: " + strerror(err),
                {}, "create the directory or run from another one");
  }
  if (!S_ISDIR(st.st_mode)) {
    throw Error("cannot run '" + program + "': working directory '" + cwd + "' is not a directory");
  }
}

// Resolves argv[0] to an absolute path the way execvp would, but with the child's PATH and
// cwd, so the error can say exactly what is wrong before anything is started.
std::string resolve_program(const std::string& name, const std::string& cwd,
                            const std::vector<std::string>& env) {
  namespace fs = std::filesystem;
  if (name.empty()) throw Error("cannot run a command with an empty program name");
  if (name.find('/') != std::string::npos) {
    fs::path p(name);
    if (p.is_relative() && !cwd.empty()) p = fs::path(cwd) / p;
    std::string path = fs::absolute(p).lexically_normal().string();
    if (std::string why = unusable_reason(path); !why.empty()) {
      throw Error(ErrorKind::kEnvironment, "cannot run '" + name + "': " + why, {},
                  "check the path; it is taken relative to the working directory");
    }
    return path;
  }
  std::string search = lookup_env(env, "PATH");
  if (search.empty()) search = "/usr/local/bin:/usr/bin:/bin";
  std::string first_problem;
  if (std::optional<std::string> found = search_path(name, search, cwd, &first_problem)) {
    fs::path candidate(*found);
    if (candidate.is_relative() && !cwd.empty()) candidate = fs::path(cwd) / candidate;
    return fs::absolute(candidate).lexically_normal().string();
  }
  if (!first_problem.empty()) {
    throw Error(ErrorKind::kEnvironment, "cannot run '" + name + "': " + first_problem, {},
                "make it executable (chmod +x) or fix PATH");
  }
  throw Error(ErrorKind::kEnvironment, "cannot run '" + name + "': not found on PATH", {},
              "install it or give its full path; PATH is " + search);
}

std::pair<UniqueFd, UniqueFd> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw Error(ErrorKind::kEnvironment, std::string("cannot create a pipe: ") + strerror(errno),
                {}, "the process may be out of file descriptors (ulimit -n)");
  }
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Writes SubprocessOptions::stdin_data to the child as fast as it reads, without blocking.
struct StdinFeeder {
  UniqueFd fd;
  std::string_view rest;

  void write_some() {
    ssize_t n = ::send(fd.get(), rest.data(), rest.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) rest.remove_prefix(static_cast<size_t>(n));
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) rest = {};  // gone
    close_if_done();
  }
  // Closing our end is what tells the child its input has ended.
  void close_if_done() {
    if (rest.empty()) fd.reset();
  }
};

// The parent's ends of the child's stdin/stdout/stderr.
struct ChildIo {
  std::array<OutputStream, 2> streams;
  StdinFeeder stdin_feeder;

  // One poll() over the open streams and `pidfd` (-1 = none): services whatever is ready.
  void pump(int pidfd, int wait_ms) {
    std::array<pollfd, 4> fds{};
    std::array<OutputStream*, 2> polled{};
    nfds_t n = 0;
    for (auto& s : streams) {
      if (!s.fd.valid()) continue;
      polled[n] = &s;
      fds[n++] = {s.fd.get(), POLLIN, 0};
    }
    const nfds_t outputs = n;
    const bool feeding = stdin_feeder.fd.valid();
    if (feeding) fds[n++] = {stdin_feeder.fd.get(), POLLOUT, 0};
    if (pidfd >= 0) fds[n++] = {pidfd, POLLIN, 0};
    if (::poll(fds.data(), n, wait_ms) <= 0) return;  // timeout, or EINTR: the caller loops
    for (nfds_t i = 0; i < outputs; ++i) {
      if (fds[i].revents != 0) polled[i]->read_some();
    }
    if (feeding && fds[outputs].revents != 0) stdin_feeder.write_some();
  }

  // After the group is dead the pipes reach end-of-file as soon as the kernel has closed the
  // last writer; only processes that left the group can hold them open longer.
  void drain() {
    const auto until = Clock::now() + kDrainLimit;
    for (auto& s : streams) {
      while (s.fd.valid()) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
        if (left <= 0) break;
        pollfd p{s.fd.get(), POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left)) > 0) s.read_some();
      }
      s.fd.reset();
      s.finish();
    }
  }
};

// True once the child has exited. WNOWAIT leaves the zombie in place: it keeps the group id
// reserved until kill_group_and_reap() has cleaned the group up. ECHILD (someone set SIGCHLD
// to SIG_IGN, so the kernel reaped it) also means it is gone.
bool has_exited(pid_t pid) {
  siginfo_t info{};
  int rc = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
  if (rc != 0) return errno == ECHILD;
  return info.si_pid == pid;
}

}  // namespace

int open_pidfd(pid_t pid) {
  // Called through syscall(): glibc 2.36's <sys/pidfd.h> lacks extern "C" for C++.
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  return -1;
#endif
}

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

bool group_catches_signal(pid_t pgid, int signal_number) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string stat;
    if (!try_read_file(entry.path().string() + "/stat", stat)) continue;
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so read after the last ')'.
    size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 1));
    std::string state;
    long ppid = 0, pgrp = 0;
    if (!(fields >> state >> ppid >> pgrp) || pgrp != pgid) continue;
    std::string status;
    if (!try_read_file(entry.path().string() + "/status", status)) continue;
    size_t at = status.find("\nSigCgt:");
    if (at == std::string::npos) continue;
    unsigned long long caught = std::strtoull(status.c_str() + at + 8, nullptr, 16);
    if ((caught >> (signal_number - 1)) & 1ULL) return true;
  }
  return false;
}

std::string SubprocessResult::describe() const {
  std::string how = signal != 0 ? "killed by " + signal_name(signal)
                                : "exited with code " + std::to_string(exit_code);
  if (timed_out) return "timed out after " + std::to_string(duration.count()) + " ms (" + how + ")";
  return how;
}

Subprocess::Subprocess(SubprocessOptions options) : options_(std::move(options)) {}

void Subprocess::interrupt() { send_signal(SIGINT); }
void Subprocess::terminate() { send_signal(SIGTERM); }
void Subprocess::kill() { send_signal(SIGKILL); }

void Subprocess::send_signal(int signal_number) {
  std::lock_guard<std::mutex> lock(mu_);
  if (reaped_) return;
  if (signal_number == SIGINT && !interrupted_at_) interrupted_at_ = Clock::now();
  if (pid_ > 0) {
    // Negative pid: the whole group, so engine plugins and provisioners get it too.
    ::kill(-pid_, signal_number);
  } else if (pending_signal_ != SIGKILL) {
    pending_signal_ = signal_number;
  }
}

pid_t Subprocess::pid() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pid_;
}

pid_t Subprocess::spawn(const std::string& program, const std::vector<std::string>& args,
                        const std::vector<std::string>& env, int stdin_fd, int stdout_fd, int stderr_fd,
                        const std::vector<std::pair<int, int>>& extra_fds) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  if (stdin_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
  } else {
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  }
  posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2);
  // The sources are numbered above every target (see run()), so no dup2 overwrites a later one's.
  for (const auto& [source, target] : extra_fds) posix_spawn_file_actions_adddup2(&actions, source, target);
  if (!options_.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, options_.cwd.c_str());

  // Own process group (pgid = pid): a terminal's Ctrl-C reaches only strata, which decides what
  // to forward, and the group id lets us signal every descendant at once.
  // Signal mask and dispositions are reset: the parent may block or ignore SIGINT/SIGPIPE, and
  // ignored signals would otherwise survive exec.
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) sigaddset(&defaults, sig);
  }
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);

  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  pid_t pid = 0;
  int err;
  {
    // Held across the spawn so a concurrent send_signal() either queues its signal or sees
    // the new pid; never a half-started child.
    std::lock_guard<std::mutex> lock(mu_);
    err = posix_spawn(&pid, program.c_str(), &actions, &attr, argv.data(), envp.data());
    if (err == 0) {
      pid_ = pid;
      if (pending_signal_ != 0) ::kill(-pid_, pending_signal_);
    }
  }
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err != 0) {
    std::string hint = err == ENOEXEC ? "a script needs a '#!' line naming its interpreter"
                                      : "check the program and the working directory";
    throw Error(ErrorKind::kEnvironment,
                "cannot run '" + options_.argv[0] + "' (" + program + "): " + strerror(err), {},
                hint);
  }
  return pid;
}

SubprocessResult Subprocess::run() {
  if (options_.argv.empty()) throw Error("cannot run an empty command");
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (pid_ != 0) throw std::logic_error("Subprocess::run() called twice");
  }
  const std::vector<std::string> env = build_environment(options_);
  check_working_directory(options_.cwd, options_.argv[0]);
  const std::string program = resolve_program(options_.argv[0], options_.cwd, env);

  SubprocessResult result;
  // O_CLOEXEC everywhere: children started concurrently by other threads must not inherit
  // these fds, or our reads would wait for their exit too.
  auto [out_r, out_w] = make_pipe();
  auto [err_r, err_w] = make_pipe();
  ChildIo io{{OutputStream{std::move(out_r),
                           &options_.on_stdout_line,
                           options_.capture_stdout ? &result.stdout_text : nullptr,
                           {}},
              OutputStream{std::move(err_r),
                           &options_.on_stderr_line,
                           options_.capture_stderr ? &result.stderr_text : nullptr,
                           {}}},
             {}};
  UniqueFd stdin_child;
  if (options_.stdin_data) {
    // A socket rather than a pipe: send(MSG_NOSIGNAL) cannot raise SIGPIPE in strata when
    // the child exits without reading everything.
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
      throw Error(ErrorKind::kEnvironment,
                  std::string("cannot create a socket pair: ") + strerror(errno));
    }
    io.stdin_feeder = StdinFeeder{UniqueFd(sv[0]), *options_.stdin_data};
    stdin_child = UniqueFd(sv[1]);
  }

  // Supervised (base/supervisor.h): the supervisor holds copies of the output pipes' read ends
  // and of the lock descriptor before the child exists, so that no moment of the child's life is
  // left without a reader should strata die; it lets go once the child is reaped.
  SupervisorLink* link = options_.supervisor.empty() ? nullptr : &SupervisorLink::get(options_.supervisor);
  const uint64_t ticket =
      link ? link->watch(io.streams[0].fd.get(), io.streams[1].fd.get(), options_.keep_fd) : 0;
  struct Release {
    SupervisorLink* link;
    uint64_t ticket;
    ~Release() {
      if (link) link->forget(ticket);
    }
  } release{link, ticket};
  std::vector<std::pair<int, int>> extra_fds;

  std::vector<UniqueFd> memory_files;
  for (size_t i = 0; i < options_.memory_files.size(); ++i) {
    UniqueFd created(static_cast<int>(::syscall(SYS_memfd_create, "strata-memory-file", MFD_CLOEXEC)));
    const std::string& content = options_.memory_files[i];
    bool ok = created.valid();
    for (size_t done = 0; ok && done < content.size();) {
      ssize_t n = ::write(created.get(), content.data() + done, content.size() - done);
      if (n < 0 && errno == EINTR) continue;
      ok = n > 0;
      if (ok) done += static_cast<size_t>(n);
    }
    // Above every target, so no dup2 in the child overwrites another source.
    UniqueFd high(ok ? ::fcntl(created.get(), F_DUPFD_CLOEXEC, 20) : -1);
    if (!high.valid()) {
      throw Error(ErrorKind::kEnvironment, std::string("cannot create an in-memory file for ") + options_.argv[0] +
                                               ": " + strerror(errno));
    }
    extra_fds.emplace_back(high.get(), memory_file_fd(i));
    memory_files.push_back(std::move(high));
  }

  const auto start = Clock::now();
  const pid_t pid = spawn(program, options_.argv, env, stdin_child.get(), out_w.get(), err_w.get(), extra_fds);
  memory_files.clear();
  out_w.reset();
  err_w.reset();
  stdin_child.reset();
  io.stdin_feeder.close_if_done();

  // From here on the child exists: however we leave (a callback may throw), its group is
  // killed and it is reaped.
  struct Reaper {
    Subprocess* self;
    int status = 0;
    bool valid = false;
    bool done = false;
    void reap() {
      if (!done) valid = self->kill_group_and_reap(&status);
      done = true;
    }
    ~Reaper() { reap(); }
  } reaper{this};

  UniqueFd pidfd(open_pidfd(pid));
  if (link) {
    link->started(ticket, pid, pidfd.get());
    if (options_.keep_fd >= 0) {
      std::string command;
      for (const auto& a : options_.argv) command += (command.empty() ? "" : " ") + a;
      record_lock_engine(options_.keep_fd, pid, command);
    }
  }
  const bool has_deadline = options_.timeout.count() > 0;
  Clock::time_point next_escalation = start + options_.timeout;  // SIGTERM, then SIGKILL
  bool term_sent = false, kill_sent = false;
  // An interrupt() from another thread does not wake the pump: look at the clock now and then.
  const bool watch_interrupts = options_.ignored_interrupt_timeout.count() > 0;
  bool ignored_checked = false;
  bool ignored_kill_pending = false;
  Clock::time_point ignored_kill_at{};
  while (!has_exited(pid)) {
    int wait_ms = pidfd.valid() ? -1 : kExitPollMs;
    if (has_deadline && !kill_sent) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(next_escalation - Clock::now());
      int ms = static_cast<int>(std::clamp<long long>(left.count(), 0, 1 << 30));
      wait_ms = wait_ms < 0 ? ms : std::min(wait_ms, ms);
    }
    if (watch_interrupts && !ignored_checked) wait_ms = wait_ms < 0 ? 250 : std::min(wait_ms, 250);
    if (ignored_kill_pending) wait_ms = wait_ms < 0 ? 250 : std::min(wait_ms, 250);
    io.pump(pidfd.get(), wait_ms);
    if (has_deadline && !kill_sent && Clock::now() >= next_escalation) {
      result.timed_out = true;
      send_signal(term_sent ? SIGKILL : SIGTERM);
      kill_sent = term_sent;
      term_sent = true;
      next_escalation = Clock::now() + options_.kill_grace;
    }
    if (watch_interrupts && !ignored_checked) {
      std::optional<Clock::time_point> since;
      {
        std::lock_guard<std::mutex> lock(mu_);
        since = interrupted_at_;
      }
      if (since && Clock::now() - *since >= options_.ignored_interrupt_timeout && !has_exited(pid)) {
        ignored_checked = true;
        if (!group_catches_signal(pid, SIGINT)) {
          if (options_.on_notice) {
            options_.on_notice(
                std::filesystem::path(program).filename().string() + " ignores SIGINT and was still running " +
                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(options_.ignored_interrupt_timeout).count()) +
                " s after it; sending SIGTERM (SIGKILL " +
                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(options_.kill_grace).count()) +
                " s later)");
          }
          send_signal(SIGTERM);
          ignored_kill_pending = true;
          ignored_kill_at = Clock::now() + options_.kill_grace;
        }
      }
    }
    if (ignored_kill_pending && Clock::now() >= ignored_kill_at) {
      send_signal(SIGKILL);
      ignored_kill_pending = false;
    }
  }

  reaper.reap();
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  if (reaper.valid && WIFEXITED(reaper.status)) result.exit_code = WEXITSTATUS(reaper.status);
  if (reaper.valid && WIFSIGNALED(reaper.status)) result.signal = WTERMSIG(reaper.status);
  io.stdin_feeder.fd.reset();
  io.drain();
  return result;
}

bool Subprocess::kill_group_and_reap(int* status) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ::kill(-pid_, SIGKILL);
    reaped_ = true;  // from here on send_signal() must not touch the (soon reusable) group id
  }
  int rc;
  while ((rc = ::waitpid(pid_, status, 0)) < 0 && errno == EINTR) {
  }
  return rc == pid_;
}

std::string launch_detached(const std::vector<std::string>& argv) {
  if (argv.empty()) return "nothing to run";
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // The grandchild reports a failed exec through the pipe; a successful one closes it (CLOEXEC).
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) return std::string("pipe: ") + strerror(errno);
  pid_t child = ::fork();
  if (child < 0) {
    ::close(report[0]);
    ::close(report[1]);
    return std::string("fork: ") + strerror(errno);
  }
  if (child == 0) {
    ::close(report[0]);
    ::setsid();
    if (::fork() != 0) ::_exit(0);  // the grandchild is adopted by init
    int devnull = ::open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      ::dup2(devnull, STDIN_FILENO);
      ::dup2(devnull, STDOUT_FILENO);
    }
    ::execvp(args[0], args.data());
    int err = errno;
    ssize_t ignored = ::write(report[1], &err, sizeof err);
    (void)ignored;
    ::_exit(127);
  }
  ::close(report[1]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  int err = 0;
  ssize_t n;
  while ((n = ::read(report[0], &err, sizeof err)) < 0 && errno == EINTR) {
  }
  ::close(report[0]);
  if (n == static_cast<ssize_t>(sizeof err)) return argv[0] + ": " + strerror(err);
  return "";
}

}  // namespace strata

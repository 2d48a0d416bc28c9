// local: runs the app as a local process, for a laptop without any container runtime. The
// command is the image config's entrypoint + cmd (or the `command` option), started in the app's
// folder with the image's env, config.env and PORT=internal_port, in a session and process group
// of its own so it outlives strata; its output goes to .strata/apps/<app>/local.log. The pid and
// the process's start time are recorded, so status and destroy never mistake a reused pid for
// it. Health is "something accepts a TCP connection on 127.0.0.1:internal_port". It is not
// restarted when it dies: status then says failed.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "app/oci_layout.h"
#include "app/plugin_options.h"
#include "app/plugin_table.h"
#include "base/atomic_file.h"

extern char** environ;

namespace strata::app {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Field 22 of /proc/PID/stat (start time in clock ticks since boot) and field 3 (state).
bool proc_stat(pid_t pid, std::string* start_time, char* state, pid_t* pgrp = nullptr) {
  std::string text;
  if (!try_read_file("/proc/" + std::to_string(pid) + "/stat", text)) return false;
  size_t close = text.rfind(')');
  if (close == std::string::npos) return false;
  std::vector<std::string> fields;  // fields[0] is field 3
  size_t i = close + 2;
  while (i < text.size()) {
    size_t sp = text.find(' ', i);
    fields.push_back(text.substr(i, sp == std::string::npos ? std::string::npos : sp - i));
    if (sp == std::string::npos) break;
    i = sp + 1;
  }
  if (fields.size() < 20) return false;
  if (state) *state = fields[0].empty() ? '?' : fields[0][0];
  if (pgrp) *pgrp = static_cast<pid_t>(std::stol(fields[2]));
  if (start_time) *start_time = fields[19];
  return true;
}

// The live (not zombie) processes of process group `pgid`.
std::vector<pid_t> group_members(pid_t pgid) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = static_cast<pid_t>(std::stol(name));
    char state = '?';
    pid_t pgrp = 0;
    if (proc_stat(pid, nullptr, &state, &pgrp) && pgrp == pgid && state != 'Z') out.push_back(pid);
  }
  return out;
}

// Whether the recorded process is still the one we started, and alive.
bool same_process_alive(pid_t pid, const std::string& start_time) {
  std::string now;
  char state = '?';
  return pid > 0 && proc_stat(pid, &now, &state) && now == start_time && state != 'Z';
}

bool port_answers(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

std::string log_tail(const std::string& path) {
  std::string text;
  if (!try_read_file(path, text)) return "";
  if (text.size() > 600) text = "..." + text.substr(text.size() - 600);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

// Stops the group: SIGTERM, then SIGKILL when it has not gone after `grace`.
void stop_group(pid_t pgid, std::chrono::milliseconds grace) {
  if (group_members(pgid).empty()) return;
  ::kill(-pgid, SIGTERM);
  auto deadline = Clock::now() + grace;
  while (Clock::now() < deadline) {
    ::waitpid(-pgid, nullptr, WNOHANG);  // our own child when deploy itself gives up
    if (group_members(pgid).empty()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(-pgid, SIGKILL);
  for (int i = 0; i < 100 && !group_members(pgid).empty(); ++i) {
    ::waitpid(-pgid, nullptr, WNOHANG);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

struct LocalOptions {
  std::optional<std::vector<std::string>> command;
  long long startup_timeout_s = 30;
  long long stop_timeout_s = 10;
};

class LocalPlatform : public Platform {
 public:
  explicit LocalPlatform(LocalOptions o) : o_(std::move(o)) {}

  Deployment deploy(const PhaseContext& ctx, const DeployInput& input) override {
    if (input.previous && input.previous->plugin == "local") destroy(ctx, *input.previous);
    std::map<std::string, std::string> env;
    std::vector<std::string> argv = command_of(ctx, input.artifact, env);
    const std::string log = ctx.state_dir + "/local.log";
    pid_t pid = start(argv, env, ctx.app_dir, log);

    Deployment d;
    d.plugin = "local";
    d.artifact_id = input.artifact.id;
    d.id = "local-" + std::to_string(pid);
    d.resources["pid"] = std::to_string(pid);
    d.resources["log"] = log;
    d.resources["command"] = argv[0];
    std::string start_time;
    proc_stat(pid, &start_time, nullptr);
    d.resources["start_time"] = start_time;
    if (ctx.internal_port) d.url = "http://127.0.0.1:" + std::to_string(ctx.internal_port) + "/";
    d.state = DeploymentState::kPending;
    d.health = "starting";
    if (ctx.record_pending) ctx.record_pending(d);

    wait_until_healthy(ctx, pid, argv[0], log);
    d.state = DeploymentState::kRunning;
    d.health = ctx.internal_port ? "healthy: port " + std::to_string(ctx.internal_port) + " answers"
                                 : "unknown (no internal_port)";
    if (ctx.progress)
      ctx.progress("started " + argv[0] + " (pid " + std::to_string(pid) + "), output in " + log);
    return d;
  }

  Deployment status(const PhaseContext& ctx, const Deployment& d) override {
    Deployment out = d;
    if (d.state == DeploymentState::kStopped) return out;
    pid_t pid = pid_of(d);
    if (!same_process_alive(pid,
                            d.resources.count("start_time") ? d.resources.at("start_time") : "")) {
      out.state = DeploymentState::kFailed;
      out.health = "the process (pid " + std::to_string(pid) + ") is gone; its output is in " +
                   d.resources.at("log");
      return out;
    }
    out.state = DeploymentState::kRunning;
    if (ctx.internal_port)
      out.health = port_answers(ctx.internal_port)
                       ? "healthy: port " + std::to_string(ctx.internal_port) + " answers"
                       : "unhealthy: nothing answers on port " + std::to_string(ctx.internal_port);
    return out;
  }

  Deployment destroy(const PhaseContext&, const Deployment& d) override {
    Deployment out = d;
    pid_t pid = pid_of(d);
    // The group is the process's own (setsid) and is stopped whole, but only while its leader
    // is the process we started: once that is gone its pid (and group id) may be another's.
    if (same_process_alive(pid,
                           d.resources.count("start_time") ? d.resources.at("start_time") : ""))
      stop_group(pid, std::chrono::seconds(o_.stop_timeout_s));
    out.state = DeploymentState::kStopped;
    out.health.clear();
    return out;
  }

 private:
  // What to run and its environment: `command`, else the image's entrypoint + cmd, read from the
  // image's own config (the record's copy has sensitive values redacted); strata's environment,
  // then the image's env, config.env and PORT.
  std::vector<std::string> command_of(const PhaseContext& ctx, const Artifact& artifact,
                                      std::map<std::string, std::string>& env) const {
    Artifact image = artifact;
    if (!image.layout.empty() && !image.digest.empty()) {
      nlohmann::json proc =
          read_image_config(image.layout, image.digest).value("config", nlohmann::json::object());
      image.entrypoint = proc.value("Entrypoint", std::vector<std::string>{});
      image.cmd = proc.value("Cmd", std::vector<std::string>{});
      image.env.clear();
      for (const auto& kv : proc.value("Env", std::vector<std::string>{})) {
        auto eq = kv.find('=');
        if (eq != std::string::npos) image.env[kv.substr(0, eq)] = kv.substr(eq + 1);
      }
    }
    std::vector<std::string> argv = o_.command.value_or(image.entrypoint);
    if (!o_.command)
      for (const auto& c : image.cmd) argv.push_back(c);
    if (argv.empty())
      throw Error(
          "nothing to run: the image has no entrypoint or cmd", {},
          "set entrypoint = [...] in the oci build block, or command = [...] in the deploy block");
    for (char** e = environ; *e; ++e) {
      std::string kv = *e;
      auto eq = kv.find('=');
      if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& [k, v] : image.env) env[k] = v;
    for (const auto& [k, v] : ctx.env) env[k] = v;
    if (ctx.internal_port) env["PORT"] = std::to_string(ctx.internal_port);
    return argv;
  }

  // Returns once internal_port answers (at once without one); throws, having stopped the
  // process, when it exits first or the startup timeout passes.
  void wait_until_healthy(const PhaseContext& ctx, pid_t pid, const std::string& program,
                          const std::string& log) const {
    const std::string port = std::to_string(ctx.internal_port);
    auto deadline = Clock::now() + std::chrono::seconds(o_.startup_timeout_s);
    for (;;) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        stop_group(pid, std::chrono::seconds(1));
        std::string how = WIFEXITED(status)
                              ? "exited with code " + std::to_string(WEXITSTATUS(status))
                              : "was killed by signal " + std::to_string(WTERMSIG(status));
        std::string tail = log_tail(log);
        throw Error(program + " " + how +
                        (ctx.internal_port ? " before it listened on port " + port : "") +
                        (tail.empty() ? "" : "; its output:\n" + tail),
                    {}, "its whole output is in " + log);
      }
      if (!ctx.internal_port || port_answers(ctx.internal_port)) return;
      if (Clock::now() > deadline) {
        stop_group(pid, std::chrono::seconds(o_.stop_timeout_s));
        throw Error(
            program + " did not listen on port " + port + " within " +
                std::to_string(o_.startup_timeout_s) + " s (stopped it)",
            {},
            "check that it serves on $PORT (config { internal_port }); its output is in " + log);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  static pid_t pid_of(const Deployment& d) {
    auto it = d.resources.find("pid");
    if (it == d.resources.end()) return 0;
    try {
      return static_cast<pid_t>(std::stol(it->second));
    } catch (const std::exception&) {
      return 0;
    }
  }

  // fork + exec in a new session; an exec failure comes back through a close-on-exec pipe.
  static pid_t start(const std::vector<std::string>& argv,
                     const std::map<std::string, std::string>& env, const std::string& cwd,
                     const std::string& log) {
    int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) throw file_error("open", log, errno);
    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) != 0) {
      ::close(log_fd);
      throw Error(ErrorKind::kEnvironment, std::string("pipe: ") + std::strerror(errno));
    }
    std::vector<std::string> env_strings;
    for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
    std::vector<char*> cargv, cenv;
    for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    for (auto& e : env_strings) cenv.push_back(e.data());
    cenv.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) throw Error(ErrorKind::kEnvironment, std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
      ::setsid();
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT}) ::signal(sig, SIG_DFL);
      int null_fd = ::open("/dev/null", O_RDONLY);
      ::dup2(null_fd, 0);
      ::dup2(log_fd, 1);
      ::dup2(log_fd, 2);
      int err = 0;
      if (::chdir(cwd.c_str()) != 0) {
        err = errno;
      } else {
        ::execvpe(cargv[0], cargv.data(), cenv.data());
        err = errno;
      }
      ssize_t ignored = ::write(pipefd[1], &err, sizeof err);
      (void)ignored;
      ::_exit(127);
    }
    ::close(pipefd[1]);
    ::close(log_fd);
    int err = 0;
    ssize_t n = ::read(pipefd[0], &err, sizeof err);
    ::close(pipefd[0]);
    if (n == static_cast<ssize_t>(sizeof err)) {
      ::waitpid(pid, nullptr, 0);
      throw Error("cannot start " + argv[0] + " in " + cwd + ": " + std::strerror(err), {},
                  err == ENOENT
                      ? "is " + argv[0] + " installed and on PATH, or a file in the app's folder?"
                      : "");
    }
    return pid;
  }

  LocalOptions o_;
};

}  // namespace

std::unique_ptr<Platform> make_local_platform(const PluginConfig& c, Diagnostics& d) {
  PluginOptions opt(c, d);
  LocalOptions o;
  o.command = opt.string_list("command");
  if (o.command && o.command->empty())
    opt.error("command", "option \"command\" is empty", "write: command = [\"./server\"]");
  o.startup_timeout_s = opt.integer("startup_timeout_seconds", 1, 3600).value_or(30);
  o.stop_timeout_s = opt.integer("stop_timeout_seconds", 1, 3600).value_or(10);
  if (!opt.finish()) return nullptr;
  return std::make_unique<LocalPlatform>(std::move(o));
}

}  // namespace strata::app

// What the end-to-end suites share: reading the run record strata wrote, measuring concurrency
// from tofu-sim's invocation log or from the run record's timestamps, starting strata in the
// background to press Ctrl-C on it, and finding processes a run left behind.
#pragma once

#include <fcntl.h>

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <time.h>

#include <algorithm>
#include <cstring>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/support/cli_runner.h"

namespace strata::testing {

// Use at the top of a test that needs a real Terraform or OpenTofu: skips saying so when none
// is installed, fails under CI=true when /usr/local/bin/terraform exists but was not found.
#define STRATA_REQUIRE_REAL_ENGINE(var)                                                        \
  const std::string var = ::strata::testing::real_engine();                                    \
  if (var.empty()) {                                                                           \
    if (::strata::testing::in_ci() && std::filesystem::exists("/usr/local/bin/terraform"))     \
      FAIL() << "CI=true and /usr/local/bin/terraform exists, but no engine was found";        \
    GTEST_SKIP() << "no real tofu or terraform installed (looked in /usr/local/bin, /usr/bin); " \
                    "this end-to-end test needs one";                                          \
  }

// The environment every strata run in these suites gets: the engine, and nothing from the
// user's configuration.
inline std::map<std::string, std::string> engine_env(const std::string& engine,
                                                     std::map<std::string, std::string> extra = {}) {
  extra.emplace("STRATA_ENGINE", engine);
  extra.emplace("TF_CLI_CONFIG_FILE", "/dev/null");
  extra.emplace("CHECKPOINT_DISABLE", "1");
  return extra;
}

// The run record named on the last "Run record: PATH" line of the output, else the newest
// record under <root>/.strata/.runs.
inline nlohmann::json read_run_record(const std::string& root, const std::string& output = "") {
  std::string path;
  const std::string marker = "Run record: ";
  if (auto at = output.rfind(marker); at != std::string::npos) {
    auto end = output.find('\n', at);
    path = output.substr(at + marker.size(), end == std::string::npos ? std::string::npos
                                                                       : end - at - marker.size());
  }
  if (path.empty() || !std::filesystem::exists(path)) {
    std::filesystem::file_time_type newest{};
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(root + "/.strata/.runs", ec)) {
      if (e.path().extension() != ".json") continue;
      if (path.empty() || e.last_write_time() > newest) {
        newest = e.last_write_time();
        path = e.path().string();
      }
    }
  }
  if (path.empty()) return nlohmann::json();
  std::ifstream in(path);
  return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
}

// The node "stack/component" in a run record (null json when absent).
inline nlohmann::json record_node(const nlohmann::json& record, const std::string& stack,
                                  const std::string& component) {
  if (!record.contains("nodes")) return nlohmann::json();
  for (const auto& n : record["nodes"]) {
    if (n.value("stack", "") == stack && n.value("component", "") == component) return n;
  }
  return nlohmann::json();
}

// "stack/component" -> result, for compact assertions.
inline std::map<std::string, std::string> record_results(const nlohmann::json& record) {
  std::map<std::string, std::string> out;
  if (!record.contains("nodes")) return out;
  for (const auto& n : record["nodes"]) {
    out[n.value("stack", "") + "/" + n.value("component", "")] = n.value("result", "");
  }
  return out;
}

// "2026-11-23T08:04:09.158Z" -> milliseconds since the epoch (-1 when malformed).
inline long long iso_ms(const std::string& text) {
  std::tm tm{};
  int ms = 0;
  if (sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
             &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7) {
    return -1;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<long long>(timegm(&tm)) * 1000 + ms;
}

// The most intervals open at once ([start, end), so one ending as another starts is not overlap).
inline int max_overlap(std::vector<std::pair<long long, long long>> intervals) {
  std::vector<std::pair<long long, int>> edges;
  for (auto [s, e] : intervals) {
    edges.push_back({s, +1});
    edges.push_back({e, -1});
  }
  std::sort(edges.begin(), edges.end());  // at equal times -1 sorts before +1
  int open = 0, best = 0;
  for (auto [t, d] : edges) {
    open += d;
    best = std::max(best, open);
  }
  return best;
}

// One tofu-sim invocation from TOFU_SIM_LOG.
struct SimCall {
  long long start_ms = 0;
  long long end_ms = 0;
  std::string cwd;
  std::vector<std::string> argv;
  int exit_code = 0;
  bool has(const std::string& arg) const {
    return std::find(argv.begin(), argv.end(), arg) != argv.end();
  }
};

inline std::vector<SimCall> read_sim_log(const std::string& path) {
  std::vector<SimCall> calls;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) continue;
    SimCall c;
    c.start_ms = j.value("start_ms", 0LL);
    c.end_ms = j.value("end_ms", 0LL);
    c.cwd = j.value("cwd", "");
    c.exit_code = j.value("exit_code", 0);
    if (j.contains("argv")) c.argv = j["argv"].get<std::vector<std::string>>();
    calls.push_back(std::move(c));
  }
  return calls;
}

// Processes whose command line or working directory mention `needle` (a test's unique temp
// dir): what a run must not leave behind. The cwd catches grandchildren such as a
// provisioner's `sleep 30`, whose command line does not name the folder.
inline std::vector<std::string> processes_mentioning(const std::string& needle) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    if (std::stoi(name) == getpid()) continue;
    // A process may exit while we read it (the read then fails with ESRCH, which istream
    // iterators turn into an exception): read with read(2) and treat it as gone.
    std::string cmdline;
    int fd = ::open((e.path() / "cmdline").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    char buf[4096];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) cmdline.append(buf, static_cast<size_t>(n));
    ::close(fd);
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    std::error_code cwd_ec;
    std::string cwd = std::filesystem::read_symlink(e.path() / "cwd", cwd_ec).string();
    if (cmdline.find(needle) != std::string::npos || cwd.find(needle) != std::string::npos) {
      found.push_back(name + " (cwd " + cwd + "): " + cmdline);
    }
  }
  return found;
}

// Sends SIGKILL to every process wait_for_no_process() reported (lines start with the pid),
// so a failing test does not leave engines behind on the machine.
inline void kill_leftovers(const std::vector<std::string>& left) {
  for (const auto& proc : left) ::kill(std::stoi(proc), SIGKILL);
}

// Whether process `pid` has taken charge of SIGINT (caught, blocked or ignored). An engine
// that was just started still has the default action, and a Ctrl-C then kills it outright:
// tests wait for this before pressing Ctrl-C so they test strata, not that race.
inline bool handles_sigint(pid_t pid) {
  unsigned long long mask = 0;
  try {  // the process may exit while we read; libstdc++ then throws from the read
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
      for (const char* key : {"SigBlk:", "SigIgn:", "SigCgt:"}) {
        if (line.rfind(key, 0) == 0) mask |= std::stoull(line.substr(std::strlen(key)), nullptr, 16);
      }
    }
  } catch (const std::exception&) {
    return false;
  }
  return (mask >> (SIGINT - 1)) & 1;
}

// Waits up to `limit` for no process to mention `needle`; returns what is still there.
inline std::vector<std::string> wait_for_no_process(const std::string& needle,
                                                    std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  auto left = processes_mentioning(needle);
  while (!left.empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    left = processes_mentioning(needle);
  }
  return left;
}

// strata running in the background (in a process group of its own, as a shell would start
// it), so a test can press Ctrl-C: interrupt() sends SIGINT to strata's group. Engines run
// in groups of their own, so they only get the signal if strata forwards it.
class BackgroundStrata {
 public:
  BackgroundStrata(const TestProject& project, const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& env) {
    SubprocessOptions o;
    o.argv = {strata_binary()};
    o.argv.insert(o.argv.end(), args.begin(), args.end());
    o.cwd = project.root();
    o.env = env;
    o.env.emplace("TF_CLI_CONFIG_FILE", "/dev/null");
    o.env.emplace("NO_COLOR", "1");
    o.capture_stdout = true;
    o.capture_stderr = true;
    o.timeout = std::chrono::seconds(90);
    o.kill_grace = std::chrono::seconds(2);
    process_ = std::make_unique<Subprocess>(std::move(o));
    result_ = std::async(std::launch::async, [this] { return process_->run(); });
  }
  ~BackgroundStrata() {
    if (result_.valid()) {
      process_->kill();
      result_.wait();
    }
  }
  void interrupt() { process_->interrupt(); }
  void kill() { process_->kill(); }
  pid_t pid() const { return process_->pid(); }
  bool finished_within(std::chrono::milliseconds d) {
    return result_.wait_for(d) == std::future_status::ready;
  }
  SubprocessResult wait() { return result_.get(); }

 private:
  std::unique_ptr<Subprocess> process_;
  std::future<SubprocessResult> result_;
};

// The thread of process `pid` blocked in sigwait (0 when there is none): where a signal must
// be sent for strata's own handler to see it while other threads leave it unblocked.
inline pid_t signal_waiting_thread(pid_t pid) {
  std::error_code ec;
  const std::string task_dir = "/proc/" + std::to_string(pid) + "/task";
  for (int attempt = 0; attempt < 50; ++attempt) {
    for (const auto& e : std::filesystem::directory_iterator(task_dir, ec)) {
      std::string wchan;
      try {  // a thread may exit while we read its wchan
        std::ifstream in(e.path() / "wchan");
        std::getline(in, wchan);
      } catch (const std::exception&) {
        continue;
      }
      if (wchan.find("sigtimedwait") != std::string::npos) return std::stoi(e.path().filename());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return 0;
}

inline int tgkill(pid_t pid, pid_t tid, int sig) {
  return static_cast<int>(syscall(SYS_tgkill, pid, tid, sig));
}

// Waits until `predicate` holds (polling), up to `limit`.
template <typename Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return predicate();
}

// Every regular file under `dir` whose content contains `needle`, relative to dir, skipping
// the paths `skip` says are not strata's own writing (the engine's state and plan files).
template <typename Skip>
std::vector<std::string> files_containing(const std::string& dir, const std::string& needle,
                                          Skip skip) {
  std::vector<std::string> found;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::string rel = std::filesystem::relative(e.path(), dir).string();
    if (skip(rel)) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (content.find(needle) != std::string::npos) found.push_back(rel);
  }
  return found;
}

inline std::string join(const std::vector<std::string>& v, const std::string& sep = "\n") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// Runs a program (git, a shell) in `cwd` and returns its exit code; output goes to `out`.
inline int run_tool(const std::vector<std::string>& argv, const std::string& cwd,
                    std::string* out = nullptr) {
  SubprocessOptions o;
  o.argv = argv;
  o.cwd = cwd;
  o.capture_stdout = true;
  o.capture_stderr = true;
  o.env = {{"GIT_AUTHOR_NAME", "test"}, {"GIT_AUTHOR_EMAIL", "test@example.com"},
           {"GIT_COMMITTER_NAME", "test"}, {"GIT_COMMITTER_EMAIL", "test@example.com"}};
  Subprocess p(std::move(o));
  SubprocessResult r = p.run();
  if (out) *out = r.stdout_text + r.stderr_text;
  return r.exit_code;
}

}  // namespace strata::testing

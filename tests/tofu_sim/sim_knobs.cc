#include "sim_knobs.h"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

namespace tofu_sim {

namespace {

volatile std::sig_atomic_t g_sigint = 0;
long long g_ignore_until_ms = 0;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

bool lists(const std::string& csv, const std::string& op) {
  std::stringstream ss(csv);
  for (std::string item; std::getline(ss, item, ',');) {
    if (item == op || item == "all") return true;
  }
  return false;
}

void on_signal(int) { g_sigint = 1; }

}  // namespace

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Knobs read_knobs(const std::string& operation, const std::string& cwd) {
  Knobs k;
  std::string op_upper;
  for (char c : operation) op_upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string per_op = env(("TOFU_SIM_DELAY_" + op_upper + "_MS").c_str());
  std::string any = env("TOFU_SIM_DELAY_MS");
  k.delay_ms = std::atoi(!per_op.empty() ? per_op.c_str() : any.c_str());
  std::string dir_filter = env("TOFU_SIM_FAIL_IF_DIR_CONTAINS");
  bool dir_matches = dir_filter.empty() || cwd.find(dir_filter) != std::string::npos;
  std::string fail = env("TOFU_SIM_FAIL");
  // With only a directory filter, the operations that change or preview state fail there.
  if (fail.empty() && !dir_filter.empty()) fail = "plan,apply,destroy";
  k.fail = dir_matches && lists(fail, operation);
  k.crash = dir_matches && lists(env("TOFU_SIM_CRASH"), operation);
  k.ignore_sigint_ms = std::atoi(env("TOFU_SIM_IGNORE_SIGINT_MS").c_str());
  k.log_file = env("TOFU_SIM_LOG");
  if (env("TOFU_SIM_FLAVOR") == "tofu") k.flavor = "tofu";
  std::string rv_op = env("TOFU_SIM_RENDEZVOUS_OP");
  if (rv_op.empty()) rv_op = "apply";
  bool rv_dir = false;
  std::string only = env("TOFU_SIM_RENDEZVOUS_ONLY");
  if (only.empty()) {
    rv_dir = true;
  } else {
    std::stringstream ss(only);
    for (std::string suffix; std::getline(ss, suffix, ',');)
      if (!suffix.empty() && cwd.ends_with(suffix)) rv_dir = true;
  }
  if (lists(rv_op, operation) && rv_dir) {
    k.rendezvous_dir = env("TOFU_SIM_RENDEZVOUS_DIR");
    k.rendezvous_n = std::atoi(env("TOFU_SIM_RENDEZVOUS_N").c_str());
  }
  if (int t = std::atoi(env("TOFU_SIM_RENDEZVOUS_TIMEOUT_MS").c_str()); t > 0)
    k.rendezvous_timeout_ms = t;
  return k;
}

void install_signal_handlers(int ignore_sigint_ms) {
  g_ignore_until_ms = ignore_sigint_ms > 0 ? now_ms() + ignore_sigint_ms : 0;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool interrupted() { return g_sigint != 0 && now_ms() >= g_ignore_until_ms; }

bool interruptible_sleep(int ms) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < end) {
    if (interrupted()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return !interrupted();
}

bool rendezvous(const Knobs& k) {
  if (k.rendezvous_dir.empty() || k.rendezvous_n <= 1) return true;
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(k.rendezvous_dir, ec);
  auto arrival = [&](int i) { return k.rendezvous_dir + "/arrived." + std::to_string(i); };
  int me = 0;
  for (;; ++me) {
    int fd = ::open(arrival(me).c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
    if (fd >= 0) {
      ::close(fd);
      break;
    }
    if (errno != EEXIST) return false;
  }
  int first = me / k.rendezvous_n * k.rendezvous_n;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(k.rendezvous_timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    bool all = true;
    for (int i = first; i < first + k.rendezvous_n && all; ++i) all = fs::exists(arrival(i), ec);
    if (all) return true;
    if (interrupted()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

}  // namespace tofu_sim

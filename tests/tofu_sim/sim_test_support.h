// Helpers for tests that run tofu-sim and real Terraform as child processes in temporary
// folders: a small fork/exec runner that captures stdout and stderr, and file helpers.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/conformance.h"

namespace tofu_sim::testing {

namespace fs = std::filesystem;

struct RunResult {
  int exit_code = -1;  // 128+signal when killed by a signal
  std::string out, err;
  std::vector<std::string> lines() const {
    std::vector<std::string> v;
    std::istringstream in(out);
    for (std::string l; std::getline(in, l);) {
      if (!l.empty()) v.push_back(l);
    }
    return v;
  }
};

inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_file(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

inline std::string sim_path() {
#ifdef TOFU_SIM_PATH
  return TOFU_SIM_PATH;
#else
  return ::strata::testing::binary_dir() + "/bin/tofu-sim";
#endif
}

// A fresh folder under the system temp dir, removed by the destructor.
class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    std::string tmpl = (fs::temp_directory_path() / ("tofu-sim-" + tag + "-XXXXXX")).string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    path_ = ::mkdtemp(buf.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// A started child; wait() collects its exit code and output files.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const fs::path& cwd,
        const std::map<std::string, std::string>& env) {
    static int counter = 0;
    std::string stem = cwd.filename().string() + "." + std::to_string(::getpid()) + "." +
                       std::to_string(++counter);
    out_ = cwd.parent_path() / (stem + ".out");
    err_ = cwd.parent_path() / (stem + ".err");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);
      if (::chdir(cwd.c_str()) != 0) ::_exit(127);
      int o = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int e = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(o, 1);
      ::dup2(e, 2);
      ::setenv("TF_CLI_CONFIG_FILE", "/dev/null", 1);
      ::setenv("CHECKPOINT_DISABLE", "1", 1);
      ::setenv("TF_IN_AUTOMATION", "1", 1);
      for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
  }
  pid_t pid() const { return pid_; }
  RunResult wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    RunResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = read_file(out_);
    r.err = read_file(err_);
    std::error_code ec;
    fs::remove(out_, ec);
    fs::remove(err_, ec);
    return r;
  }

 private:
  pid_t pid_ = -1;
  fs::path out_, err_;
};

inline RunResult run(const std::vector<std::string>& argv, const fs::path& cwd,
                     const std::map<std::string, std::string>& env = {}) {
  return Child(argv, cwd, env).wait();
}

}  // namespace tofu_sim::testing

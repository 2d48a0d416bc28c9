// Runs the real `strata` binary (or another program) in a test: a temporary project folder
// built from short literals, and the result (exit code, stdout, stderr) to assert on.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "base/atomic_file.h"
#include "base/subprocess.h"
#include "base/temp_dir.h"
#include "tests/support/conformance.h"

namespace strata::testing {

inline std::string strata_binary() { return binary_dir() + "/bin/strata"; }
inline std::string tofu_sim_binary() { return binary_dir() + "/bin/tofu-sim"; }

// The real engine the end-to-end suite runs, or "" (the suite then skips, saying so; under
// CI=true with /usr/local/bin/terraform present it must not skip).
inline std::string real_engine() {
  for (const char* p : {"/usr/local/bin/tofu", "/usr/bin/tofu", "/usr/local/bin/terraform", "/usr/bin/terraform"}) {
    if (std::filesystem::exists(p)) return p;
  }
  return "";
}

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// A temporary project: write files, run strata in it.
class TestProject {
 public:
  TestProject() : dir_("strata-test") {}
  const std::string& root() const { return dir_.path(); }
  std::string path(const std::string& rel) const { return dir_.path() + "/" + rel; }

  void write(const std::string& rel, const std::string& content) {
    std::filesystem::create_directories(std::filesystem::path(path(rel)).parent_path());
    write_file_atomic(path(rel), content, 0644, Durability::kRenameOnly);
  }
  std::string read(const std::string& rel) const { return read_file(path(rel)); }
  bool exists(const std::string& rel) const { return std::filesystem::exists(path(rel)); }

  CliResult run(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {}) const {
    SubprocessOptions o;
    o.argv = {strata_binary()};
    o.argv.insert(o.argv.end(), args.begin(), args.end());
    o.cwd = root();
    o.env = env;
    o.env.emplace("TF_CLI_CONFIG_FILE", "/dev/null");
    o.env.emplace("CHECKPOINT_DISABLE", "1");
    o.env.emplace("NO_COLOR", "1");
    o.capture_stdout = true;
    o.capture_stderr = true;
    o.timeout = std::chrono::minutes(5);
    Subprocess p(std::move(o));
    SubprocessResult r = p.run();
    return {r.exit_code, r.stdout_text, r.stderr_text};
  }

 private:
  TempDir dir_;
};

}  // namespace strata::testing

// tofu-sim: a test double for OpenTofu/Terraform. It speaks the CLI contract strata uses
// (version, init, plan, apply, destroy, output, show; -json lines; local v4 state; exit codes)
// for small modules of terraform_data resources, and has knobs for delays, failures, crashes and
// ignored signals (README.md). It says on stderr that it is a simulator, every time.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "sim_commands.h"
#include "sim_knobs.h"
#include "sim_ui.h"

namespace {

// One JSON line per invocation, appended with a single write so parallel runs do not interleave.
void write_invocation_log(const tofu_sim::Knobs& knobs, long long start_ms,
                          const std::vector<std::string>& argv, const std::string& cwd,
                          int exit_code) {
  if (knobs.log_file.empty()) return;
  tofu_sim::ojson line = tofu_sim::ojson::object();
  line["pid"] = static_cast<long long>(::getpid());
  line["start_ms"] = start_ms;
  line["end_ms"] = tofu_sim::now_ms();
  line["argv"] = argv;
  line["cwd"] = cwd;
  line["exit_code"] = exit_code;
  std::string text = line.dump() + "\n";
  int fd = ::open(knobs.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  ssize_t ignored = ::write(fd, text.data(), text.size());
  (void)ignored;
  ::close(fd);
}

}  // namespace

int main(int argc, char** argv) {
  long long start_ms = tofu_sim::now_ms();
  std::cerr << "tofu-sim: simulated engine (test double), not OpenTofu or Terraform\n";
  std::vector<std::string> all(argv, argv + argc);
  std::vector<std::string> args(all.begin() + 1, all.end());
  // Global options before the command.
  while (!args.empty() && args[0].rfind("-chdir=", 0) == 0) {
    std::error_code ec;
    std::filesystem::current_path(args[0].substr(7), ec);
    if (ec) {
      std::cerr << "Error handling -chdir option: " << ec.message() << "\n";
      return 1;
    }
    args.erase(args.begin());
  }
  std::string cwd = std::filesystem::current_path().string();
  if (args.empty()) {
    std::cerr << "Usage: tofu-sim [-chdir=DIR] <command> [args]\n"
                 "Commands: version, init, validate, plan, apply, destroy, output, show\n";
    return 1;
  }
  tofu_sim::Options options;
  options.command = args[0];
  tofu_sim::Knobs knobs = tofu_sim::read_knobs(options.command, cwd);
  tofu_sim::install_signal_handlers(knobs.ignore_sigint_ms);
  std::string err;
  int code;
  if (!tofu_sim::parse_options({args.begin() + 1, args.end()}, options, &err)) {
    std::cerr << err << "\n";
    code = 1;
  } else {
    if (knobs.crash) write_invocation_log(knobs, start_ms, all, cwd, 134);
    code = tofu_sim::run_command(options, knobs, cwd);
  }
  write_invocation_log(knobs, start_ms, all, cwd, code);
  return code;
}

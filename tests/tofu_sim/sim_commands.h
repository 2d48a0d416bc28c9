// The commands tofu-sim answers (version, init, validate, plan, apply, destroy, output, show),
// each taking the parsed command line and returning the process exit code as Terraform would.
#pragma once

#include <string>
#include <vector>

#include "sim_knobs.h"
#include "sim_plan.h"

namespace tofu_sim {

extern const char* const kSimVersion;

struct Options {
  std::string command;
  bool json = false;
  bool auto_approve = false;
  bool detailed_exitcode = false;
  bool destroy = false;
  bool reconfigure = false;
  bool lock = true;
  bool raw = false;
  bool input = true;
  int lock_timeout_ms = 0;
  std::string out;
  std::vector<VarArg> vars;
  std::vector<std::string> positional;
};

// Parses flags after the command, Go flag style (-name=value, -name value, --name). Returns
// false with *err for an unknown flag.
bool parse_options(const std::vector<std::string>& args, Options& o, std::string* err);

int run_command(const Options& o, const Knobs& knobs, const std::string& cwd);

}  // namespace tofu_sim

// The environment knobs that make tofu-sim show what a real engine cannot be made to show on
// demand (documented in README.md), and its SIGINT handling.
#pragma once

#include <set>
#include <string>

namespace tofu_sim {

struct Knobs {
  int delay_ms = 0;                // TOFU_SIM_DELAY_MS or TOFU_SIM_DELAY_<OP>_MS
  bool fail = false;               // TOFU_SIM_FAIL lists this operation (and the dir matches)
  bool crash = false;              // TOFU_SIM_CRASH names this operation (and the dir matches)
  int ignore_sigint_ms = 0;        // TOFU_SIM_IGNORE_SIGINT_MS
  std::string log_file;            // TOFU_SIM_LOG
  std::string flavor = "terraform";  // TOFU_SIM_FLAVOR: terraform | tofu
};

// Reads the knobs for `operation` ("init", "plan", "apply", ...) run in `cwd`.
Knobs read_knobs(const std::string& operation, const std::string& cwd);

// Installs the SIGINT/SIGTERM handler. SIGINTs inside the ignore window are held back and
// honoured when it ends.
void install_signal_handlers(int ignore_sigint_ms);
// True once an interrupt should be honoured.
bool interrupted();
// Sleeps `ms`, waking early when interrupted. Returns false when interrupted.
bool interruptible_sleep(int ms);

// Milliseconds since the epoch.
long long now_ms();

}  // namespace tofu_sim

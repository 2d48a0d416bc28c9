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
  // TOFU_SIM_RENDEZVOUS_DIR and _N: this operation waits, before its work, until N runs of it
  // have arrived (empty when the operation or the directory does not take part).
  std::string rendezvous_dir;
  int rendezvous_n = 0;
  int rendezvous_timeout_ms = 30000;  // TOFU_SIM_RENDEZVOUS_TIMEOUT_MS
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

// Waits at the rendezvous the knobs name, if any: the k-th arrival (counted by files created in
// the directory) belongs to group k / N and waits until its whole group has arrived, so N runs
// are alive at once exactly when the caller lets N run at once. Gives up after the timeout (the
// caller then never ran N at once, which the test sees) and when interrupted. False then.
bool rendezvous(const Knobs& k);

// Milliseconds since the epoch.
long long now_ms();

}  // namespace tofu_sim

#include "cli/interrupts.h"

#include <pthread.h>
#include <signal.h>

#include <cstdlib>

namespace strata::cli {

namespace {
sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);  // used only to wake the thread at shutdown
  return set;
}
}  // namespace

InterruptHandler::InterruptHandler(std::function<void(int)> on_interrupt) : on_interrupt_(std::move(on_interrupt)) {
  sigset_t set = handled_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  thread_ = std::thread([this] { loop(); });
}

InterruptHandler::~InterruptHandler() {
  pthread_kill(thread_.native_handle(), SIGUSR1);
  thread_.join();
  sigset_t set = handled_signals();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

void InterruptHandler::set_handler(std::function<void(int)> on_interrupt) {
  std::lock_guard<std::mutex> lock(mutex_);
  on_interrupt_ = std::move(on_interrupt);
}

void InterruptHandler::loop() {
  sigset_t set = handled_signals();
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGUSR1) return;
    std::function<void(int)> handler;
    int count;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      handler = on_interrupt_;
      count = ++count_;
    }
    if (!handler) std::_Exit(kExitInterrupted);
    handler(count);
  }
}

}  // namespace strata::cli

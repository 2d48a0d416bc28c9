// Ctrl-C handling. main() creates one InterruptHandler before anything else, so SIGINT and
// SIGTERM are blocked in every thread strata (or JavaScriptCore) ever starts, and one thread
// takes them with sigwait and calls the handler outside signal context (so it may lock).
// Commands that run engines install a handler for their run (InterruptScope): the first Ctrl-C
// asks for a graceful stop, the second for a kill. With no handler installed, Ctrl-C ends strata
// at once (exit 130).
#pragma once

#include <functional>
#include <mutex>
#include <thread>

namespace strata::cli {

// The exit code of a run Ctrl-C stopped (and of Ctrl-C with no run under way): 128 + SIGINT.
inline constexpr int kExitInterrupted = 130;

class InterruptHandler {
 public:
  // Blocks the signals in the calling thread (do this before any other thread starts) and
  // starts the waiting thread. `on_interrupt(n)` is called with n = 1, 2, ... per signal.
  explicit InterruptHandler(std::function<void(int count)> on_interrupt = nullptr);
  ~InterruptHandler();
  InterruptHandler(const InterruptHandler&) = delete;
  InterruptHandler& operator=(const InterruptHandler&) = delete;

  void set_handler(std::function<void(int count)> on_interrupt);

 private:
  void loop();
  std::mutex mutex_;
  std::function<void(int)> on_interrupt_;
  int count_ = 0;
  std::thread thread_;
};

// Installs a handler for one scope and removes it at the end (before what it refers to dies).
class InterruptScope {
 public:
  InterruptScope(InterruptHandler* handler, std::function<void(int count)> on_interrupt) : handler_(handler) {
    if (handler_) handler_->set_handler(std::move(on_interrupt));
  }
  ~InterruptScope() {
    if (handler_) handler_->set_handler(nullptr);
  }
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

 private:
  InterruptHandler* handler_;
};

}  // namespace strata::cli

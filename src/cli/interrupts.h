// Ctrl-C handling for commands that run engines. SIGINT and SIGTERM are blocked in every thread
// and taken by one thread with sigwait, which calls the handler outside signal context (so it
// may lock). The first Ctrl-C asks for a graceful stop, the second for a kill; with no handler
// installed, Ctrl-C ends strata at once (exit 130).
#pragma once

#include <functional>
#include <mutex>
#include <thread>

namespace strata::cli {

class InterruptHandler {
 public:
  // Blocks the signals in the calling thread (do this before any other thread starts) and
  // starts the waiting thread. `on_interrupt(n)` is called with n = 1, 2, ... per signal.
  explicit InterruptHandler(std::function<void(int count)> on_interrupt);
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

}  // namespace strata::cli

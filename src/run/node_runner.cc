#include "run/node_runner.h"

namespace strata {

Cancellation::Level Cancellation::level() const {
  std::lock_guard lock(mutex_);
  return level_;
}

void Cancellation::raise(Level level) {
  {
    std::lock_guard lock(mutex_);
    if (level <= level_) return;
    level_ = level;
  }
  changed_.notify_all();
  std::lock_guard lock(listeners_mutex_);
  for (const auto& [_, listener] : listeners_) listener(level);
}

int Cancellation::add_listener(Listener listener) const {
  std::lock_guard lock(listeners_mutex_);
  int id = next_listener_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void Cancellation::remove_listener(int id) const {
  std::lock_guard lock(listeners_mutex_);
  listeners_.erase(id);
}

Cancellation::Level Cancellation::wait_for_change(Level seen,
                                                  std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return level_ > seen; });
  return level_;
}

void RunContext::phase(const std::string& name) {
  RunEvent e;
  e.type = RunEvent::Type::kNodePhase;
  e.text = name;
  emit(std::move(e));
}

void RunContext::log_line(const std::string& line) {
  RunEvent e;
  e.type = RunEvent::Type::kNodeLog;
  e.text = line;
  emit(std::move(e));
}

void RunContext::emit(RunEvent event) {
  event.node = node_;
  event.time = WallClock::now();
  emit_(std::move(event));
}

}  // namespace strata

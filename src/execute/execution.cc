#include "execute/execution.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <random>
#include <thread>

#include "execute/engine_args.h"

namespace strata {

int default_jobs(const Settings& settings) {
  if (settings.parallelism > 0) return settings.parallelism;
  int cores = static_cast<int>(std::thread::hardware_concurrency());
  return std::max(2, cores);
}

std::string new_run_id() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  std::random_device rd;
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "%04x", rd() & 0xffff);
  return std::string(buf) + "-" + suffix;
}

Execution::Execution(const Project& project, std::map<std::string, std::string> env, EngineRunner& engine,
                     SecretResolver* secrets, ExecuteRequest request)
    : project_(project),
      env_(std::move(env)),
      engine_(engine),
      secrets_(secrets),
      request_(std::move(request)),
      graph_(Graph::build(project)) {
  // Engine flags after --: checked before anything runs; strata's own are never given twice.
  request_.extra_args = engine_arguments(request_.operation, request_.extra_args);
  selection_ = select(graph_, request_.selection);
  jobs_ = request_.jobs > 0 ? request_.jobs : default_jobs(project.settings);
  run_id_ = new_run_id();
}

std::vector<ComponentRef> Execution::planned_order() const {
  std::vector<ComponentRef> out;
  for (NodeId id : graph_.topological_order()) {
    if (selection_.contains(id)) out.push_back(graph_.node(id));
  }
  if (request_.operation == Operation::kDestroy) std::reverse(out.begin(), out.end());
  return out;
}

std::vector<std::optional<PlanStamp>> Execution::saved_plan_stamps() {
  ComponentRunOptions options;
  options.operation = request_.operation;
  options.env = env_;
  ComponentRunner runner(project_, engine_, secrets_, options);
  std::vector<std::optional<PlanStamp>> out;
  for (const auto& ref : planned_order()) out.push_back(runner.saved_plan_stamp(ref));
  return out;
}

RunRecord Execution::run(EventSink& sink) {
  std::string work_root = project_.root + "/" + project_.settings.work_dir;
  // Workdirs, state, plans, logs and run records live here: only the owner may look inside.
  std::error_code ec;
  std::filesystem::create_directories(work_root, ec);
  ::chmod(work_root.c_str(), 0700);
  ComponentRunOptions options;
  options.operation = request_.operation;
  options.run_id = run_id_;
  options.log_dir = work_root + "/.logs/" + run_id_;
  options.env = env_;
  options.extra_args = request_.extra_args;
  options.lock_wait = request_.lock_wait;
  options.saved_plans = request_.saved_plans;
  options.given_plans = request_.given_plans;
  options.on_plan_saved = request_.on_plan_saved;
  options.replan_hint = request_.replan_hint;
  options.lock_holder = request_.lock_holder;
  options.on_output = request_.on_output;
  options.dependency_outputs = request_.dependency_outputs;
  ComponentRunner runner(project_, engine_, secrets_, options);

  Scheduler scheduler(runner, sink);
  RunOptions run_options;
  run_options.jobs = jobs_;
  run_options.reverse = request_.operation == Operation::kDestroy;
  run_options.fail_fast = request_.fail_fast;
  run_options.command = operation_name(request_.operation);
  run_options.run_id = run_id_;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    scheduler_ = &scheduler;
    apply_interrupts_locked();
  }
  changed_.notify_all();
  RunRecord record = scheduler.run(graph_, selection_, run_options);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    scheduler_ = nullptr;
    finished_ = true;
  }
  changed_.notify_all();
  rusage self{};
  if (::getrusage(RUSAGE_SELF, &self) == 0) {
    record.strata_cpu_seconds = static_cast<double>(self.ru_utime.tv_sec + self.ru_stime.tv_sec) +
                                static_cast<double>(self.ru_utime.tv_usec + self.ru_stime.tv_usec) / 1e6;
  }
  FileRunStore files(work_root + "/.runs");
  try {
    record_path_ = (request_.store ? request_.store : &files)->save(record);
  } catch (const Error& e) {
    // The run happened: its summary must still be shown (a full disk used to swallow it).
    record_error_ = e;
  }
  return record;
}

Execution::~Execution() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    finished_ = true;
  }
  changed_.notify_all();
  if (timer_.joinable()) timer_.join();
}

void Execution::interrupt() {
  std::lock_guard<std::mutex> lock(mutex_);
  interrupted_ = true;
  apply_interrupts_locked();
}

void Execution::kill_engines(std::chrono::milliseconds after) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    interrupted_ = true;
    auto at = std::chrono::steady_clock::now() + after;
    if (!kill_at_ || at < *kill_at_) kill_at_ = at;
    apply_interrupts_locked();
    if (!timer_.joinable() && sent_ < 2) timer_ = std::thread([this] { kill_timer(); });
  }
  changed_.notify_all();
}

void Execution::apply_interrupts_locked() {
  if (!scheduler_) return;
  if (interrupted_ && sent_ == 0) {
    scheduler_->interrupt();
    sent_ = 1;
  }
  if (kill_at_ && sent_ == 1 && std::chrono::steady_clock::now() >= *kill_at_) {
    scheduler_->interrupt();  // the scheduler's second interrupt kills
    sent_ = 2;
  }
}

void Execution::kill_timer() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!finished_ && sent_ < 2) {
    if (std::chrono::steady_clock::now() < *kill_at_) {
      changed_.wait_until(lock, *kill_at_);
    } else {
      changed_.wait(lock);  // run() has not started the scheduler yet; it applies the kill itself
    }
    apply_interrupts_locked();
  }
}

}  // namespace strata

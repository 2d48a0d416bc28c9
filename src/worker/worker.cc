#include "worker/worker.h"

#include <sys/stat.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include <iostream>

#include "base/temp_dir.h"
#include "model/error.h"
#include "worker/activity_runner.h"

namespace strata::worker {

namespace {

constexpr size_t kMaxChunk = 256 * 1024;

std::string version_text() {
#ifdef STRATA_VERSION
  return STRATA_VERSION;
#else
  return "0";
#endif
}

// Problems the loop rides out (the server restarting) go to stderr, one line each.
void warn(const std::string& text) { std::cerr << "strata worker: " + text + "\n" << std::flush; }

}  // namespace

Worker::Worker(WorkerConnection& connection, WorkerOptions options)
    : connection_(connection), options_(std::move(options)) {
  record_.id = store::new_uuid();
  record_.name = options_.name;
  record_.version = version_text();
  record_.capabilities = options_.capabilities;
}

void Worker::run(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    try {
      run_one(&stop);
    } catch (const Error& e) {
      // Refused (a version the server does not take, a wrong token): asking again changes
      // nothing, so the worker stops and says why.
      if (e.kind() == ErrorKind::kConflict || e.kind() == ErrorKind::kUserInput) throw;
      warn(record_.name + ": " + e.what());
      for (int i = 0; i < 10 && !stop.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    } catch (const std::exception& e) {
      // The control plane may be restarting: wait a little and ask again.
      warn(record_.name + ": " + e.what());
      for (int i = 0; i < 10 && !stop.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

void Worker::while_server_restarts(const std::function<void()>& call, const std::function<void()>& before_retry) {
  for (auto until = std::chrono::steady_clock::now() + connection_.lease_duration() / 3;;) {
    try {
      call();
      return;
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::kEnvironment || std::chrono::steady_clock::now() >= until) throw;
      if (before_retry) before_retry();
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
}

bool Worker::run_one(const std::atomic<bool>* stop) {
  if (!registered_) {
    connection_.register_worker(record_);
    registered_ = true;
  }
  std::optional<Lease> lease = connection_.lease(record_.id, options_.capabilities, options_.poll);
  if (!lease) return false;
  const store::Activity& activity = lease->activity;
  if (connection_.start(activity) == store::LeaseCheck::kLost) return true;

  // The checkout: fresh for this activity, removed when it ends.
  std::optional<TempDir> temporary;
  std::string code_dir;
  if (options_.scratch_dir.empty()) {
    temporary.emplace("strata-activity");
    code_dir = temporary->path();
  } else {
    code_dir = options_.scratch_dir + "/code";
    std::filesystem::remove_all(code_dir);
    std::filesystem::create_directories(code_dir);
    ::chmod(options_.scratch_dir.c_str(), 0700);
  }
  struct RemoveAfter {
    std::string dir;
    bool temporary;
    ~RemoveAfter() {
      std::error_code ec;
      if (!temporary) std::filesystem::remove_all(dir, ec);
    }
  } remove_after{code_dir, temporary.has_value()};
  ActivityRunner runner;
  // The log is collected from the runner's threads and sent in chunks, about four times a
  // second while the activity runs (so it can be followed live) and once more at the end —
  // one request per chunk, not per line.
  std::mutex log_mutex;
  std::string pending_log;
  std::mutex ship_mutex;  // one sender at a time keeps the chunks in order
  int64_t seq = 0;
  auto ship = [&] {
    std::lock_guard ship_lock(ship_mutex);
    std::string text;
    {
      std::lock_guard lock(log_mutex);
      text.swap(pending_log);
    }
    for (size_t at = 0; at < text.size(); at += kMaxChunk) {
      try {
        connection_.append_log(activity, seq, text.substr(at, kMaxChunk));
        ++seq;
      } catch (const std::exception& e) {
        // The server is unreachable for now (restarting): the text waits for the next try, in
        // front of what came since, so nothing is lost and the order holds.
        std::lock_guard lock(log_mutex);
        pending_log.insert(0, text.substr(at));
        return;
      }
    }
  };
  std::mutex mutex;
  std::condition_variable done_changed;
  bool done = false;
  bool lost = false;
  bool handed_back = false;
  // Heartbeats every third of the lease keep it, and bring a cancel back; a stop is noticed
  // within a quarter second.
  std::thread heartbeat([&] {
    std::unique_lock lock(mutex);
    auto every = connection_.lease_duration() / 3;
    auto next_beat = std::chrono::steady_clock::now() + every;
    for (;;) {
      if (done_changed.wait_for(lock, std::chrono::milliseconds(250), [&] { return done; })) break;
      if (stop && stop->load() && !handed_back) {
        handed_back = true;
        runner.interrupt(false);
      }
      lock.unlock();
      ship();
      lock.lock();
      if (std::chrono::steady_clock::now() < next_beat) continue;
      next_beat = std::chrono::steady_clock::now() + every;
      lock.unlock();
      bool cancel = false;
      store::LeaseCheck check = store::LeaseCheck::kHeld;
      try {
        check = connection_.heartbeat(activity, &cancel);
      } catch (const std::exception&) {
        // Unreachable for now: the lease may still hold; the next beat tells.
      }
      lock.lock();
      if (check == store::LeaseCheck::kLost) {
        // Another worker may hold it now: stop the engine; nothing more of this one counts.
        lost = true;
        runner.interrupt(true);
      } else if (cancel) {
        runner.interrupt(false);
      }
    }
  });

  auto send = [&](const std::string& text) {
    std::lock_guard lock(log_mutex);
    pending_log += text;
  };
  store::Finish result;
  try {
    // The server may be restarting: fetching the code is tried again for a while (a third of
    // the lease) before the activity counts as failed.
    while_server_restarts([&] { connection_.fetch_code(*lease, code_dir); },
                          [&] {
                            std::filesystem::remove_all(code_dir);
                            std::filesystem::create_directories(code_dir);
                          });
    ActivityJob job;
    job.activity = activity;
    job.repository = lease->repository;
    job.state_credential = lease->state_credential;
    job.code_dir = code_dir;
    if (!options_.scratch_dir.empty()) job.js_cache_dir = options_.scratch_dir + "/js-cache";
    job.server_url = connection_.server_url();
    job.env = options_.env;
    // The repository's variable set wins over the worker's own environment.
    for (const store::Variable& v : lease->env) {
      job.env[v.name] = v.value;
      if (v.sensitive) job.secret_values.push_back(v.value);
    }
    job.engine = options_.engine;
    job.engine_supervisor = options_.engine_supervisor;
    job.state_outputs = [this, &activity](const std::string& stack, const std::string& component) {
      return connection_.state_outputs(activity, stack, component);
    };
    job.plan = lease->plan;
    job.lock_holder = [this, &activity](const std::string& stack, const std::string& component) {
      return connection_.lock_holder(activity, stack, component);
    };
    job.save_plan = [this, &activity](const std::string& plan_file, const std::string& stamp) {
      // A server restarting is waited for a little, as fetching the code is.
      while_server_restarts([&] {
        if (connection_.save_plan(activity, plan_file, stamp) == store::LeaseCheck::kLost)
          throw Error(ErrorKind::kConflict, "the lease of activity " + activity.id + " was lost before its plan was saved");
      });
    };
    result = runner.run(job, send);
  } catch (const Error& e) {
    result.status = "failed";
    result.error = e.render();
    send(result.error + "\n");
  }
  {
    std::lock_guard lock(mutex);
    done = true;
  }
  done_changed.notify_all();
  heartbeat.join();
  // The rest of the log, then the result. A server that is restarting gets them once it is
  // back, for as long as the lease would have lasted; after that the lease has run out and the
  // activity is another worker's.
  auto give_up = std::chrono::steady_clock::now() + connection_.lease_duration();
  auto retry = [&] {
    if (std::chrono::steady_clock::now() >= give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    return true;
  };
  for (;;) {
    ship();
    std::lock_guard lock(log_mutex);
    if (pending_log.empty()) break;
    if (!retry()) {
      warn(record_.name + ": the end of activity " + activity.id + "'s log could not be sent");
      break;
    }
  }
  if (lost) return true;
  if (handed_back && result.status != "succeeded") {
    // Stopped part-way: the engine stopped at a safe point with its state written; another
    // worker runs the activity again from there.
    try {
      connection_.release(activity);
    } catch (const std::exception& e) {
      warn(record_.name + ": could not hand activity " + activity.id + " back (its lease runs out instead): " + e.what());
    }
    return true;
  }
  for (;;) {
    try {
      connection_.finish(activity, result);
      return true;
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::kEnvironment || !retry()) throw;
    }
  }
}

}  // namespace strata::worker

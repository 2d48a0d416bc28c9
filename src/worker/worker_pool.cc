#include "worker/worker_pool.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "model/error.h"

namespace strata::worker {

namespace {

// Takes <dir>/.lock for as long as the pool runs.
int lock_folder(const std::string& dir) {
  std::filesystem::create_directories(dir);
  ::chmod(dir.c_str(), 0700);
  int fd = ::open((dir + "/.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || ::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (fd >= 0) ::close(fd);
    throw Error(ErrorKind::kConflict, "another worker is using " + dir, {},
                "give each worker on this machine its own --name (or --work-dir)");
  }
  return fd;
}

}  // namespace

std::vector<std::string> worker_capabilities(const std::vector<std::string>& features,
                                             const std::vector<std::string>& labels) {
  std::vector<std::string> capabilities;
  for (const std::string& feature : features) {
    if (feature.empty() || feature.find('=') != std::string::npos)
      throw Error("--features takes names (terraform, ansible, …), not \"" + feature + "\"", {},
                  "labels go in --label KEY=VALUE");
    capabilities.push_back(feature);
  }
  for (const std::string& label : labels) {
    size_t eq = label.find('=');
    if (eq == std::string::npos || eq == 0)
      throw Error("--label must be KEY=VALUE, not \"" + label + "\"", {}, "for example --label region=eu");
    capabilities.push_back(label);
  }
  return capabilities;
}

std::string default_worker_dir(const workspace::Environment& env) {
  auto it = env.find("XDG_CACHE_HOME");
  if (it != env.end() && !it->second.empty()) return it->second + "/strata/worker";
  it = env.find("HOME");
  return (it != env.end() && !it->second.empty() ? it->second : std::string("/tmp")) + "/.cache/strata/worker";
}

std::string default_worker_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || !*name) return "worker";
  return name;
}

WorkerCredentials take_worker_credentials(workspace::Environment& env) {
  auto take = [&env](const char* name) {
    std::string value;
    if (auto it = env.find(name); it != env.end()) {
      value = it->second;
      env.erase(it);
    }
    return value;
  };
  WorkerCredentials c;
  c.token = take("STRATA_WORKER_TOKEN");
  c.server = take("STRATA_SERVER");
  take("STRATA_TOKEN");  // a user's API token is not for engines either
  return c;
}

WorkerPool::WorkerPool(WorkerPoolOptions options, const ConnectionFactory& make_connection)
    : options_(std::move(options)) {
  if (!options_.ca_pem.empty()) options_.env["TF_HTTP_CLIENT_CA_CERTIFICATE_PEM"] = options_.ca_pem;
  try {
    for (int n = 0; n < options_.count; ++n) {
      WorkerOptions wo;
      wo.name = options_.count == 1 && !options_.number_always ? options_.name
                                                                : options_.name + "-" + std::to_string(n + 1);
      wo.capabilities = options_.capabilities;
      wo.env = options_.env;
      wo.engine = options_.engine;
      wo.engine_supervisor = options_.engine_supervisor;
      wo.poll = options_.poll;
      wo.scratch_dir = options_.work_dir + "/" + wo.name;
      if (options_.lock_folders) locks_.push_back(lock_folder(wo.scratch_dir));
      names_.push_back(wo.name);
      connections_.push_back(make_connection(n));
      workers_.push_back(std::make_unique<Worker>(*connections_.back(), wo));
    }
  } catch (...) {
    for (int fd : locks_) ::close(fd);
    throw;
  }
}

WorkerPool::~WorkerPool() {
  stop();
  join();
  for (int fd : locks_) ::close(fd);
}

void WorkerPool::start() {
  for (size_t n = 0; n < workers_.size(); ++n) {
    threads_.emplace_back([this, n] {
      std::string error;
      try {
        workers_[n]->run(stopping_);
        return;
      } catch (const Error& e) {
        error = e.render();
      } catch (const std::exception& e) {
        error = e.what();
      }
      if (options_.on_error) {
        options_.on_error(names_[n], error);
        return;
      }
      std::lock_guard lock(mutex_);
      if (error_.empty()) error_ = error;
      stopping_ = true;
    });
  }
}

std::string WorkerPool::join() {
  for (std::thread& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
  std::lock_guard lock(mutex_);
  return error_;
}

}  // namespace strata::worker

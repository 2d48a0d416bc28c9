// StackFileRunner: runs JavaScript stack files on JavaScriptCore, one fresh context per file,
// and turns what they declare (stack(), component(), backend(), ...) into the Stack model.
// Files are CommonJS modules: relative require(), module.exports, __filename, __dirname.
// A file that loops or allocates without bound is stopped by a watchdog.
#pragma once

#include <JavaScriptCore/JavaScript.h>

#include <chrono>
#include <cstdint>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/js/js_log.h"
#include "model/project.h"

namespace strata::js {

struct RunnerOptions {
  std::string root;  // project root (absolute); origins are written relative to it
  double timeout_seconds = 30;
  size_t memory_limit_bytes = size_t{2} << 30;  // process RSS above which a file is stopped
  const std::map<std::string, std::string>* environment = nullptr;  // for env / envs()
  // Where results of stack files are kept between runs (js_cache.h); empty = no cache.
  std::string cache_dir;
  LogSink log;                        // print() and console.*; dropped when empty
};

// What one run of a stack file depended on, so that its result can be reused while none of it
// changed (js_cache.h). A file whose result depends on anything else is marked uncacheable.
struct RunFacts {
  struct FileRead {
    std::string path;  // absolute
    uint64_t size = 0;
    uint64_t hash = 0;  // FNV-1a of the content as it was run
  };
  struct Resolution {  // require(spec) from dir found `resolved` ("" = no file)
    std::string spec, dir, resolved;
  };
  std::vector<FileRead> reads;  // the stack file first, then every module it required
  std::vector<Resolution> resolutions;
  std::string uncacheable;  // why the result may not be reused ("" = it may)

  void mark_uncacheable(const std::string& why) {
    if (uncacheable.empty()) uncacheable = why;
  }
};

// How many JavaScriptCore VMs the process may create (runners on distinct slots run in parallel).
constexpr int kMaxVmSlots = 8;

class StackFileRunner {
 public:
  // `vm_slot` (0 … kMaxVmSlots-1) picks the VM: at most one runner per slot may run at a time.
  explicit StackFileRunner(RunnerOptions options, int vm_slot = 0);
  ~StackFileRunner();
  StackFileRunner(const StackFileRunner&) = delete;
  StackFileRunner& operator=(const StackFileRunner&) = delete;

  // Runs the file at `path` (absolute) in a fresh context. Returns the stack it declared, or
  // nullopt when it declared none (a helper). Throws strata::Error with the file:line:col of
  // the problem, the JS message and stack.
  std::optional<Stack> run_file(const std::string& path);

  const RunnerOptions& options() const { return options_; }
  // What the last successful run_file depended on.
  const RunFacts& last_facts() const { return facts_; }
  // True when the watchdog stopped the file being run (its exceptions must not be inspected).
  bool stopped() const { return stop_ != Stop::kNone; }
  // Path as shown in origins: relative to the root when under it.
  std::string display_path(const std::string& path) const;

 private:
  enum class Stop { kNone, kTimeout, kMemory };
  static bool on_watchdog(JSContextRef ctx, void* self);
  void arm_watchdog();

  RunnerOptions options_;
  JSContextGroupRef group_ = nullptr;
  JSClassRef global_class_ = nullptr;
  std::chrono::steady_clock::time_point started_;
  Stop stop_ = Stop::kNone;
  Origin stopped_at_;  // what the file was running when the watchdog stopped it
  RunFacts facts_;
};

}  // namespace strata::js

#include "config/js/js_stack_loader.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <optional>
#include <thread>

#include "base/file_walk.h"
#include "config/js/js_cache.h"

namespace fs = std::filesystem;

namespace strata::js {

std::vector<std::string> find_stack_files(const std::string& stacks_dir,
                                          const std::vector<std::string>& skip) {
  return find_files(stacks_dir, skip, [](const fs::path& p) { return p.extension() == ".js"; });
}

namespace {

// What running one stack file produced; kept per file so results merge in file order.
struct FileResult {
  std::optional<Stack> stack;
  std::optional<Error> error;
  struct Line {
    LogLevel level;
    std::string text;
    Origin where;
  };
  std::vector<Line> log;
};

}  // namespace

void load_js_stacks(const std::vector<std::string>& files, const RunnerOptions& options,
                    std::map<std::string, Stack>& stacks, Diagnostics& diagnostics,
                    JsLoadStats* stats) {
  // Files are independent (a fresh context each), so they load in parallel, one VM per thread.
  // Results, log lines and diagnostics are then taken in file order, so the outcome is the same
  // as loading one file after the other.
  std::vector<FileResult> results(files.size());
  std::optional<ResultCache> cache;
  if (!options.cache_dir.empty()) cache.emplace(options.cache_dir, "root " + options.root);
  std::atomic<size_t> next{0}, reused{0};
  auto work = [&](int slot) {
    thread_local FileResult* current = nullptr;
    RunnerOptions mine = options;
    if (options.log) {
      mine.log = [](LogLevel level, const std::string& text, const Origin& where) {
        if (current) current->log.push_back({level, text, where});
      };
    }
    // Made at the first file that must run: with every result reused, no JavaScript VM is
    // started (about an eighth of `strata describe`'s time on a 100-stack project).
    std::optional<StackFileRunner> runner;
    for (size_t i; (i = next.fetch_add(1)) < files.size();) {
      current = &results[i];
      try {
        std::optional<std::optional<Stack>> known = cache ? cache->lookup(files[i]) : std::nullopt;
        if (known) {
          results[i].stack = std::move(*known);
          reused.fetch_add(1);
        } else {
          if (!runner) runner.emplace(mine, slot);
          results[i].stack = runner->run_file(files[i]);
          if (cache) cache->store(files[i], runner->last_facts(), results[i].stack);
        }
      } catch (const Error& e) {
        results[i].error = e;
      }
      current = nullptr;
    }
  };
  size_t hardware = std::max(1u, std::thread::hardware_concurrency());
  size_t threads = std::min({hardware, static_cast<size_t>(kMaxVmSlots), (files.size() + 15) / 16});
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work, static_cast<int>(t));
  work(0);
  for (auto& t : pool) t.join();
  if (cache) cache->keep_only(files);
  if (stats) {
    stats->reused += reused.load();
    stats->ran += files.size() - reused.load();
  }

  for (auto& result : results) {
    for (const auto& line : result.log) options.log(line.level, line.text, line.where);
    if (result.error) {
      diagnostics.error(result.error->origin(), result.error->message(), result.error->hint());
      continue;
    }
    if (!result.stack) continue;
    Stack& stack = *result.stack;
    auto [it, inserted] = stacks.try_emplace(stack.name, std::move(stack));
    if (!inserted) {
      diagnostics.error(stack.origin,
                        "stack '" + stack.name + "' is declared twice: in " +
                            it->second.source_file + " (" + it->second.origin.str() +
                            ") and in " + stack.source_file,
                        "give each stack its own name; stack names must be unique in a project");
    }
  }
}

}  // namespace strata::js

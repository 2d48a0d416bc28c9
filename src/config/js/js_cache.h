// ResultCache: keeps what each stack file declared between runs, so that a project whose stack
// files did not change loads without running JavaScript. An entry is reused only when
//  - strata itself (the running binary) and the project root are the same,
//  - the stack file and every module it required have the same content (size and FNV-1a hash),
//  - every require() still resolves to the same file;
// and a result is stored only when the file did not read the environment, print, or use the
// clock, Math.random or Intl (RunFacts::uncacheable), and holds no sensitive value. A secret is
// a reference in the result (secret_ref.h), never its plaintext, so an entry never holds a
// secret, and reusing it gives exactly what running the file would.
// Entries live in `<work_dir>/.cache/js/`, one per stack file; STRATA_JS_CACHE=0 turns it off.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/js/stack_file_runner.h"
#include "model/project.h"

namespace strata::js {

class ResultCache {
 public:
  // `dir`: where entries live (created when the first one is stored); `identity`: anything else
  // results depend on (the project root, settings), compared exactly.
  ResultCache(std::string dir, std::string identity);

  // What `file` (absolute) declared when it last ran, if that is still valid: a Stack, or
  // nullopt inside for a helper file that declares none. Outer nullopt = run the file.
  std::optional<std::optional<Stack>> lookup(const std::string& file);
  // Keeps the result of running `file` when `facts` allow it. Never throws: a cache that cannot
  // be written is only slower.
  void store(const std::string& file, const RunFacts& facts, const std::optional<Stack>& stack);

  // Removes entries of files not in `files` (stack files deleted or renamed since).
  void keep_only(const std::vector<std::string>& files);

  // The identity of the running strata binary (its size and modification time), so that a
  // rebuilt strata never reuses results an older build stored.
  static std::string binary_identity();

 private:
  std::string entry_path(const std::string& file) const;
  bool unchanged(const RunFacts::FileRead& read);

  std::string dir_;
  std::string identity_;
  std::mutex mutex_;
  // Files already hashed in this run: path -> (size, hash), or nullopt when unreadable.
  std::map<std::string, std::optional<std::pair<uint64_t, uint64_t>>> seen_;
  bool made_dir_ = false;
};

}  // namespace strata::js

// Logging with redaction. Every line a Logger emits passes through a Redactor, which replaces
// each known secret — and its JSON-escaped forms, since engine output is often JSON — with
// "(sensitive)". Secrets are added while the program runs (as the secrets code resolves them),
// so both classes are thread-safe. There is no global logger: whoever needs one is given one.
#pragma once

#include <array>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace strata {

class Redactor {
 public:
  static constexpr std::string_view kReplacement = "(sensitive)";

  // Registers a secret. Empty strings are ignored (they would match everywhere).
  void add_secret(std::string_view secret);
  // `text` with every occurrence of a secret (or its JSON-escaped form) replaced; where
  // secrets overlap, the longest match at a position wins.
  std::string redact(std::string_view text) const;
  bool empty() const;

 private:
  mutable std::shared_mutex mu_;
  // The secrets and their escaped forms, bucketed by first byte, each bucket longest first.
  std::array<std::vector<std::string>, 256> by_first_byte_;
  size_t count_ = 0;
};

// The JSON string-body escaping of `text`: as most encoders write it, or, with
// `escape_html`, also "<", ">", "&" as \u003c, \u003e, \u0026 (Go's encoding/json, which
// Terraform uses). Exposed for tests.
std::string json_escape(std::string_view text, bool escape_html = false);

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// "debug", "info", "warning", "error".
std::string_view log_level_name(LogLevel level);

// Receives one redacted line (no trailing newline).
using LogSink = std::function<void(LogLevel level, std::string_view line)>;

class Logger {
 public:
  // `redactor` is borrowed and may be null (no redaction); it must outlive the Logger.
  explicit Logger(LogSink sink, LogLevel min_level = LogLevel::kInfo,
                  const Redactor* redactor = nullptr);

  bool enabled(LogLevel level) const { return level >= min_level_; }
  // Redacts `message`, then passes each of its lines to the sink. Calls into the sink are
  // serialized, so lines from concurrent threads never interleave.
  void log(LogLevel level, std::string_view message);
  void debug(std::string_view message) { log(LogLevel::kDebug, message); }
  void info(std::string_view message) { log(LogLevel::kInfo, message); }
  void warning(std::string_view message) { log(LogLevel::kWarning, message); }
  void error(std::string_view message) { log(LogLevel::kError, message); }

 private:
  LogSink sink_;
  LogLevel min_level_;
  const Redactor* redactor_;
  std::mutex sink_mu_;
};

}  // namespace strata

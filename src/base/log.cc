#include "base/log.h"

#include <algorithm>
#include <cstdio>

namespace strata {

std::string json_escape(std::string_view text, bool escape_html) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (u < 0x20 || (escape_html && (c == '<' || c == '>' || c == '&'))) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", u);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

void Redactor::add_secret(std::string_view secret) {
  if (secret.empty()) return;
  std::string forms[] = {std::string(secret), json_escape(secret), json_escape(secret, true)};
  std::unique_lock lock(mu_);
  for (auto& form : forms) {
    auto& bucket = by_first_byte_[static_cast<unsigned char>(form[0])];
    if (std::find(bucket.begin(), bucket.end(), form) != bucket.end()) continue;
    bucket.push_back(std::move(form));
    // Longest first, so a secret that contains another is replaced whole.
    std::stable_sort(bucket.begin(), bucket.end(), [](const std::string& a, const std::string& b) {
      return a.size() > b.size();
    });
    ++count_;
  }
}

bool Redactor::empty() const {
  std::shared_lock lock(mu_);
  return count_ == 0;
}

std::string Redactor::redact(std::string_view text) const {
  std::shared_lock lock(mu_);
  if (count_ == 0) return std::string(text);
  // One left-to-right pass: replacements are never rescanned, so a secret that happens to
  // occur inside "(sensitive)" cannot mangle it. Only positions whose byte starts some needle
  // are compared, and only with the needles starting with that byte.
  std::string out;
  out.reserve(text.size());
  size_t copied = 0;  // text[copied, i) is still to be copied to out
  for (size_t i = 0; i < text.size(); ++i) {
    for (const auto& needle : by_first_byte_[static_cast<unsigned char>(text[i])]) {
      if (text.compare(i, needle.size(), needle) == 0) {
        out.append(text.substr(copied, i - copied));
        out += kReplacement;
        i += needle.size() - 1;
        copied = i + 1;
        break;
      }
    }
  }
  out.append(text.substr(copied));
  return out;
}

std::string_view log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "unknown";
}

Logger::Logger(LogSink sink, LogLevel min_level, const Redactor* redactor)
    : sink_(std::move(sink)), min_level_(min_level), redactor_(redactor) {}

void Logger::log(LogLevel level, std::string_view message) {
  if (!enabled(level) || !sink_) return;
  // Redact before splitting: a secret may itself contain a newline.
  const std::string text = redactor_ ? redactor_->redact(message) : std::string(message);
  std::lock_guard lock(sink_mu_);
  std::string_view rest = text;
  for (;;) {
    size_t nl = rest.find('\n');
    sink_(level, rest.substr(0, nl));
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
    if (rest.empty()) break;  // a trailing newline does not make an empty last line
  }
}

}  // namespace strata

#include "control/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "model/error.h"

namespace strata::control {

std::optional<RateLimit> parse_rate_limit(std::string_view text) {
  if (text == "off") return RateLimit{};
  size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  std::string count(text.substr(0, slash));
  std::string_view rest = text.substr(slash + 1);
  std::string unit(rest.substr(0, rest.find(':')));
  std::string burst_text = rest.find(':') == std::string_view::npos ? "" : std::string(rest.substr(rest.find(':') + 1));
  auto whole = [](const std::string& s) -> std::optional<long> {
    if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return std::strtol(s.c_str(), nullptr, 10);
  };
  std::optional<long> n = whole(count);
  double seconds = unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : 0;
  if (!n || *n < 1 || seconds == 0) return std::nullopt;
  RateLimit limit;
  limit.per_second = static_cast<double>(*n) / seconds;
  limit.burst = std::max(1.0, std::ceil(limit.per_second));
  if (rest.find(':') != std::string_view::npos) {
    std::optional<long> b = whole(burst_text);
    if (!b || *b < 1) return std::nullopt;
    limit.burst = static_cast<double>(*b);
  }
  return limit;
}

RateLimit rate_limit_from(std::string_view text) {
  std::optional<RateLimit> limit = parse_rate_limit(text);
  if (!limit)
    throw Error(ErrorKind::kUserInput, "\"" + std::string(text) + "\" is not a rate limit", {},
                "write requests per second, minute or hour with an optional burst (20/s, 600/m, 20/s:100), or off");
  return *limit;
}

std::string format_rate_limit(const RateLimit& limit) {
  if (!limit.on()) return "off";
  auto number = [](double d) {
    std::string s = std::to_string(d);
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
    return s;
  };
  std::string rate = limit.per_second >= 1 ? number(limit.per_second) + "/s" : number(limit.per_second * 60) + "/m";
  return rate + ":" + number(limit.burst);
}

const char* rate_class_name(RateClass c) {
  switch (c) {
    case RateClass::kApi: return "api";
    case RateClass::kWorker: return "worker";
    case RateClass::kState: return "state";
    case RateClass::kAuthFailures: return "auth_failures";
    case RateClass::kAccount: return "account";
    case RateClass::kWebhook: return "webhook";
  }
  return "?";
}

std::optional<RateClass> parse_rate_class(std::string_view name) {
  for (RateClass c :
       {RateClass::kApi, RateClass::kWorker, RateClass::kState, RateClass::kAuthFailures, RateClass::kAccount,
        RateClass::kWebhook})
    if (name == rate_class_name(c)) return c;
  return std::nullopt;
}

RateLimit& RateLimits::of(RateClass c) {
  switch (c) {
    case RateClass::kApi: return api;
    case RateClass::kWorker: return worker;
    case RateClass::kState: return state;
    case RateClass::kAuthFailures: return auth_failures;
    case RateClass::kAccount: return account;
    case RateClass::kWebhook: return webhook;
  }
  return api;
}

const RateLimit& RateLimits::of(RateClass c) const { return const_cast<RateLimits*>(this)->of(c); }

RateLimiter::RateLimiter(RateLimits limits) : limits_(limits) {}

RateLimiter::Bucket& RateLimiter::bucket(RateClass c, const std::string& key, const RateLimit& limit,
                                         Clock::time_point now) {
  std::unordered_map<std::string, Bucket>& all = buckets_[c];
  auto it = all.find(key);
  if (it == all.end()) {
    if (all.size() >= kMaxBuckets) {
      // A full bucket is the same as none: drop those; if every one is in use, start over.
      std::erase_if(all, [&](const auto& entry) {
        const Bucket& b = entry.second;
        return b.tokens + std::chrono::duration<double>(now - b.at).count() * limit.per_second >= limit.burst;
      });
      if (all.size() >= kMaxBuckets) all.clear();
    }
    it = all.emplace(key, Bucket{limit.burst, now}).first;
  }
  Bucket& b = it->second;
  if (now > b.at) {
    b.tokens = std::min(limit.burst, b.tokens + std::chrono::duration<double>(now - b.at).count() * limit.per_second);
    b.at = now;
  }
  return b;
}

namespace {
std::chrono::milliseconds until_one(double tokens, const RateLimit& limit) {
  if (tokens >= 1) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(static_cast<int64_t>(std::ceil((1 - tokens) / limit.per_second * 1000)));
}
}  // namespace

std::chrono::milliseconds RateLimiter::take(RateClass c, const std::string& key, Clock::time_point now) {
  return take(c, key, limits_.of(c), now);
}

std::chrono::milliseconds RateLimiter::take(RateClass c, const std::string& key, const RateLimit& limit,
                                            Clock::time_point now) {
  if (!limit.on()) return std::chrono::milliseconds(0);
  std::lock_guard<std::mutex> lock(mutex_);
  Bucket& b = bucket(c, key, limit, now);
  std::chrono::milliseconds wait = until_one(b.tokens, limit);
  if (wait.count() == 0) b.tokens -= 1;
  return wait;
}

std::chrono::milliseconds RateLimiter::wait(RateClass c, const std::string& key, Clock::time_point now) {
  const RateLimit& limit = limits_.of(c);
  if (!limit.on()) return std::chrono::milliseconds(0);
  std::lock_guard<std::mutex> lock(mutex_);
  auto all = buckets_.find(c);
  if (all == buckets_.end() || !all->second.count(key)) return std::chrono::milliseconds(0);
  return until_one(bucket(c, key, limit, now).tokens, limit);
}

size_t RateLimiter::buckets() const {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t n = 0;
  for (const auto& [c, all] : buckets_) n += all.size();
  return n;
}

}  // namespace strata::control

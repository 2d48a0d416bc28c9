// Rate limits (DESIGN §11.6, #25): a token bucket per caller and class of request, so a burst
// of API calls from one token is answered 429 with Retry-After while other tokens, the workers
// and Terraform's state requests go on. The buckets live in each replica's memory: with N
// replicas behind a balancer a caller may get up to N times a limit (docs/server.md says so).
//
// Classes, each with its own buckets:
//   api            /api/v1 (not the worker protocol), per token
//   worker         the worker protocol, per token
//   state          /tfstate, per token or per activity credential
//   auth_failures  requests whose credential is refused, per client address; an address past
//                  its limit is answered 429 before its credential is even looked at, so
//                  guessing tokens is slow
//   account        /api/v1 and /tfstate requests of all the tokens and sessions of one account
//                  together (store::Account), besides each token's own: one account's burst
//                  leaves the others' requests alone. An account may have its own limit.
//   webhook        POST /webhooks/github, per repository (signed deliveries only: a bad
//                  signature counts as a refused credential); generous, since GitHub sends a
//                  burst when many branches move at once
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace strata::control {

// `per_second` requests a second on average, at most `burst` at once; off when per_second is 0.
struct RateLimit {
  double per_second = 0;
  double burst = 0;
  bool on() const { return per_second > 0; }
};

// "20/s", "600/m", "3600/h", with an optional burst "20/s:100" (default: one second's worth,
// at least 1), or "off". nullopt for anything else.
std::optional<RateLimit> parse_rate_limit(std::string_view text);
// The same, or an Error (user input) saying what to write.
RateLimit rate_limit_from(std::string_view text);
// "20/s:100", "off".
std::string format_rate_limit(const RateLimit& limit);

enum class RateClass { kApi, kWorker, kState, kAuthFailures, kAccount, kWebhook };
const char* rate_class_name(RateClass c);
std::optional<RateClass> parse_rate_class(std::string_view name);

struct RateLimits {
  // Generous: a person, a CI job or a UI polling never meets them; a runaway script does.
  RateLimit api{50, 200};
  RateLimit worker{200, 1000};
  RateLimit state{50, 200};
  RateLimit auth_failures{5, 30};
  RateLimit account{100, 400};
  RateLimit webhook{100, 2000};
  RateLimit& of(RateClass c);
  const RateLimit& of(RateClass c) const;
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RateLimiter(RateLimits limits = {});

  // Spends one request of `key` in class `c`: zero when it may go, else how long until it may
  // (nothing is spent then).
  std::chrono::milliseconds take(RateClass c, const std::string& key, Clock::time_point now = Clock::now());
  // The same with `limit` instead of the class's (a key with a limit of its own: an account's).
  std::chrono::milliseconds take(RateClass c, const std::string& key, const RateLimit& limit,
                                 Clock::time_point now = Clock::now());
  // How long until `key` may make a request in class `c`, spending nothing.
  std::chrono::milliseconds wait(RateClass c, const std::string& key, Clock::time_point now = Clock::now());

  const RateLimits& limits() const { return limits_; }
  // Buckets kept (for tests: idle full buckets are dropped once there are kMaxBuckets).
  size_t buckets() const;
  static constexpr size_t kMaxBuckets = 100000;

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point at;
  };
  Bucket& bucket(RateClass c, const std::string& key, const RateLimit& limit, Clock::time_point now);

  RateLimits limits_;
  mutable std::mutex mutex_;
  std::map<RateClass, std::unordered_map<std::string, Bucket>> buckets_;
};

}  // namespace strata::control

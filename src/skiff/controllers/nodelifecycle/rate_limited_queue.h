// The per-zone queue that paces NoExecute tainting (Kubernetes' RateLimitedTimedQueue in
// pkg/controller/nodelifecycle/scheduler): node names, each accepted once until removed, handed
// out in order of their process time while a token bucket allows. The node lifecycle
// controller's monitor pass adds and removes names and swaps the rate when a zone's health
// changes; its tainting pass calls Try(). Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "skiff/base/time.h"

namespace skiff::controllers::nodelifecycle {

// Every rate limiter of a zone allows bursts of one (EvictionRateLimiterBurst).
inline constexpr int kEvictionRateLimiterBurst = 1;

// client-go's token bucket: `qps` tokens a second, at most `burst` saved, full at the start.
// A bucket built with `never` (a rate of 0 or less after a swap) accepts nothing.
class TokenBucket {
 public:
  TokenBucket(double qps, int burst, absl::Time now, bool never = false)
      : qps_(qps), burst_(burst), tokens_(burst), last_(now), never_(never) {}
  bool TryAccept(absl::Time now);
  double qps() const { return never_ ? 0 : qps_; }

 private:
  double qps_;
  int burst_;
  double tokens_;
  absl::Time last_;
  bool never_;
};

struct TimedValue {
  std::string value;
  std::string uid;
  absl::Time added_at;
  absl::Time process_at;
};

class RateLimitedTimedQueue {
 public:
  RateLimitedTimedQueue(double qps, absl::Time now)
      : limiter_(qps, kEvictionRateLimiterBurst, now) {}

  // Queues `value` to be processed now unless it was added before and not removed since.
  bool Add(const std::string& value, const std::string& uid, absl::Time now);
  // Forgets `value`, so a later Add() queues it again. True if it was known.
  bool Remove(const std::string& value);

  // Returns {done, wait}: done=false re-queues the value `wait` (plus a nanosecond) later.
  using Action = std::function<std::pair<bool, absl::Duration>(const TimedValue&)>;
  // Processes due values in order while the limiter allows (each look at the head takes a
  // token, as Kubernetes' does). A processed value stays known until Remove(). Calls `fn`
  // without holding the queue's lock.
  void Try(const base::Clock& clock, const Action& fn);

  // Replaces the limiter when the rate differs; a rate of 0 or less stops processing. When
  // the old limiter was exhausted, the new one starts exhausted too.
  void SwapLimiter(double qps, absl::Time now);
  double qps() const;

  // Values waiting to be processed, in order (tests).
  std::vector<std::string> Waiting() const;

 private:
  std::optional<TimedValue> Head() const;

  mutable absl::Mutex mu_;
  uint64_t seq_ ABSL_GUARDED_BY(mu_) = 0;
  std::set<std::string> known_ ABSL_GUARDED_BY(mu_);  // added and not removed
  // Waiting values by (process time, arrival); `slot_` finds a value's entry.
  std::map<std::pair<absl::Time, uint64_t>, TimedValue> waiting_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::pair<absl::Time, uint64_t>> slot_ ABSL_GUARDED_BY(mu_);

  mutable absl::Mutex limiter_mu_;  // taken before mu_, never the other way round
  TokenBucket limiter_ ABSL_GUARDED_BY(limiter_mu_);
};

}  // namespace skiff::controllers::nodelifecycle

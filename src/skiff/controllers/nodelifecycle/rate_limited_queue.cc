#include "skiff/controllers/nodelifecycle/rate_limited_queue.h"

#include <algorithm>

namespace skiff::controllers::nodelifecycle {

bool TokenBucket::TryAccept(absl::Time now) {
  if (never_) return false;
  if (now > last_) {
    tokens_ = std::min<double>(burst_, tokens_ + absl::ToDoubleSeconds(now - last_) * qps_);
    last_ = now;
  }
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

bool RateLimitedTimedQueue::Add(const std::string& value, const std::string& uid, absl::Time now) {
  absl::MutexLock lock(&mu_);
  if (!known_.insert(value).second) return false;
  std::pair<absl::Time, uint64_t> slot{now, seq_++};
  waiting_.emplace(slot, TimedValue{value, uid, now, now});
  slot_[value] = slot;
  return true;
}

bool RateLimitedTimedQueue::Remove(const std::string& value) {
  absl::MutexLock lock(&mu_);
  if (known_.erase(value) == 0) return false;
  if (auto it = slot_.find(value); it != slot_.end()) {
    waiting_.erase(it->second);
    slot_.erase(it);
  }
  return true;
}

std::optional<TimedValue> RateLimitedTimedQueue::Head() const {
  absl::MutexLock lock(&mu_);
  if (waiting_.empty()) return std::nullopt;
  return waiting_.begin()->second;
}

void RateLimitedTimedQueue::Try(const base::Clock& clock, const Action& fn) {
  std::optional<TimedValue> head = Head();
  while (head) {
    absl::Time now = clock.Now();
    {
      absl::MutexLock lock(&limiter_mu_);
      if (!limiter_.TryAccept(now)) break;
    }
    if (now < head->process_at) break;
    auto [done, wait] = fn(*head);
    {
      absl::MutexLock lock(&mu_);
      auto it = slot_.find(head->value);
      // Removed (or removed and added again) while `fn` ran: leave the newer state alone.
      if (it != slot_.end() && waiting_.at(it->second).added_at == head->added_at) {
        TimedValue v = waiting_.at(it->second);
        waiting_.erase(it->second);
        if (done) {
          slot_.erase(it);  // stays known: not queued again until removed
        } else {
          v.process_at = now + wait + absl::Nanoseconds(1);
          it->second = {v.process_at, it->second.second};
          waiting_.emplace(it->second, std::move(v));
        }
      }
    }
    head = Head();
  }
}

void RateLimitedTimedQueue::SwapLimiter(double qps, absl::Time now) {
  absl::MutexLock lock(&limiter_mu_);
  if (limiter_.qps() == qps) return;
  if (qps <= 0) {
    limiter_ = TokenBucket(0, kEvictionRateLimiterBurst, now, /*never=*/true);
    return;
  }
  TokenBucket next(qps, kEvictionRateLimiterBurst, now);
  // Waiting on the old limiter: drain the new one (right for a burst of one).
  if (!limiter_.TryAccept(now)) next.TryAccept(now);
  limiter_ = next;
}

double RateLimitedTimedQueue::qps() const {
  absl::MutexLock lock(&limiter_mu_);
  return limiter_.qps();
}

std::vector<std::string> RateLimitedTimedQueue::Waiting() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> out;
  for (const auto& [slot, v] : waiting_) out.push_back(v.value);
  return out;
}

}  // namespace skiff::controllers::nodelifecycle

#include "skiff/controllers/nodelifecycle/rate_limited_queue.h"

#include <gtest/gtest.h>

#include "absl/synchronization/mutex.h"

namespace skiff::controllers::nodelifecycle {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);

class FakeClock : public base::Clock {
 public:
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_) = kT0;
};

TEST(TokenBucketTest, StartsFullAndRefillsAtTheRate) {
  TokenBucket b(0.1, 1, kT0);
  EXPECT_TRUE(b.TryAccept(kT0));
  EXPECT_FALSE(b.TryAccept(kT0));
  EXPECT_FALSE(b.TryAccept(kT0 + absl::Seconds(9)));
  EXPECT_TRUE(b.TryAccept(kT0 + absl::Seconds(10)));
  // A burst of one: a long pause saves only one token.
  EXPECT_TRUE(b.TryAccept(kT0 + absl::Seconds(100)));
  EXPECT_FALSE(b.TryAccept(kT0 + absl::Seconds(100)));
  TokenBucket never(0, 1, kT0, /*never=*/true);
  EXPECT_FALSE(never.TryAccept(kT0 + absl::Hours(1)));
  EXPECT_EQ(never.qps(), 0);
}

// Records the values `Try` hands out; fails (retry after `wait`) those in `fail`.
struct Recorder {
  std::vector<std::string> seen;
  std::set<std::string> fail;
  absl::Duration wait = absl::ZeroDuration();
  RateLimitedTimedQueue::Action Action() {
    return [this](const TimedValue& v) {
      seen.push_back(v.value);
      return std::pair{!fail.contains(v.value), wait};
    };
  }
};

TEST(RateLimitedTimedQueueTest, OneNodePerTokenInArrivalOrder) {
  FakeClock clock;
  RateLimitedTimedQueue q(0.1, kT0);
  EXPECT_TRUE(q.Add("a", "uid-a", kT0));
  EXPECT_TRUE(q.Add("b", "uid-b", kT0));
  EXPECT_TRUE(q.Add("c", "uid-c", kT0));
  EXPECT_FALSE(q.Add("a", "uid-a", kT0));  // known until removed
  Recorder r;
  q.Try(clock, r.Action());
  EXPECT_EQ(r.seen, (std::vector<std::string>{"a"}));
  clock.Advance(absl::Seconds(5));
  q.Try(clock, r.Action());
  EXPECT_EQ(r.seen, (std::vector<std::string>{"a"}));
  clock.Advance(absl::Seconds(5));
  q.Try(clock, r.Action());
  EXPECT_EQ(r.seen, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(q.Waiting(), (std::vector<std::string>{"c"}));
  // Processed values stay known: adding "a" again does nothing until it is removed.
  EXPECT_FALSE(q.Add("a", "uid-a", clock.Now()));
  EXPECT_TRUE(q.Remove("a"));
  EXPECT_FALSE(q.Remove("a"));
  EXPECT_TRUE(q.Add("a", "uid-a", clock.Now()));
  EXPECT_EQ(q.Waiting(), (std::vector<std::string>{"c", "a"}));
  EXPECT_TRUE(q.Remove("c"));
  EXPECT_EQ(q.Waiting(), (std::vector<std::string>{"a"}));
}

TEST(RateLimitedTimedQueueTest, FailedValuesWaitAndGoBehindDueOnes) {
  FakeClock clock;
  RateLimitedTimedQueue q(100, kT0);  // a token every 10 ms, one at a time
  q.Add("a", "", kT0);
  q.Add("b", "", kT0);
  Recorder r;
  r.fail = {"a"};
  r.wait = absl::Seconds(1);
  q.Try(clock, r.Action());
  // a failed and waits a second (plus a nanosecond), behind b.
  EXPECT_EQ(r.seen, (std::vector<std::string>{"a"}));
  EXPECT_EQ(q.Waiting(), (std::vector<std::string>{"b", "a"}));
  clock.Advance(absl::Milliseconds(10));
  q.Try(clock, r.Action());
  EXPECT_EQ(r.seen, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(q.Waiting(), (std::vector<std::string>{"a"}));
  clock.Advance(absl::Milliseconds(990));
  q.Try(clock, r.Action());  // a is due a nanosecond later (the look took the token)
  EXPECT_EQ(r.seen.size(), 2u);
  clock.Advance(absl::Milliseconds(10));
  r.fail.clear();
  q.Try(clock, r.Action());
  EXPECT_EQ(r.seen, (std::vector<std::string>{"a", "b", "a"}));
  EXPECT_TRUE(q.Waiting().empty());
}

TEST(RateLimitedTimedQueueTest, SwapLimiter) {
  FakeClock clock;
  RateLimitedTimedQueue q(0.1, kT0);
  q.Add("a", "", kT0);
  q.Add("b", "", kT0);
  q.SwapLimiter(0, kT0);  // stop
  EXPECT_EQ(q.qps(), 0);
  Recorder r;
  clock.Advance(absl::Hours(1));
  q.Try(clock, r.Action());
  EXPECT_TRUE(r.seen.empty());
  // A new rate starts with a token when the old limiter had one to give (the never limiter
  // has none, so the new one starts drained).
  q.SwapLimiter(1, clock.Now());
  EXPECT_EQ(q.qps(), 1);
  q.Try(clock, r.Action());
  EXPECT_TRUE(r.seen.empty());
  clock.Advance(absl::Seconds(1));
  q.Try(clock, r.Action());
  EXPECT_EQ(r.seen, (std::vector<std::string>{"a"}));
  // Same rate: the limiter (and its state) stays.
  q.SwapLimiter(1, clock.Now());
  q.Try(clock, r.Action());
  EXPECT_EQ(r.seen, (std::vector<std::string>{"a"}));
  // A different rate while tokens are left: the new limiter is full.
  clock.Advance(absl::Seconds(1));
  q.SwapLimiter(2, clock.Now());
  q.Try(clock, r.Action());
  EXPECT_EQ(r.seen, (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace skiff::controllers::nodelifecycle

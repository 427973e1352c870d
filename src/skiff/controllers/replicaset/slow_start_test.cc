#include "skiff/controllers/replicaset/slow_start.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>

namespace skiff::controllers::replicaset {
namespace {

TEST(SlowStartTest, BatchSizesDoubleUpToWhatRemains) {
  struct Case {
    int count, initial;
    std::vector<int> want;
  };
  const Case cases[] = {
      {0, 1, {}},        {1, 1, {1}},           {3, 1, {1, 2}},
      {7, 1, {1, 2, 4}}, {10, 1, {1, 2, 4, 3}}, {500, 1, {1, 2, 4, 8, 16, 32, 64, 128, 245}},
      {3, 2, {2, 1}},    {5, 10, {5}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(SlowStartBatchSizes(c.count, c.initial), c.want) << c.count << "/" << c.initial;
  }
}

TEST(SlowStartTest, AllSucceed) {
  std::atomic<int> calls{0};
  SlowStartResult r = SlowStartBatch(10, 1, [&] {
    ++calls;
    return absl::OkStatus();
  });
  EXPECT_EQ(r.successes, 10);
  EXPECT_TRUE(r.first_error.ok());
  EXPECT_EQ(calls.load(), 10);
}

TEST(SlowStartTest, StopsAfterTheFirstBatchWithAFailure) {
  struct Case {
    int count;
    int fail_from;  // calls numbered from 0; this one and later fail
    int want_successes, want_calls;
  };
  const Case cases[] = {
      {10, 0, 0, 1},   // the first batch of one fails: nothing else is tried
      {10, 1, 1, 3},   // batch {1,2} fails entirely
      {10, 4, 4, 7},   // batch of 4 (calls 3..6): one succeeds, three fail
      {10, 7, 7, 10},  // the last batch (3 calls) fails
      {10, 10, 10, 10},
  };
  for (const auto& c : cases) {
    std::atomic<int> calls{0};
    SlowStartResult r = SlowStartBatch(c.count, 1, [&] {
      int n = calls++;
      return n >= c.fail_from ? absl::ResourceExhaustedError("exceeded quota") : absl::OkStatus();
    });
    EXPECT_EQ(r.successes, c.want_successes) << c.fail_from;
    EXPECT_EQ(calls.load(), c.want_calls) << c.fail_from;
    EXPECT_EQ(r.first_error.ok(), c.want_successes == c.count) << c.fail_from;
    if (!r.first_error.ok()) {
      EXPECT_EQ(r.first_error.message(), "exceeded quota");
    }
  }
}

TEST(SlowStartTest, RunConcurrentlyVisitsEveryIndexOnce) {
  std::mutex mu;
  std::multiset<int> seen;
  RunConcurrently(100, 8, [&](int i) {
    std::lock_guard<std::mutex> lock(mu);
    seen.insert(i);
  });
  ASSERT_EQ(seen.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(seen.count(i), 1u) << i;
}

}  // namespace
}  // namespace skiff::controllers::replicaset

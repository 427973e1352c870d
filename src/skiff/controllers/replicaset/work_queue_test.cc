// Regression tests for client::WorkQueue as this controller uses it: several workers and
// delayed re-queues.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "skiff/client/workqueue.h"

namespace skiff::controllers::replicaset {
namespace {

// Workers waiting on the earliest delayed key used to keep a reference into the delayed-key
// map; another worker promoting (erasing) that entry left it dangling (use after free).
TEST(WorkQueueRegressionTest, DelayedKeyPromotedWhileOtherWorkersWait) {
  client::WorkQueue q;
  std::atomic<int> done{0};
  std::vector<std::jthread> workers;
  for (int w = 0; w < 5; ++w) {
    workers.emplace_back([&] {
      while (auto key = q.Get()) {
        ++done;
        q.Done(*key);
      }
    });
  }
  constexpr int kKeys = 200;
  for (int i = 0; i < kKeys; ++i) {
    q.AddAfter("k" + std::to_string(i), std::chrono::milliseconds(1 + i % 7));
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (done.load() < kKeys && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  q.ShutDown();
  workers.clear();
  EXPECT_EQ(done.load(), kKeys);
}

TEST(WorkQueueRegressionTest, AKeyIsNeverHandedOutTwiceAtOnce) {
  client::WorkQueue q;
  std::atomic<int> in_flight{0}, max_in_flight{0}, runs{0};
  std::vector<std::jthread> workers;
  for (int w = 0; w < 5; ++w) {
    workers.emplace_back([&] {
      while (auto key = q.Get()) {
        int now = ++in_flight;
        int prev = max_in_flight.load();
        while (now > prev && !max_in_flight.compare_exchange_weak(prev, now)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        ++runs;
        --in_flight;
        q.Done(*key);
      }
    });
  }
  for (int i = 0; i < 50; ++i) {
    q.Add("same");
    std::this_thread::sleep_for(std::chrono::microseconds(300));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  q.ShutDown();
  workers.clear();
  EXPECT_EQ(max_in_flight.load(), 1);
  EXPECT_GE(runs.load(), 2);
}

}  // namespace
}  // namespace skiff::controllers::replicaset

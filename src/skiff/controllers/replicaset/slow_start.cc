#include "skiff/controllers/replicaset/slow_start.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

namespace skiff::controllers::replicaset {

namespace {
// Calls within one batch share threads beyond this; in-process writes are cheap, but the
// store's group commit rewards having many in flight.
constexpr int kMaxBatchThreads = 64;
}  // namespace

std::vector<int> SlowStartBatchSizes(int count, int initial) {
  std::vector<int> sizes;
  int remaining = count;
  for (int batch = std::min(remaining, initial); batch > 0;
       batch = std::min(2 * batch, remaining)) {
    sizes.push_back(batch);
    remaining -= batch;
  }
  return sizes;
}

void RunConcurrently(int n, int max_threads, const std::function<void(int)>& fn) {
  if (n <= 0) return;
  if (n == 1 || max_threads <= 1) {
    for (int i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<int> next{0};
  auto loop = [&] {
    for (int i = next.fetch_add(1); i < n; i = next.fetch_add(1)) fn(i);
  };
  std::vector<std::jthread> threads;
  int extra = std::min(n, max_threads) - 1;
  threads.reserve(extra);
  for (int t = 0; t < extra; ++t) threads.emplace_back(loop);
  loop();
  // The jthreads join as they go out of scope.
}

SlowStartResult SlowStartBatch(int count, int initial, const std::function<absl::Status()>& fn) {
  SlowStartResult result;
  for (int batch : SlowStartBatchSizes(count, initial)) {
    std::mutex mu;
    int failures = 0;
    absl::Status first;
    RunConcurrently(batch, kMaxBatchThreads, [&](int) {
      absl::Status s = fn();
      if (s.ok()) return;
      std::lock_guard<std::mutex> lock(mu);
      if (failures++ == 0) first = std::move(s);
    });
    result.successes += batch - failures;
    if (failures > 0) {
      result.first_error = std::move(first);
      return result;
    }
  }
  return result;
}

}  // namespace skiff::controllers::replicaset

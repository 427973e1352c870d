// Slow-start batching of pod creations (Kubernetes' slowStartBatch): batches of 1, 2, 4, ... run
// concurrently, and the first failing batch ends the run. Called from controller workers; the
// calls run on short-lived threads owned by each call.
#pragma once

#include <functional>
#include <vector>

#include "absl/status/status.h"

namespace skiff::controllers::replicaset {

// Kubernetes' initial slow-start batch size.
inline constexpr int kSlowStartInitialBatchSize = 1;

// The batch sizes for `count` calls starting at `initial`, each double the previous one and
// capped by what remains: (10, 1) gives {1, 2, 4, 3}.
std::vector<int> SlowStartBatchSizes(int count, int initial);

struct SlowStartResult {
  int successes = 0;
  absl::Status first_error;  // of the batch that stopped the run; OK when none failed
};

// Calls `fn` `count` times in slow-start batches, each batch concurrently. `fn` must be
// thread-safe.
SlowStartResult SlowStartBatch(int count, int initial, const std::function<absl::Status()>& fn);

// Runs fn(0) ... fn(n-1) on up to `max_threads` threads and returns when all are done.
void RunConcurrently(int n, int max_threads, const std::function<void(int)>& fn);

}  // namespace skiff::controllers::replicaset

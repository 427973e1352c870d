// Per-key exponential backoff for re-queuing keys whose sync failed (client-go's
// ItemExponentialFailureRateLimiter): base * 2^failures, capped. Controllers call Next() after
// a failed sync and Forget() after a good one. Thread-safe.
#pragma once

#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace skiff::controllers::replicaset {

class KeyBackoff {
 public:
  // client-go's controller defaults: 5 ms doubling up to 1000 s.
  explicit KeyBackoff(absl::Duration base = absl::Milliseconds(5),
                      absl::Duration cap = absl::Seconds(1000))
      : base_(base), cap_(cap) {}

  // The delay before retrying `key`, counting this failure.
  absl::Duration Next(const std::string& key);
  void Forget(const std::string& key);
  int Failures(const std::string& key) const;

 private:
  const absl::Duration base_, cap_;
  mutable absl::Mutex mu_;
  std::map<std::string, int> failures_ ABSL_GUARDED_BY(mu_);
};

}  // namespace skiff::controllers::replicaset

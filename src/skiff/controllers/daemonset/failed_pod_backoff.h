// Per-(DaemonSet, generation, node) backoff for deleting failed daemon pods (client-go's
// flowcontrol.Backoff as the DaemonSet controller configures it: 1 s doubling to 15 min), so a
// node whose kubelet keeps rejecting the pod is not hot-looped. Thread-safe.
#pragma once

#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace skiff::controllers::daemonset {

class FailedPodBackoff {
 public:
  explicit FailedPodBackoff(absl::Duration initial = absl::Seconds(1),
                            absl::Duration max = absl::Minutes(15))
      : initial_(initial), max_(max) {}

  // True while less than the current delay has passed since the last Next().
  bool InBackoff(const std::string& key, absl::Time now) const;
  // The current delay (0 when the key has none).
  absl::Duration Delay(const std::string& key) const;
  // Starts the key at the initial delay, or doubles it (up to max); an entry idle for twice the
  // max starts over.
  void Next(const std::string& key, absl::Time now);
  // Drops entries idle for twice the max (client-go's GC).
  void Collect(absl::Time now);

 private:
  struct Entry {
    absl::Duration delay;
    absl::Time last_update;
  };
  const absl::Duration initial_, max_;
  mutable absl::Mutex mu_;
  std::map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace skiff::controllers::daemonset

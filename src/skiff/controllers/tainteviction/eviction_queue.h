// Pending pod evictions of the taint eviction controller, by pod key ("ns/name"), each with the
// time the controller decided on it and the time it fires (Kubernetes' TimedWorkerQueue), and
// the pure decision of when a pod on NoExecute-tainted nodes must go. A key whose eviction ran
// stays recorded as done, so later node or pod events do not delete the pod a second time; it
// leaves when the pod is gone or the eviction is cancelled. Thread-safe.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "skiff/api/taints.h"

namespace skiff::controllers::tainteviction {

// What the NoExecute taints of a pod's node mean for it (processPodOnNode).
struct EvictionVerdict {
  enum class Kind {
    kNow,      // some taint is not tolerated: delete at once
    kAfter,    // every taint is tolerated for a while: delete after `after`
    kForever,  // every taint is tolerated without a time limit: stay
  };
  Kind kind;
  absl::Duration after = absl::ZeroDuration();
  friend bool operator==(const EvictionVerdict&, const EvictionVerdict&) = default;
};

// `taints` are the node's NoExecute taints (non-empty). The first toleration that tolerates
// each taint counts; the shortest tolerationSeconds among them (<= 0 meaning at once) decides.
EvictionVerdict DecideEviction(std::span<const api::Taint> taints,
                               std::span<const api::Toleration> tolerations);

class EvictionQueue {
 public:
  struct Work {
    absl::Time created_at;
    absl::Time fire_at;
  };

  // Schedules the eviction of `key` unless it already has one (pending, firing or done).
  void Add(const std::string& key, absl::Time created_at, absl::Time fire_at);
  // Forgets `key`. True when an eviction that had not finished was cancelled.
  bool Cancel(const std::string& key);
  // The pending eviction of `key`; nullopt when there is none or it already ran.
  std::optional<Work> Pending(const std::string& key) const;
  // Keys due at `now`, earliest first; they are firing until Finish().
  std::vector<std::string> TakeDue(absl::Time now);
  // The eviction of `key` ran: on success the key stays as done, otherwise it is forgotten
  // (a later event may schedule it again).
  void Finish(const std::string& key, bool succeeded);
  // When the earliest pending eviction fires.
  std::optional<absl::Time> NextFire() const;
  size_t size() const;

 private:
  enum class State { kPending, kFiring, kDone };
  struct Entry {
    Work work;
    State state;
  };

  mutable absl::Mutex mu_;
  std::map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
  // Pending entries by (fire time, key).
  std::set<std::pair<absl::Time, std::string>> timeline_ ABSL_GUARDED_BY(mu_);
};

}  // namespace skiff::controllers::tainteviction

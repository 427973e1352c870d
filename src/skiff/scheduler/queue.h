// The scheduling queue, as kube-scheduler's PriorityQueue: an active queue (higher priority
// first, then the earlier queued), a backoff queue for pods that failed (1 s doubling up to
// 10 s per attempt), and an unschedulable set whose pods go back (through backoff) when a
// cluster event their rejecting plugins care about happens, or after 5 minutes.
// Thread-safe: informer handlers add/update/delete, the scheduling thread pops, binder threads
// report failures. Time comes from the injected clock.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "skiff/base/time.h"
#include "skiff/scheduler/types.h"

namespace skiff::scheduler {

struct QueueOptions {
  absl::Duration initial_backoff = absl::Seconds(1);
  absl::Duration max_backoff = absl::Seconds(10);
  // Unschedulable pods are retried at least this often even without a relevant event.
  absl::Duration max_in_unschedulable = absl::Minutes(5);
};

// A pod handed out by Pop.
struct QueuedPodInfo {
  PodInfoPtr pod;
  int attempts = 0;      // scheduling attempts so far, this one included
  int64_t cycle = 0;     // the scheduling cycle of this attempt
  absl::Time timestamp;  // when it was last queued
  absl::Time initial_attempt;
};

// True when a pod update may change a scheduling decision: anything but status and the
// bookkeeping parts of metadata (Kubernetes' isPodUpdated).
bool PodSchedulingPropertiesChanged(const boost::json::value& old_pod,
                                    const boost::json::value& new_pod);

class SchedulingQueue {
 public:
  explicit SchedulingQueue(const base::Clock& clock, QueueOptions options = {});

  // A new pending pod.
  void Add(PodInfoPtr pod);
  // A newer version of a pending pod (an unknown pod is added).
  void Update(const boost::json::value* old_pod, PodInfoPtr pod);
  void Delete(const std::string& uid);

  // Blocks until a pod is ready; nullopt after Close().
  std::optional<QueuedPodInfo> Pop();
  // Non-blocking Pop (flushes backoff and leftovers first).
  std::optional<QueuedPodInfo> TryPop();

  // The attempt for `info` failed: park it as unschedulable until one of `events` happens (or
  // in backoff when an event arrived while it was being scheduled); with `error` set it goes
  // to backoff directly.
  void AddUnschedulable(const QueuedPodInfo& info, uint32_t events, bool error = false);
  // The attempt for `uid` ended (bound, or the pod is gone).
  void Done(const std::string& uid);
  // A cluster event: unschedulable pods that care go to backoff (or active if their backoff is
  // over).
  void MoveAllToActiveOrBackoff(uint32_t event);

  // Moves pods whose backoff expired to active, and pods parked longer than
  // max_in_unschedulable to backoff/active. Pop does this itself.
  void Flush();
  void Close();

  absl::Duration BackoffDuration(int attempts) const;
  size_t ActiveCount() const;
  size_t BackoffCount() const;
  size_t UnschedulableCount() const;
  size_t InFlightCount() const;
  // Pods known to the queue in any state.
  size_t Size() const;

 private:
  enum class Where { kActive, kBackoff, kUnschedulable, kInFlight };
  struct Entry {
    QueuedPodInfo info;
    Where where = Where::kActive;
    uint64_t seq = 0;
    uint32_t events = kAllEventsMask;
    PodInfoPtr updated;            // a newer version that arrived while in flight
    bool updated_matters = false;  // ... that changed what scheduling looks at
  };
  static constexpr uint32_t kAllEventsMask = ~0u;
  // Active order: higher priority first, then earlier timestamp, then arrival.
  using ActiveKey = std::tuple<int64_t, absl::Time, uint64_t, std::string>;
  using BackoffKey = std::tuple<absl::Time, uint64_t, std::string>;

  void PushActiveLocked(Entry& e);
  void PushBackoffLocked(Entry& e);
  void UnlinkLocked(Entry& e);
  // Active when its backoff is over, else backoff.
  void RequeueLocked(Entry& e, absl::Time now);
  absl::Time BackoffExpiry(const Entry& e) const;
  void FlushLocked(absl::Time now);
  std::optional<QueuedPodInfo> PopLocked(absl::Time now);
  static ActiveKey KeyOf(const Entry& e, const std::string& uid);

  const base::Clock& clock_;
  const QueueOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  absl::flat_hash_map<std::string, Entry> entries_;  // guarded by mu_, by uid
  std::set<ActiveKey> active_;                       // guarded by mu_
  std::set<BackoffKey> backoff_;                     // guarded by mu_
  uint64_t seq_ = 0;                                 // guarded by mu_
  int64_t cycle_ = 0;                                // guarded by mu_
  int64_t move_request_cycle_ = -1;                  // guarded by mu_
  size_t unschedulable_ = 0;                         // guarded by mu_
  size_t in_flight_ = 0;                             // guarded by mu_
  absl::Time last_leftover_flush_;                   // guarded by mu_
  bool closed_ = false;                              // guarded by mu_
};

}  // namespace skiff::scheduler

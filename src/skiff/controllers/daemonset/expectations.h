// Pod creations and deletions a DaemonSet sync issued but has not yet seen in the informer, as
// counts per DaemonSet key with a TTL (Kubernetes' ControllerExpectations, which the DaemonSet
// controller uses: one sync both creates and deletes, so both counts are set together).
// Thread-safe: workers set expectations, informer handlers lower them.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "skiff/base/time.h"

namespace skiff::controllers::daemonset {

// Kubernetes' ExpectationsTimeout.
inline constexpr absl::Duration kExpectationsTimeout = absl::Minutes(5);

class Expectations {
 public:
  explicit Expectations(const base::Clock& clock = base::Clock::Real(),
                        absl::Duration ttl = kExpectationsTimeout)
      : clock_(clock), ttl_(ttl) {}

  // No record, both counts at or below zero, or the record expired.
  bool Satisfied(const std::string& key) const;
  // Replaces the record.
  void Set(const std::string& key, int adds, int dels);
  // Lowers the counts (abandoned or observed operations); no-op without a record.
  void Lower(const std::string& key, int adds, int dels);
  void CreationObserved(const std::string& key) { Lower(key, 1, 0); }
  void DeletionObserved(const std::string& key) { Lower(key, 0, 1); }
  void Delete(const std::string& key);
  // Pending (adds, dels); (0, 0) without a record.
  std::pair<int, int> Pending(const std::string& key) const;
  // Time left before an unsatisfied record expires; nullopt when satisfied. Returned once per
  // record so a caller arms at most one wake-up for it.
  std::optional<absl::Duration> TakeWakeUp(const std::string& key);

 private:
  struct Record {
    int adds = 0, dels = 0;
    absl::Time set_at;
    bool wake_up_taken = false;
  };
  bool SatisfiedLocked(const Record& r) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const base::Clock& clock_;
  const absl::Duration ttl_;
  mutable absl::Mutex mu_;
  std::map<std::string, Record> records_ ABSL_GUARDED_BY(mu_);
};

}  // namespace skiff::controllers::daemonset

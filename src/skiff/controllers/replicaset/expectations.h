// Pod creations and deletions a controller issued but has not yet seen in its informer, per
// owner key, with a TTL (Kubernetes' UIDTrackingControllerExpectations): a sync never acts twice
// on a stale cache. Thread-safe: workers set expectations, informer handlers lower them.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "skiff/base/time.h"

namespace skiff::controllers::replicaset {

// Kubernetes' ExpectationsTimeout.
inline constexpr absl::Duration kExpectationsTimeout = absl::Minutes(5);

class Expectations {
 public:
  explicit Expectations(const base::Clock& clock = base::Clock::Real(),
                        absl::Duration ttl = kExpectationsTimeout)
      : clock_(clock), ttl_(ttl) {}

  // True when `key` has no record, its counts reached zero, or the record expired.
  bool Satisfied(const std::string& key) const;
  // Replaces the record with `adds` pending creations (and no deletions).
  void ExpectCreations(const std::string& key, int adds);
  // Replaces the record with deletions of exactly these pod keys ("ns/name").
  void ExpectDeletions(const std::string& key, const std::vector<std::string>& pod_keys);
  // One creation seen (or abandoned).
  void CreationObserved(const std::string& key);
  // `pod_key` deleted (or its deletion abandoned); counted once, only if expected.
  void DeletionObserved(const std::string& key, const std::string& pod_key);
  void Delete(const std::string& key);

  // Pending (adds, deletions); (0, 0) without a record.
  std::pair<int64_t, int64_t> Pending(const std::string& key) const;
  // Time left before an unsatisfied record expires; nullopt when satisfied. Returned once per
  // record (later calls give nullopt) so a caller arms at most one wake-up for it.
  std::optional<absl::Duration> TakeWakeUp(const std::string& key);

 private:
  struct Record {
    int64_t adds = 0;
    int64_t dels = 0;
    std::set<std::string> pending_deletes;
    absl::Time set_at;
    bool wake_up_taken = false;
  };
  bool SatisfiedLocked(const Record& r) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const base::Clock& clock_;
  const absl::Duration ttl_;
  mutable absl::Mutex mu_;
  std::map<std::string, Record> records_ ABSL_GUARDED_BY(mu_);
};

}  // namespace skiff::controllers::replicaset

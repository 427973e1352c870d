// Pod creations and deletions a StatefulSet sync issued that its pod informer has not shown yet,
// by set key and pod name, with a TTL. A sync that acted on a stale cache could create a pod
// twice or delete a replacement by name, so the controller holds back a set's sync until the
// informer reflects its own writes (or the TTL passes). Thread-safe: workers (including the
// parallel create/delete batches of one sync) record, informer handlers and syncs observe.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "skiff/base/time.h"
#include "skiff/client/informer.h"

namespace skiff::controllers::statefulset {

// Kubernetes' ExpectationsTimeout.
inline constexpr absl::Duration kPodExpectationsTimeout = absl::Minutes(5);

class PodExpectations {
 public:
  explicit PodExpectations(const base::Clock& clock = base::Clock::Real(),
                           absl::Duration ttl = kPodExpectationsTimeout)
      : clock_(clock), ttl_(ttl) {}

  // The pod `name` was created: the set waits until the informer has it.
  void ExpectCreation(const std::string& set_key, const std::string& name);
  // The pod `name` with `uid` was deleted: the set waits until the informer shows it gone,
  // terminating, or replaced.
  void ExpectDeletion(const std::string& set_key, const std::string& name, const std::string& uid);

  // Handlers: the informer added or deleted a pod of this set.
  void Observed(const std::string& set_key, const client::ObjPtr& pod, bool deleted);

  // Drops the expectations the informer's view (`lookup` by pod name) meets and the expired
  // ones; true when none remain.
  bool Satisfied(const std::string& set_key,
                 const std::function<client::ObjPtr(const std::string&)>& lookup);
  // Time until the oldest pending expectation of the set expires; nullopt when none.
  std::optional<absl::Duration> UntilExpiry(const std::string& set_key) const;
  void Forget(const std::string& set_key);

 private:
  struct Pending {
    bool deletion = false;
    std::string uid;  // of the deleted pod
    absl::Time at;
  };
  // Whether `pod` (null: not in the informer) meets `p`.
  static bool Met(const Pending& p, const client::ObjPtr& pod);

  const base::Clock& clock_;
  const absl::Duration ttl_;
  mutable absl::Mutex mu_;
  std::map<std::string, std::map<std::string, Pending>> pending_ ABSL_GUARDED_BY(mu_);
};

}  // namespace skiff::controllers::statefulset

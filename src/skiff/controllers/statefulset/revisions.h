// StatefulSet revisions (Kubernetes' stateful_set_utils.go): the ControllerRevision that records
// a set's pod template, restoring a set from a revision, the next revision number, and the
// status bookkeeping of a sync (replica counts, when to write, rolling-update completion).
// Pure functions; safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "skiff/client/informer.h"

namespace skiff::controllers::statefulset {

// A new ControllerRevision of `set` numbered `revision`: data is the template patch, labels the
// template labels plus the hash, annotations the set's.
boost::json::object NewRevision(const boost::json::value& set, int64_t revision,
                                int32_t collision_count);
// The set with the revision's data applied as a strategic merge patch (its template restored).
absl::StatusOr<boost::json::value> ApplyRevision(const boost::json::value& set,
                                                 const boost::json::object& revision);
// 1 more than the last revision's number (`sorted` ascending); 1 for none.
int64_t NextRevision(const std::vector<const boost::json::object*>& sorted);

// The status a sync computes (apps/v1 StatefulSetStatus, without conditions).
struct SetStatus {
  int64_t observed_generation = 0;
  int32_t replicas = 0;
  int32_t ready_replicas = 0;
  int32_t available_replicas = 0;
  int32_t current_replicas = 0;
  int32_t updated_replicas = 0;
  std::string current_revision;
  std::string update_revision;
  int32_t collision_count = 0;
};

// Adds the counts of `pods` (created, ready, available, and non-terminating ones at the current
// and update revisions) to `status`.
void AddReplicaCounts(const std::vector<client::ObjPtr>& pods, int64_t min_ready_seconds,
                      absl::Time now, SetStatus& status);
// Resets the counts and adds those of every list.
void RecountStatus(const std::vector<const std::vector<client::ObjPtr>*>& lists,
                   int64_t min_ready_seconds, absl::Time now, SetStatus& status);
// A RollingUpdate whose updated, ready and created replicas all equal spec.replicas is complete:
// the current revision becomes the update revision.
void CompleteRollingUpdate(const boost::json::value& set, SetStatus& status);
// The set's stored status differs from `status` in a field the controller writes.
bool InconsistentStatus(const boost::json::value& set, const SetStatus& status);
// The status as JSON, as Go marshals it (zero counts other than replicas and availableReplicas
// and empty revisions left out; collisionCount always present; no conditions: the sync builds
// its status from scratch as upstream does).
boost::json::object StatusJson(const SetStatus& status);

}  // namespace skiff::controllers::statefulset

// Typed views of Deployments and ReplicaSets and the pure rollout arithmetic of the Deployment
// controller, as in Kubernetes' pkg/controller/deployment/util: maxSurge/maxUnavailable
// resolution, new-RS sizing, proportional scaling, old-RS scale-down plans, revisions and
// annotations, status and conditions. Pure functions over values; safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace skiff::controllers::deployment {

namespace json = boost::json;

inline constexpr std::string_view kRevisionAnnotation = "deployment.kubernetes.io/revision";
inline constexpr std::string_view kRevisionHistoryAnnotation =
    "deployment.kubernetes.io/revision-history";
inline constexpr std::string_view kDesiredReplicasAnnotation =
    "deployment.kubernetes.io/desired-replicas";
inline constexpr std::string_view kMaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";
inline constexpr std::string_view kRollbackToAnnotation = "deprecated.deployment.rollback.to";
inline constexpr std::string_view kLastAppliedAnnotation =
    "kubectl.kubernetes.io/last-applied-configuration";
inline constexpr std::string_view kPodTemplateHashLabel = "pod-template-hash";
// revision-history keeps about 100 entries.
inline constexpr size_t kMaxRevisionHistoryChars = 2000;
inline constexpr int32_t kMaxInt32 = 2147483647;

// Condition types and reasons (Kubernetes' exact strings).
inline constexpr std::string_view kProgressing = "Progressing";
inline constexpr std::string_view kAvailable = "Available";
inline constexpr std::string_view kReplicaFailure = "ReplicaFailure";
inline constexpr std::string_view kReplicaSetUpdatedReason = "ReplicaSetUpdated";
inline constexpr std::string_view kFailedRSCreateReason = "ReplicaSetCreateError";
inline constexpr std::string_view kNewReplicaSetReason = "NewReplicaSetCreated";
inline constexpr std::string_view kFoundNewRSReason = "FoundNewReplicaSet";
inline constexpr std::string_view kNewRSAvailableReason = "NewReplicaSetAvailable";
inline constexpr std::string_view kTimedOutReason = "ProgressDeadlineExceeded";
inline constexpr std::string_view kPausedDeployReason = "DeploymentPaused";
inline constexpr std::string_view kResumedDeployReason = "DeploymentResumed";
inline constexpr std::string_view kMinimumReplicasAvailable = "MinimumReplicasAvailable";
inline constexpr std::string_view kMinimumReplicasUnavailable = "MinimumReplicasUnavailable";

using Annotations = std::map<std::string, std::string>;

// A DeploymentCondition; times are metav1.Time text ("2026-01-02T03:04:05Z").
struct Condition {
  std::string type, status, reason, message;
  std::string last_update_time, last_transition_time;
  bool operator==(const Condition&) const = default;
};

struct DeploymentStatus {
  int64_t observed_generation = 0;
  int32_t replicas = 0, updated_replicas = 0, ready_replicas = 0, available_replicas = 0;
  int32_t unavailable_replicas = 0;
  std::optional<int32_t> collision_count;
  std::vector<Condition> conditions;
  bool operator==(const DeploymentStatus&) const = default;

  // Absent or null `status` gives the zero status. Zero counts are omitted by ToJson, as Go's
  // omitempty does.
  static DeploymentStatus FromJson(const json::value* status);
  json::object ToJson() const;
};

// The Deployment fields the controller reads. `object` is the stored object it came from.
struct Deployment {
  std::string name, ns, uid;
  int64_t generation = 0;
  bool deleting = false;
  int32_t replicas = 1;
  std::string strategy = "RollingUpdate";
  json::value max_surge, max_unavailable;  // IntOrString, null when absent
  bool paused = false;
  std::optional<int32_t> progress_deadline_seconds, revision_history_limit;
  int32_t min_ready_seconds = 0;
  Annotations annotations;
  DeploymentStatus status;
  std::shared_ptr<const json::value> object;

  static Deployment FromJson(std::shared_ptr<const json::value> obj);
  const json::value* Template() const;
  const json::value* Selector() const;
};

// The ReplicaSet fields the controller reads; immutable once built.
struct ReplicaSet {
  std::string name, ns, uid;
  absl::Time created = absl::UnixEpoch();
  int64_t generation = 0, observed_generation = 0;
  bool deleting = false;
  int32_t replicas = 0;  // spec.replicas
  int32_t status_replicas = 0, ready_replicas = 0, available_replicas = 0;
  std::string controller_uid;  // uid of the controller ownerReference, "" when none
  Annotations annotations;
  std::vector<Condition> failure_conditions;  // status.conditions of type ReplicaFailure
  std::shared_ptr<const json::value> object;

  static ReplicaSet FromJson(std::shared_ptr<const json::value> obj);
  const json::value* Template() const;
};

using RsPtr = std::shared_ptr<const ReplicaSet>;
using RsList = std::vector<RsPtr>;

// ---- maxSurge / maxUnavailable

// intstr.GetScaledValueFromIntOrPercent: an integer as is, "N%" as N% of `total` rounded up or
// down; null counts as 0. Other strings are InvalidArgument.
absl::StatusOr<int32_t> ScaledValue(const json::value& v, int32_t total, bool round_up);

struct Fenceposts {
  int32_t surge = 0, unavailable = 0;
  bool operator==(const Fenceposts&) const = default;
};
// Surge rounds up, unavailable down; both zero forces unavailable to 1.
absl::StatusOr<Fenceposts> ResolveFenceposts(const json::value& max_surge,
                                             const json::value& max_unavailable, int32_t desired);

bool IsRollingUpdate(const Deployment& d);
// 0 unless RollingUpdate.
int32_t MaxSurge(const Deployment& d);
// 0 unless RollingUpdate with replicas > 0; capped at spec.replicas.
int32_t MaxUnavailable(const Deployment& d);
bool HasProgressDeadline(const Deployment& d);
bool HasRevisionHistoryLimit(const Deployment& d);

// ---- ReplicaSet lists

// Oldest first; equal timestamps by name.
void SortByCreation(RsList& list);
// Largest spec.replicas first; ties newer first (scaling up) or older first (scaling down).
void SortBySizeNewer(RsList& list);
void SortBySizeOlder(RsList& list);
// Ascending revision; unparsable or equal revisions by creation.
void SortByRevision(RsList& list);
// Non-null sets with spec.replicas > 0.
RsList FilterActive(const RsList& list);
int32_t SumReplicas(const RsList& list);
int32_t SumStatusReplicas(const RsList& list);
int32_t SumReadyReplicas(const RsList& list);
int32_t SumAvailableReplicas(const RsList& list);

// The revision annotation: 0 when absent, nullopt when it does not parse.
std::optional<int64_t> Revision(const ReplicaSet& rs);
int64_t MaxRevision(const RsList& list);
// Second-highest revision (what `rollout undo` goes back to).
int64_t LastRevision(const RsList& list);

// The oldest set whose template equals the Deployment's (ignoring the hash label), or null.
RsPtr FindNewReplicaSet(const Deployment& d, RsList list);
// Every set except the new one.
RsList FindOldReplicaSets(const Deployment& d, const RsList& list);
// With at most one active set: that set, or (none active) the new set, else the newest old set.
// Null when several sets are active.
RsPtr FindActiveOrLatest(const RsPtr& new_rs, RsList old_rss);
// The new set owns every desired replica and all are available.
bool IsSaturated(const Deployment& d, const RsPtr& rs);

// ---- sizing

// NewRSNewReplicas: the new set's next size under the surge budget (RollingUpdate), or
// spec.replicas (Recreate).
absl::StatusOr<int32_t> NewRSNewReplicas(const Deployment& d, const RsList& all,
                                         const ReplicaSet& new_rs);

// GetProportion: how many replicas `rs` gains (or loses, negative) when the Deployment adds
// `to_add` replicas in total and `added` have been handed out already.
int32_t GetProportion(const ReplicaSet& rs, const Deployment& d, int32_t to_add, int32_t added);

struct ScaleStep {
  RsPtr rs;
  int32_t replicas = 0;  // target spec.replicas
};
// Proportional scaling of the active sets (Kubernetes' `scale` for RollingUpdate): the steps in
// the order they are applied, leftovers going to the first (largest) set.
std::vector<ScaleStep> ProportionalScale(const Deployment& d, RsList active);

// Scale-down of old sets' unavailable replicas first (cleanupUnhealthyReplicas), oldest first,
// at most `max_cleanup` in total. Returns only the sets that change. Sets *invalid (keeping the
// steps before it) when a set has more available replicas than desired, where Kubernetes gives
// up scaling down for this sync.
std::vector<ScaleStep> CleanupUnhealthyPlan(RsList old_rss, int32_t max_cleanup, bool* invalid);
// Availability-bounded scale-down of old sets (scaleDownOldReplicaSetsForRollingUpdate).
std::vector<ScaleStep> ScaleDownOldPlan(const Deployment& d, const RsList& all, RsList old_rss);
// maxScaledDown of reconcileOldReplicaSets: what the old sets may lose without going under
// minAvailable, counting the new set's unavailable replicas.
int32_t MaxScaledDown(const Deployment& d, const RsList& all, const ReplicaSet& new_rs);

// Old sets revisionHistoryLimit lets go, in deletion order (cleanupDeployment).
RsList HistoryToDelete(const Deployment& d, const RsList& old_rss);

// The ownerReference a Deployment's ReplicaSets carry: controller and blockOwnerDeletion.
json::object ControllerRefTo(const Deployment& d);

// ---- annotations

// Copies the Deployment's annotations (but the skip list) onto a new set's, raises its revision
// to `new_revision` when lower (keeping the old number in revision-history when it had one),
// and for a set about to be created adds desired/max replicas. True when anything changed.
bool SetNewReplicaSetAnnotations(const Deployment& d, Annotations* rs, int64_t new_revision,
                                 bool exists, size_t history_limit_chars);
bool SetReplicasAnnotations(Annotations* rs, int32_t desired, int32_t max);
bool ReplicasAnnotationsNeedUpdate(const Annotations& rs, int32_t desired, int32_t max);
// Sets the Deployment's revision annotation; true when it changed.
bool SetDeploymentRevision(Deployment* d, std::string_view revision);
// The annotations a Deployment gets when rolled back to `rs` (SetDeploymentAnnotationsTo).
Annotations RollbackAnnotations(const Annotations& deployment, const Annotations& rs);
bool SkipCopyAnnotation(std::string_view key);
// Parsed integer annotation (strconv.Atoi), nullopt when absent or invalid.
std::optional<int32_t> IntAnnotation(const Annotations& a, std::string_view key);

// ---- status and conditions

Condition NewCondition(std::string_view type, std::string_view status, std::string_view reason,
                       std::string message, absl::Time now);
const Condition* GetCondition(const DeploymentStatus& s, std::string_view type);
// Same status and reason: no change. Same status: keeps lastTransitionTime. Appends last.
void SetCondition(DeploymentStatus* s, Condition c);
void RemoveCondition(DeploymentStatus* s, std::string_view type);

// calculateStatus: counts from the sets and the Available condition.
DeploymentStatus CalculateStatus(const RsList& all, const RsPtr& new_rs, const Deployment& d,
                                 absl::Time now);
bool DeploymentComplete(const Deployment& d, const DeploymentStatus& s);
bool DeploymentProgressing(const Deployment& d, const DeploymentStatus& s);
bool DeploymentTimedOut(const Deployment& d, const DeploymentStatus& s, absl::Time now);
// The Progressing condition rules of syncRolloutStatus applied to `s` (computed for `d`), plus
// the ReplicaFailure condition copied from the sets.
void UpdateRolloutConditions(const Deployment& d, const RsList& all, const RsPtr& new_rs,
                             absl::Time now, DeploymentStatus* s);
// requeueStuckDeployment: when to look again for a deadline (zero: now), nullopt for never.
std::optional<absl::Duration> ProgressCheckAfter(const Deployment& d, const DeploymentStatus& s,
                                                 absl::Time now);

}  // namespace skiff::controllers::deployment

// StatefulSet pod identity as Kubernetes' stateful_set_utils.go defines it: ordinals parsed from
// pod names, pod and claim names, the identity labels, hostname/subdomain, the claim volumes a
// pod mounts, the pod health predicates the controller decides on, and building a new pod for
// an ordinal. Pure functions over JSON objects; safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"

namespace skiff::controllers::statefulset {

inline constexpr std::string_view kPodNameLabel = "statefulset.kubernetes.io/pod-name";
inline constexpr std::string_view kPodIndexLabel = "apps.kubernetes.io/pod-index";
inline constexpr std::string_view kRevisionLabel = "controller-revision-hash";

struct ParentAndOrdinal {
  std::string parent;  // "" when the name does not end in -<digits>
  int ordinal = -1;    // -1 when missing or not an int32
};
// Splits "<parent>-<ordinal>" (the regexp (.*)-([0-9]+)$).
ParentAndOrdinal ParseParentAndOrdinal(std::string_view pod_name);
// The pod's ordinal, -1 when its name has none.
int Ordinal(const boost::json::value& pod);

// spec.replicas (default 1) and spec.ordinals.start (default 0).
int Replicas(const boost::json::value& set);
int StartOrdinal(const boost::json::value& set);
// The last ordinal of the range (inclusive): start + replicas - 1.
int EndOrdinal(const boost::json::value& set);
bool PodInOrdinalRange(const boost::json::value& pod, const boost::json::value& set);

std::string PodName(std::string_view set_name, int ordinal);
// "<claim template>-<set>-<ordinal>".
std::string ClaimName(std::string_view template_name, std::string_view set_name, int ordinal);

// The pod's name parses to this set's name.
bool IsMemberOf(const boost::json::value& set, const boost::json::value& pod);
// Name, namespace and the pod-name label fit the pod's ordinal in this set.
bool IdentityMatches(const boost::json::value& set, const boost::json::value& pod);
// Every volumeClaimTemplate has a pod volume of its name using the ordinal's claim.
bool StorageMatches(const boost::json::value& set, const boost::json::value& pod);

// Sets name, namespace and the pod-name and pod-index labels.
void UpdateIdentity(const boost::json::value& set, boost::json::value& pod);
// UpdateIdentity plus spec.hostname and spec.subdomain (serviceName), which are immutable and
// so only set on creation.
void InitIdentity(const boost::json::value& set, boost::json::value& pod);
// The claim volumes first (replacing volumes of the same name), then the pod's other volumes.
void UpdateStorage(const boost::json::value& set, boost::json::value& pod);

std::string PodRevision(const boost::json::value& pod);
void SetPodRevision(boost::json::value& pod, std::string_view revision);

// A new pod for `ordinal` from the set's template: controller ownerRef, identity, storage. It has
// no status, so IsCreated() is false for it.
boost::json::value NewStatefulSetPod(const boost::json::value& set, int ordinal);
// A new pod at the current revision when its ordinal is below the partition (or, for a
// RollingUpdate without rollingUpdate, below start + status.currentReplicas), else at the update
// revision; labelled with that revision's name.
boost::json::value NewVersionedStatefulSetPod(const boost::json::value& current_set,
                                              const boost::json::value& update_set,
                                              std::string_view current_revision,
                                              std::string_view update_revision, int ordinal);

// ---- health (statuses as the kubelet writes them)
// The API server has seen it: status.phase is set.
bool IsCreated(const boost::json::value& pod);
bool IsPending(const boost::json::value& pod);
bool IsFailed(const boost::json::value& pod);
bool IsSucceeded(const boost::json::value& pod);
bool IsTerminating(const boost::json::value& pod);
bool IsRunningAndReady(const boost::json::value& pod);
// Ready for longer than minReadySeconds (podutil.IsPodAvailable).
bool IsRunningAndAvailable(const boost::json::value& pod, int64_t min_ready_seconds,
                           absl::Time now);
bool IsHealthy(const boost::json::value& pod);
// Not healthy, or not yet available.
bool IsUnavailable(const boost::json::value& pod, int64_t min_ready_seconds, absl::Time now);

// podManagementPolicy is Parallel.
bool AllowsBurst(const boost::json::value& set);

}  // namespace skiff::controllers::statefulset

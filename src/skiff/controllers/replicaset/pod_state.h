// Reads of a pod's state the ReplicaSet controller decides on: active, ready, available, ready
// time, restarts, deletion cost and controller reference, as Kubernetes' pod helpers define
// them. Pure functions over the JSON object; safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "skiff/controllers/common/controller_ref.h"

namespace skiff::controllers::replicaset {

// The annotation ranking pods for scale-down (lower cost goes first).
inline constexpr std::string_view kPodDeletionCost = "controller.kubernetes.io/pod-deletion-cost";

// Neither Succeeded nor Failed, and not being deleted.
bool IsPodActive(const boost::json::value& pod);
// The Ready condition is "True".
bool IsPodReady(const boost::json::value& pod);
// lastTransitionTime of the Ready=True condition; nullopt when not ready or unset.
std::optional<absl::Time> PodReadyTime(const boost::json::value& pod);
// Ready, and Ready for longer than `min_ready_seconds` (strictly) at `now`.
bool IsPodAvailable(const boost::json::value& pod, int64_t min_ready_seconds, absl::Time now);
// The highest restartCount among status.containerStatuses (0 when none).
int64_t MaxContainerRestarts(const boost::json::value& pod);
// The pod-deletion-cost annotation as an int32; 0 when absent or not a canonical int32
// ("+1", "007" and out-of-range values count as 0).
int32_t PodDeletionCost(const boost::json::value& pod);
// metadata.creationTimestamp; nullopt when absent (Go's zero time).
std::optional<absl::Time> CreationTime(const boost::json::value& obj);
// A metav1.Time string; nullopt when missing or malformed.
std::optional<absl::Time> ParseTime(const boost::json::value* v);

// "ns/name", the key expectations track pods by.
std::string PodKey(const boost::json::value& pod);

}  // namespace skiff::controllers::replicaset

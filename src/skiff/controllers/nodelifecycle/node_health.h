// The node lifecycle controller's pure decisions (Kubernetes'
// pkg/controller/nodelifecycle/node_lifecycle_controller.go): when a node's kubelet counts as
// gone (neither its Ready heartbeat nor its Lease renewed within the grace period) and what its
// conditions become then, which NoSchedule taints its conditions call for, how a taint swap
// changes spec.taints, and how healthy a zone is. Pure functions; safe from any thread.
#pragma once

#include <array>
#include <boost/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "skiff/api/taints.h"

namespace skiff::controllers::nodelifecycle {

// The conditions the kubelet owns; they turn Unknown when it stops reporting.
// (NetworkUnavailable is left alone: the network plugin owns it.)
inline constexpr std::array<std::string_view, 4> kKubeletConditions = {
    "Ready", "MemoryPressure", "DiskPressure", "PIDPressure"};
inline constexpr std::string_view kNodeStatusUnknownReason = "NodeStatusUnknown";
inline constexpr std::string_view kNodeStatusUnknownMessage =
    "Kubelet stopped posting node status.";
inline constexpr std::string_view kNodeStatusNeverUpdatedReason = "NodeStatusNeverUpdated";
inline constexpr std::string_view kNodeStatusNeverUpdatedMessage =
    "Kubelet never posted node status.";
// Nodes with this label do not count in their zone's health.
inline constexpr std::string_view kExcludeDisruptionLabel = "node.kubernetes.io/exclude-disruption";

struct HealthTimings {
  absl::Duration monitor_grace = absl::Seconds(50);  // --node-monitor-grace-period (1.32)
  absl::Duration startup_grace = absl::Seconds(60);  // --node-startup-grace-period
};

// What the controller remembers of a node between passes (nodeHealthData).
struct NodeHealth {
  // When the controller last saw a sign of life: a new Ready heartbeat or a renewed Lease.
  absl::Time probe_timestamp;
  absl::Time ready_transition_timestamp;
  // The Ready condition of the status last seen; nullopt when it had none.
  struct Ready {
    std::string status, last_heartbeat, last_transition;
  };
  std::optional<Ready> ready;
  std::optional<absl::Time> lease_renew_time;  // of the last Lease seen
};

// The outcome of looking at one node (tryUpdateNodeHealth).
struct HealthUpdate {
  NodeHealth health;                  // remember this, unless `write` succeeds
  std::optional<NodeHealth> written;  // remember this instead once `conditions` is written
  absl::Duration grace;
  // The Ready status as read; "Unknown" when the node has no Ready condition.
  std::string observed_ready;
  // The Ready status after this update; nullopt while the node has no Ready condition.
  std::optional<std::string> current_ready;
  bool write = false;             // status.conditions must become `conditions`
  boost::json::array conditions;  // with the kubelet's conditions Unknown
};

// `saved` is what was remembered (nullptr the first time); `lease` the node's Lease in
// kube-node-lease, if any.
HealthUpdate EvaluateNodeHealth(const NodeHealth* saved, const boost::json::value& node,
                                const boost::json::value* lease, absl::Time now,
                                const HealthTimings& timings);

// The status of the node's condition `type` ("True", "False", "Unknown"); nullopt if absent.
std::optional<std::string> ConditionStatus(const boost::json::value& node, std::string_view type);

// nodetopology.GetZoneKey: "" without region and zone labels, else region ":\0:" zone.
std::string ZoneKey(const boost::json::value& node);

enum class ZoneState { kInitial, kNormal, kFullDisruption, kPartialDisruption };
std::string_view ZoneStateName(ZoneState s);
struct ZoneHealth {
  int unhealthy = 0;
  ZoneState state = ZoneState::kNormal;
  friend bool operator==(const ZoneHealth&, const ZoneHealth&) = default;
};
// `ready` holds each node's Ready status (nullopt: none). No Ready node means full
// disruption; more than two not-ready nodes making up at least `unhealthy_threshold` of the
// zone mean partial disruption.
ZoneHealth ComputeZoneState(std::span<const std::optional<std::string>> ready,
                            double unhealthy_threshold);

// The NoSchedule taints the node's conditions and spec.unschedulable call for
// (TaintNodesByCondition): Ready False -> not-ready, Ready Unknown -> unreachable, MemoryPressure /
// DiskPressure / PIDPressure / NetworkUnavailable True -> memory-/disk-/pid-pressure /
// network-unavailable, unschedulable -> unschedulable.
std::vector<api::Taint> ConditionTaints(const boost::json::value& node);
// A NoSchedule taint the controller manages that way.
bool IsConditionTaint(const api::Taint& taint);

// Kubernetes' NoExecute taint templates the controller adds.
api::Taint UnreachableNoExecute();
api::Taint NotReadyNoExecute();
// A taint with the same key and effect is on the node.
bool HasTaint(const boost::json::value& node, const api::Taint& taint);

// spec.taints after adding `add` (each stamped with `time_added`; an existing taint with the
// same key and effect is replaced unless identical) and removing every taint matching one of
// `remove` by key and effect; nullopt when nothing changes.
std::optional<boost::json::array> SwapTaints(const boost::json::value& node,
                                             std::span<const api::Taint> add,
                                             std::span<const api::Taint> remove,
                                             std::string_view time_added);

// Taints in `a` with no taint of the same key and effect in `b`.
std::vector<api::Taint> TaintsMissingFrom(std::span<const api::Taint> a,
                                          std::span<const api::Taint> b);

}  // namespace skiff::controllers::nodelifecycle

// Node taints and pod tolerations (core/v1 Taint, Toleration) and the matching rules of
// Kubernetes' ToleratesTaint, shared by the scheduler, the DaemonSet controller and node
// lifecycle / taint eviction. Pure values and functions; safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace skiff::api {

inline constexpr std::string_view kTaintEffectNoSchedule = "NoSchedule";
inline constexpr std::string_view kTaintEffectPreferNoSchedule = "PreferNoSchedule";
inline constexpr std::string_view kTaintEffectNoExecute = "NoExecute";

// Well-known taint keys (core/v1 well_known_taints.go).
inline constexpr std::string_view kTaintNodeNotReady = "node.kubernetes.io/not-ready";
inline constexpr std::string_view kTaintNodeUnreachable = "node.kubernetes.io/unreachable";
inline constexpr std::string_view kTaintNodeUnschedulable = "node.kubernetes.io/unschedulable";
inline constexpr std::string_view kTaintNodeMemoryPressure = "node.kubernetes.io/memory-pressure";
inline constexpr std::string_view kTaintNodeDiskPressure = "node.kubernetes.io/disk-pressure";
inline constexpr std::string_view kTaintNodePIDPressure = "node.kubernetes.io/pid-pressure";
inline constexpr std::string_view kTaintNodeNetworkUnavailable =
    "node.kubernetes.io/network-unavailable";
inline constexpr std::string_view kTaintNodeOutOfService = "node.kubernetes.io/out-of-service";

struct Taint {
  std::string key;
  std::string value;
  std::string effect;        // NoSchedule, PreferNoSchedule, NoExecute
  std::string time_added{};  // RFC 3339, set for NoExecute taints by node lifecycle; may be empty

  // Kubernetes' Taint.ToString(): "key=value:effect", "key:effect" when the value is empty.
  std::string ToString() const;
  boost::json::object ToJson() const;
  friend bool operator==(const Taint& a, const Taint& b) {
    return a.key == b.key && a.value == b.value && a.effect == b.effect;
  }
};

struct Toleration {
  std::string key;  // empty: every key (only valid with operator Exists)
  std::string op;   // "", "Equal" or "Exists"; "" means Equal
  std::string value;
  std::string effect;                           // empty: every effect
  std::optional<int64_t> toleration_seconds{};  // NoExecute only: how long the pod may stay

  friend bool operator==(const Toleration& a, const Toleration& b) = default;
};

// node.spec.taints / pod.spec.tolerations arrays (nullptr or non-arrays give an empty list;
// entries that are not objects are skipped).
std::vector<Taint> ParseTaints(const boost::json::value* taints);
std::vector<Toleration> ParseTolerations(const boost::json::value* tolerations);

// Kubernetes' Toleration.ToleratesTaint: effects must be equal unless the toleration's is
// empty; keys must be equal unless the toleration's is empty; operator Exists ignores the
// value, Equal (or empty) needs equal values; any other operator tolerates nothing.
bool ToleratesTaint(const Toleration& toleration, const Taint& taint);
// True when some toleration tolerates `taint`.
bool TolerationsTolerateTaint(std::span<const Toleration> tolerations, const Taint& taint);

// Which taint effects a check looks at.
enum class TaintFilter {
  kAll,
  kNoScheduleOrNoExecute,  // what the scheduler and DaemonSets filter on
  kNoExecute,              // what taint eviction acts on
  kPreferNoSchedule,
};
bool TaintPassesFilter(const Taint& taint, TaintFilter filter);

// The first taint (in node order) that passes `filter` and no toleration tolerates; nullptr
// when there is none (Kubernetes' FindMatchingUntoleratedTaint).
const Taint* FindUntoleratedTaint(std::span<const Taint> taints,
                                  std::span<const Toleration> tolerations, TaintFilter filter);

// For taint eviction: when every taint in `taints` (typically the NoExecute ones) is tolerated,
// returns, for each taint, the first toleration that tolerates it (Kubernetes'
// GetMatchingTolerations); nullopt when some taint is not tolerated. An empty `taints` gives an
// empty list.
std::optional<std::vector<Toleration>> MatchingTolerations(std::span<const Taint> taints,
                                                           std::span<const Toleration> tolerations);
// The shortest tolerationSeconds among `tolerations` (values below 0 count as 0); 0 for an empty
// list; nullopt when none sets it, meaning "tolerate forever" (Kubernetes'
// getMinTolerationTime).
std::optional<int64_t> MinTolerationSeconds(std::span<const Toleration> tolerations);

}  // namespace skiff::api

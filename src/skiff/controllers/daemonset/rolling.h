// The DaemonSet RollingUpdate arithmetic (Kubernetes' daemon/update.go rollingUpdate and
// util.SurgeCount / UnavailableCount): maxSurge and maxUnavailable resolved against the desired
// node count, both rounding percentages UP, and the plan of old pods to delete (no surge) or new
// pods to create beside old ones (surge) within those bounds. Pure functions; safe from any
// thread.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "skiff/client/informer.h"
#include "skiff/controllers/daemonset/node_eligibility.h"

namespace skiff::controllers::daemonset {

// A DaemonSet's claimed pods by target node name.
using NodePods = std::map<std::string, std::vector<client::ObjPtr>>;
// What each existing node allows, by node name.
using NodeFits = std::map<std::string, NodeFit>;

// What tells new pods from old ones, and availability.
struct Revision {
  std::string hash;                   // the current revision's hash
  std::optional<int64_t> generation;  // templateGeneration, when the annotation parses
  int64_t min_ready_seconds = 0;
  absl::Time now;
};

// maxSurge of a RollingUpdate DaemonSet for `desired` nodes (0 for OnDelete or when unset);
// InvalidArgument for a malformed value.
absl::StatusOr<int> SurgeCount(const boost::json::value& ds, int desired);
// maxUnavailable likewise.
absl::StatusOr<int> UnavailableCount(const boost::json::value& ds, int desired);
// A RollingUpdate with a maxSurge above zero.
bool AllowsSurge(const boost::json::value& ds);

struct RollingLimits {
  int max_surge = 0, max_unavailable = 0, desired = 0;
  bool operator==(const RollingLimits&) const = default;
};
// updatedDesiredNodeCounts: the limits over the should-run nodes; when both come out 0 while
// pods are desired, maxUnavailable is 1.
absl::StatusOr<RollingLimits> ResolveLimits(const boost::json::value& ds, const NodeFits& fits);

struct RollingPlan {
  std::vector<std::string> pods_to_delete;   // pod names
  std::vector<std::string> nodes_to_create;  // node names that get a new pod now
  bool operator==(const RollingPlan&) const = default;
};

// One RollingUpdate step. `pods` holds the claimed pods (terminating ones included); nodes are
// visited in name order.
//  - Without surge: nodes without a pod, with both an old and a new pod, or with an unavailable
//    new pod count as unavailable; unavailable old pods are always replaced; available old pods
//    are deleted while the unavailable count stays within maxUnavailable.
//  - With surge: a new pod is created beside an unavailable old pod at once and beside up to
//    maxSurge available old pods; an old pod goes once the new one is available. Old pods on
//    nodes that should not run one any more go only while more pods are available than desired.
RollingPlan PlanRollingUpdate(const RollingLimits& limits, const NodeFits& fits,
                              const NodePods& pods, const Revision& rev);

}  // namespace skiff::controllers::daemonset

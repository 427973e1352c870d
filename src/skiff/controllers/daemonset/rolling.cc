#include "skiff/controllers/daemonset/rolling.h"

#include <algorithm>

#include "skiff/api/object.h"
#include "skiff/controllers/daemonset/daemon_pod.h"
#include "skiff/controllers/deployment/util/deployment_util.h"
#include "skiff/controllers/replicaset/pod_state.h"

namespace skiff::controllers::daemonset {

namespace json = boost::json;

namespace {

absl::StatusOr<int> RollingValue(const json::value& ds, std::string_view field, int desired) {
  if (api::GetString(ds, {"spec", "updateStrategy", "type"}) != "RollingUpdate") return 0;
  const json::value* v = api::Find(ds, {"spec", "updateStrategy", "rollingUpdate", field});
  if (v == nullptr || v->is_null()) return 0;
  auto n = deployment::ScaledValue(*v, desired, /*round_up=*/true);
  if (!n.ok()) return n.status();
  return static_cast<int>(*n);
}

std::string_view Name(const client::ObjPtr& p) { return api::GetString(*p, {"metadata", "name"}); }

// findUpdatedPodsOnNode over the non-terminating pods of one node: at most one new and one old
// pod, or false when there are more (the manage loop prunes those first).
bool SplitNodePods(const std::vector<client::ObjPtr>& pods, const Revision& rev,
                   client::ObjPtr* new_pod, client::ObjPtr* old_pod) {
  *new_pod = nullptr;
  *old_pod = nullptr;
  for (const client::ObjPtr& p : pods) {
    if (IsDeleting(*p)) continue;
    client::ObjPtr* slot = IsPodUpdated(*p, rev.hash, rev.generation) ? new_pod : old_pod;
    if (*slot != nullptr) return false;
    *slot = p;
  }
  return true;
}

bool Available(const client::ObjPtr& pod, const Revision& rev) {
  return replicaset::IsPodAvailable(*pod, rev.min_ready_seconds, rev.now);
}

bool ShouldRun(const NodeFits& fits, const std::string& node) {
  auto it = fits.find(node);
  return it != fits.end() && it->second.should_run;
}

// Every claimed node plus every should-run node (with no pods).
NodePods WithDesiredNodes(const NodeFits& fits, const NodePods& pods) {
  NodePods all = pods;
  for (const auto& [node, fit] : fits) {
    if (fit.should_run) all.try_emplace(node);
  }
  return all;
}

RollingPlan PlanWithoutSurge(const RollingLimits& limits, const NodePods& nodes,
                             const Revision& rev) {
  RollingPlan plan;
  int unavailable = 0;
  std::vector<std::string> candidates;
  for (const auto& [node, pods] : nodes) {
    client::ObjPtr new_pod, old_pod;
    if (!SplitNodePods(pods, rev, &new_pod, &old_pod)) {
      ++unavailable;
      continue;
    }
    if ((old_pod == nullptr) == (new_pod == nullptr)) {
      // Nothing yet, or both: the manage loop creates or prunes.
      ++unavailable;
    } else if (new_pod != nullptr) {
      if (!Available(new_pod, rev)) ++unavailable;
    } else if (!Available(old_pod, rev)) {
      plan.pods_to_delete.emplace_back(Name(old_pod));
      ++unavailable;
    } else if (unavailable < limits.max_unavailable) {
      candidates.emplace_back(Name(old_pod));
    }
  }
  int room =
      std::clamp(limits.max_unavailable - unavailable, 0, static_cast<int>(candidates.size()));
  plan.pods_to_delete.insert(plan.pods_to_delete.end(), candidates.begin(),
                             candidates.begin() + room);
  return plan;
}

RollingPlan PlanWithSurge(const RollingLimits& limits, const NodeFits& fits, const NodePods& nodes,
                          const Revision& rev) {
  RollingPlan plan;
  std::vector<std::string> leaving;     // old pods on nodes that should not run one
  std::vector<std::string> candidates;  // nodes where a new pod may surge
  int surging = 0;
  int available = 0;
  for (const auto& [node, pods] : nodes) {
    client::ObjPtr new_pod, old_pod;
    if (!SplitNodePods(pods, rev, &new_pod, &old_pod)) {
      ++surging;
      continue;
    }
    if (old_pod != nullptr) {
      if (Available(old_pod, rev)) ++available;
    } else if (new_pod != nullptr && Available(new_pod, rev)) {
      ++available;
    }
    if (old_pod == nullptr) continue;  // the manage loop handles it
    if (new_pod == nullptr) {
      if (!Available(old_pod, rev)) {
        if (!ShouldRun(fits, node)) {
          plan.pods_to_delete.emplace_back(Name(old_pod));
        } else {
          plan.nodes_to_create.push_back(node);
        }
      } else if (!ShouldRun(fits, node)) {
        leaving.emplace_back(Name(old_pod));
      } else if (surging < limits.max_surge) {
        candidates.push_back(node);
      }
      continue;
    }
    // Already surged here: wait for the new pod, then retire the old one.
    if (!Available(new_pod, rev)) {
      ++surging;
    } else {
      plan.pods_to_delete.emplace_back(Name(old_pod));
    }
  }
  // Full availability is the point of surging: leave a node only while the pods elsewhere
  // already cover every desired node.
  int deletable = std::min(available - limits.desired, static_cast<int>(leaving.size()));
  for (int i = 0; i < deletable; ++i) plan.pods_to_delete.push_back(leaving[i]);
  int room = std::clamp(limits.max_surge - surging, 0, static_cast<int>(candidates.size()));
  plan.nodes_to_create.insert(plan.nodes_to_create.end(), candidates.begin(),
                              candidates.begin() + room);
  return plan;
}

}  // namespace

absl::StatusOr<int> SurgeCount(const json::value& ds, int desired) {
  return RollingValue(ds, "maxSurge", desired);
}

absl::StatusOr<int> UnavailableCount(const json::value& ds, int desired) {
  return RollingValue(ds, "maxUnavailable", desired);
}

bool AllowsSurge(const json::value& ds) {
  auto surge = SurgeCount(ds, 1);
  return surge.ok() && *surge > 0;
}

absl::StatusOr<RollingLimits> ResolveLimits(const json::value& ds, const NodeFits& fits) {
  RollingLimits limits;
  for (const auto& [node, fit] : fits) {
    if (fit.should_run) ++limits.desired;
  }
  auto unavailable = UnavailableCount(ds, limits.desired);
  if (!unavailable.ok()) {
    return absl::InvalidArgumentError("invalid value for MaxUnavailable: " +
                                      std::string(unavailable.status().message()));
  }
  auto surge = SurgeCount(ds, limits.desired);
  if (!surge.ok()) {
    return absl::InvalidArgumentError("invalid value for MaxSurge: " +
                                      std::string(surge.status().message()));
  }
  limits.max_unavailable = *unavailable;
  limits.max_surge = *surge;
  if (limits.desired > 0 && limits.max_unavailable == 0 && limits.max_surge == 0) {
    limits.max_unavailable = 1;
  }
  return limits;
}

RollingPlan PlanRollingUpdate(const RollingLimits& limits, const NodeFits& fits,
                              const NodePods& pods, const Revision& rev) {
  NodePods nodes = WithDesiredNodes(fits, pods);
  if (limits.max_surge == 0) return PlanWithoutSurge(limits, nodes, rev);
  return PlanWithSurge(limits, fits, nodes, rev);
}

}  // namespace skiff::controllers::daemonset

// What one node's daemon pods need (Kubernetes' podsShouldBeOnNode): a pod created where one
// should run and none exists, failed and succeeded pods removed, extra pods pruned (the oldest
// stays; with surge the oldest new and oldest old may stay until the new one is available), and
// every pod removed where none may run. Pure; safe from any thread.
#pragma once

#include <vector>

#include "skiff/client/informer.h"
#include "skiff/controllers/daemonset/node_eligibility.h"
#include "skiff/controllers/daemonset/rolling.h"

namespace skiff::controllers::daemonset {

struct NodePodsDecision {
  bool create = false;
  // Failed pods: deleted unless the node is backing off (the controller decides, with events).
  std::vector<client::ObjPtr> failed;
  // Succeeded pods: deleted, with an event.
  std::vector<client::ObjPtr> succeeded;
  // Other pods to delete: duplicates, or every pod when none may run.
  std::vector<client::ObjPtr> excess;
};

// `pods` are the node's claimed daemon pods (terminating ones included); `surge` is
// AllowsSurge(ds).
NodePodsDecision DecideNodePods(const NodeFit& fit, const std::vector<client::ObjPtr>* pods,
                                bool surge, const Revision& rev);

}  // namespace skiff::controllers::daemonset

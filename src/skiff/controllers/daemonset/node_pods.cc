#include "skiff/controllers/daemonset/node_pods.h"

#include "skiff/api/object.h"
#include "skiff/controllers/daemonset/daemon_pod.h"
#include "skiff/controllers/replicaset/pod_state.h"

namespace skiff::controllers::daemonset {

NodePodsDecision DecideNodePods(const NodeFit& fit, const std::vector<client::ObjPtr>* pods,
                                bool surge, const Revision& rev) {
  NodePodsDecision d;
  if (fit.should_run && pods == nullptr) {
    d.create = true;
    return d;
  }
  if (pods == nullptr) return d;
  if (!fit.should_continue_running) {
    for (const client::ObjPtr& p : *pods) {
      if (!IsDeleting(*p)) d.excess.push_back(p);
    }
    return d;
  }
  std::vector<client::ObjPtr> running;
  for (const client::ObjPtr& p : *pods) {
    if (IsDeleting(*p)) continue;
    std::string_view phase = api::GetString(*p, {"status", "phase"});
    if (phase == "Failed") {
      d.failed.push_back(p);
    } else if (phase == "Succeeded") {
      d.succeeded.push_back(p);
    } else {
      running.push_back(p);
    }
  }
  if (!surge) {
    // Without surge a node waits for its terminating pods to go before it gets a new one.
    SortOldestFirst(running);
    for (size_t i = 1; i < running.size(); ++i) d.excess.push_back(running[i]);
    return d;
  }
  if (running.empty()) {
    d.create = fit.should_run;
    return d;
  }
  if (running.size() == 1) return d;
  SortOldestFirst(running);
  client::ObjPtr oldest_new, oldest_old;
  for (const client::ObjPtr& p : running) {
    client::ObjPtr& slot = IsPodUpdated(*p, rev.hash, std::nullopt) ? oldest_new : oldest_old;
    if (slot == nullptr) {
      slot = p;
    } else {
      d.excess.push_back(p);
    }
  }
  if (oldest_new != nullptr && oldest_old != nullptr &&
      (!replicaset::IsPodReady(*oldest_old) ||
       replicaset::IsPodAvailable(*oldest_new, rev.min_ready_seconds, rev.now))) {
    d.excess.push_back(oldest_old);
  }
  return d;
}

}  // namespace skiff::controllers::daemonset

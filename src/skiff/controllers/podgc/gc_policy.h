// Which pods the pod garbage collector removes (Kubernetes' pkg/controller/podgc): terminated
// pods over a threshold, unscheduled or out-of-service terminating pods, and pods of nodes missing
// past a quarantine. Pure functions plus one small state holder; no locking.
#pragma once

#include <boost/json.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "skiff/client/informer.h"

namespace skiff::controllers::podgc {

// Phase is neither Pending, Running nor Unknown (an empty phase counts as terminated).
bool IsPodTerminated(const boost::json::value& pod);
// Failed with reason "Evicted".
bool IsPodEvicted(const boost::json::value& pod);
// The node's Ready condition is "True".
bool IsNodeReady(const boost::json::value& node);

// Terminated pods to delete so that at most `threshold` remain, in deletion order: evicted
// first, then by creation time (oldest first), then by name.
std::vector<client::ObjPtr> TerminatedPodsToDelete(const std::vector<client::ObjPtr>& pods,
                                                   int threshold);
// Pods with a deletionTimestamp and no spec.nodeName.
std::vector<client::ObjPtr> UnscheduledTerminatingPods(const std::vector<client::ObjPtr>& pods);
// Terminating pods on nodes that are not Ready and carry the node.kubernetes.io/out-of-service
// taint, in deletion order (as TerminatedPodsToDelete). `nodes` is keyed by name.
std::vector<client::ObjPtr> TerminatingOutOfServicePods(
    const std::vector<client::ObjPtr>& pods, const std::map<std::string, client::ObjPtr>& nodes);

// Node names pods are bound to but the node informer does not know. A name must stay unknown
// for the quarantine before it is worth a live check (informers lag behind new nodes).
class NodeQuarantine {
 public:
  explicit NodeQuarantine(absl::Duration quarantine) : quarantine_(quarantine) {}
  // Records the names missing now and returns those that have been quarantined long enough
  // and are still missing; they leave the quarantine (re-entering if seen missing again).
  std::vector<std::string> Due(const std::set<std::string>& missing, absl::Time now);
  size_t size() const { return ready_at_.size(); }

 private:
  absl::Duration quarantine_;
  std::map<std::string, absl::Time> ready_at_;
};

}  // namespace skiff::controllers::podgc

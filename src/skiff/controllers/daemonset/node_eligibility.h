// Which nodes a DaemonSet runs on (Kubernetes' NodeShouldRunDaemonPod): the daemon pod, with its
// default tolerations, must fit the node's name, the template's nodeSelector and required node
// affinity, and tolerate the node's NoSchedule and NoExecute taints. Resources are left to the
// scheduler. A DaemonPlacement is parsed once per DaemonSet and then immutable; safe to share.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "skiff/api/node_selector.h"
#include "skiff/api/taints.h"

namespace skiff::controllers::daemonset {

struct NodeFit {
  // A daemon pod should be created on the node when it has none.
  bool should_run = false;
  // A daemon pod already there may stay (an untolerated NoSchedule taint keeps running pods;
  // an untolerated NoExecute taint or a selector mismatch does not).
  bool should_continue_running = false;
  bool operator==(const NodeFit&) const = default;
};

class DaemonPlacement {
 public:
  // From a DaemonSet object (its spec.template).
  static DaemonPlacement FromDaemonSet(const boost::json::value& ds);

  NodeFit Evaluate(const boost::json::value& node) const;

  // The daemon pod's tolerations: the template's plus the defaults every daemon pod gets.
  const std::vector<api::Toleration>& tolerations() const { return tolerations_; }

 private:
  std::string node_name_;  // template spec.nodeName, usually empty
  api::RequiredNodeAffinity affinity_;
  std::vector<api::Toleration> tolerations_;
};

}  // namespace skiff::controllers::daemonset

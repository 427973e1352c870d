#include "skiff/scheduler/plugins/nodeunschedulable/node_unschedulable.h"

namespace skiff::scheduler::plugins {

Status NodeUnschedulable::Filter(const CycleState&, const PodInfo& pod,
                                 const NodeInfo& node) const {
  if (node.node == nullptr || !node.node->unschedulable) return Status();
  static const api::Taint kUnschedulable{std::string(api::kTaintNodeUnschedulable), "",
                                         std::string(api::kTaintEffectNoSchedule), ""};
  if (api::TolerationsTolerateTaint(pod.tolerations, kUnschedulable)) return Status();
  return Status::Unresolvable(std::string(kReason));
}

}  // namespace skiff::scheduler::plugins

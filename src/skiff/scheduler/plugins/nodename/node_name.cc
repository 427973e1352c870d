#include "skiff/scheduler/plugins/nodename/node_name.h"

namespace skiff::scheduler::plugins {

Status NodeName::Filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) const {
  if (pod.node_name.empty() || pod.node_name == node.name()) return Status();
  return Status::Unresolvable(std::string(kReason));
}

}  // namespace skiff::scheduler::plugins

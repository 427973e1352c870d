#include "skiff/scheduler/plugins/nodeports/node_ports.h"

namespace skiff::scheduler::plugins {

Status NodePorts::PreFilter(CycleState&, const PodInfo& pod, const Snapshot&, PreFilterResult*) {
  return pod.host_ports.empty() ? Status::Skip() : Status();
}

Status NodePorts::Filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) const {
  for (const HostPort& p : pod.host_ports) {
    if (node.PortConflicts(p)) return Status::Unschedulable(std::string(kReason));
  }
  return Status();
}

}  // namespace skiff::scheduler::plugins

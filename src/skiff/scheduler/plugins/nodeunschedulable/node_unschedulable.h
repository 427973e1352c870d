// NodeUnschedulable: cordoned nodes (spec.unschedulable) take only pods that tolerate the
// node.kubernetes.io/unschedulable:NoSchedule taint (DaemonSet pods do).
#pragma once

#include "skiff/scheduler/framework.h"

namespace skiff::scheduler::plugins {

class NodeUnschedulable : public FilterPlugin {
 public:
  static constexpr std::string_view kName = "NodeUnschedulable";
  static constexpr std::string_view kReason = "node(s) were unschedulable";
  std::string_view Name() const override { return kName; }
  uint32_t Events() const override { return kNodeAdd | kNodeSchedulableChange | kNodeTaintChange; }
  Status Filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
};

}  // namespace skiff::scheduler::plugins

// NodeName: a pod that names a node (spec.nodeName) fits only that node.
#pragma once

#include "skiff/scheduler/framework.h"

namespace skiff::scheduler::plugins {

class NodeName : public FilterPlugin {
 public:
  static constexpr std::string_view kName = "NodeName";
  static constexpr std::string_view kReason = "node(s) didn't match the requested node name";
  std::string_view Name() const override { return kName; }
  uint32_t Events() const override { return kNodeAdd; }
  Status Filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
};

}  // namespace skiff::scheduler::plugins

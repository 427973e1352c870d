// NodePorts: a pod's hostPorts must be free on the node (same protocol and port conflict when
// either side binds 0.0.0.0 or both bind the same address).
#pragma once

#include "skiff/scheduler/framework.h"

namespace skiff::scheduler::plugins {

class NodePorts : public PreFilterPlugin, public FilterPlugin {
 public:
  static constexpr std::string_view kName = "NodePorts";
  static constexpr std::string_view kReason =
      "node(s) didn't have free ports for the requested pod ports";
  std::string_view Name() const override { return kName; }
  uint32_t Events() const override { return kNodeAdd | kAssignedPodDelete; }
  Status PreFilter(CycleState& state, const PodInfo& pod, const Snapshot& snapshot,
                   PreFilterResult* result) override;
  Status Filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
};

}  // namespace skiff::scheduler::plugins

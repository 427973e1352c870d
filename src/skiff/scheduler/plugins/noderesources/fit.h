// NodeResourcesFit: the pod's requests (init containers, sidecars and overhead included) must fit
// in the node's allocatable minus what its pods request, and the node must have room for one
// more pod; scores nodes by the LeastAllocated strategy (cpu and memory, weight 1 each, with
// kube-scheduler's default requests for containers that set none).
#pragma once

#include "skiff/scheduler/framework.h"

namespace skiff::scheduler::plugins {

class NodeResourcesFit : public FilterPlugin, public ScorePlugin {
 public:
  static constexpr std::string_view kName = "NodeResourcesFit";
  std::string_view Name() const override { return kName; }
  uint32_t Events() const override {
    return kNodeAdd | kNodeAllocatableChange | kAssignedPodDelete;
  }
  Status Filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
  int64_t Score(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;

  // The reasons the pod does not fit ("Too many pods", "Insufficient cpu", ...), in
  // kube-scheduler's order; empty when it fits.
  static std::vector<std::string> InsufficientResources(const PodInfo& pod, const NodeInfo& node);
};

// LeastAllocated for one resource: (capacity - requested) * 100 / capacity, 0 when over.
int64_t LeastRequestedScore(int64_t requested, int64_t capacity);

}  // namespace skiff::scheduler::plugins

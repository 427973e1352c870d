// NodeResourcesBalancedAllocation: favours nodes whose cpu and memory would be used in similar
// fractions after placing the pod (score = (1 - std deviation) * 100). Skipped for pods that
// request nothing, as kube-scheduler 1.33 does.
#pragma once

#include "skiff/scheduler/framework.h"

namespace skiff::scheduler::plugins {

class NodeResourcesBalancedAllocation : public ScorePlugin {
 public:
  static constexpr std::string_view kName = "NodeResourcesBalancedAllocation";
  std::string_view Name() const override { return kName; }
  Status PreScore(CycleState& state, const PodInfo& pod, const Snapshot& snapshot,
                  std::span<const NodeInfo* const> nodes) override;
  int64_t Score(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
};

// The score for requested / allocatable pairs (pairs with allocatable 0 are ignored).
int64_t BalancedResourceScore(std::span<const int64_t> requested,
                              std::span<const int64_t> allocatable);

}  // namespace skiff::scheduler::plugins

#include "skiff/scheduler/plugins/noderesources/balanced_allocation.h"

#include <cmath>

namespace skiff::scheduler::plugins {

Status NodeResourcesBalancedAllocation::PreScore(CycleState&, const PodInfo& pod, const Snapshot&,
                                                 std::span<const NodeInfo* const>) {
  if (pod.requests.milli_cpu == 0 && pod.requests.memory == 0) return Status::Skip();
  return Status();
}

int64_t BalancedResourceScore(std::span<const int64_t> requested,
                              std::span<const int64_t> allocatable) {
  double fractions[8];
  int count = 0;
  double total = 0;
  for (size_t i = 0; i < requested.size() && count < 8; ++i) {
    if (allocatable[i] == 0) continue;
    double f = static_cast<double>(requested[i]) / static_cast<double>(allocatable[i]);
    if (f > 1) f = 1;
    total += f;
    fractions[count++] = f;
  }
  double std_dev = 0;
  if (count == 2) {
    std_dev = std::abs((fractions[0] - fractions[1]) / 2);
  } else if (count > 2) {
    double mean = total / count;
    double sum = 0;
    for (int i = 0; i < count; ++i) sum += (fractions[i] - mean) * (fractions[i] - mean);
    std_dev = std::sqrt(sum / count);
  }
  return static_cast<int64_t>((1 - std_dev) * static_cast<double>(kMaxNodeScore));
}

int64_t NodeResourcesBalancedAllocation::Score(const CycleState&, const PodInfo& pod,
                                               const NodeInfo& node) const {
  const Resource& alloc = node.node->allocatable;
  const int64_t requested[2] = {node.requested.milli_cpu + pod.requests.milli_cpu,
                                node.requested.memory + pod.requests.memory};
  const int64_t allocatable[2] = {alloc.milli_cpu, alloc.memory};
  return BalancedResourceScore(requested, allocatable);
}

}  // namespace skiff::scheduler::plugins

#include "skiff/scheduler/plugins/noderesources/fit.h"

namespace skiff::scheduler::plugins {

std::vector<std::string> NodeResourcesFit::InsufficientResources(const PodInfo& pod,
                                                                 const NodeInfo& node) {
  std::vector<std::string> out;
  const Resource& alloc = node.node->allocatable;
  if (static_cast<int64_t>(node.pods.size()) + 1 > alloc.allowed_pods) {
    out.emplace_back("Too many pods");
  }
  const Resource& req = pod.requests;
  if (req.IsZero()) return out;
  const Resource& used = node.requested;
  if (req.milli_cpu > 0 && req.milli_cpu > alloc.milli_cpu - used.milli_cpu) {
    out.emplace_back("Insufficient cpu");
  }
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) {
    out.emplace_back("Insufficient memory");
  }
  if (req.ephemeral_storage > 0 &&
      req.ephemeral_storage > alloc.ephemeral_storage - used.ephemeral_storage) {
    out.emplace_back("Insufficient ephemeral-storage");
  }
  for (const auto& [name, v] : req.scalars) {
    if (v == 0) continue;
    if (v > alloc.Scalar(name) - used.Scalar(name)) out.push_back("Insufficient " + name);
  }
  return out;
}

Status NodeResourcesFit::Filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) const {
  if (node.node == nullptr) return Status();
  std::vector<std::string> reasons = InsufficientResources(pod, node);
  if (reasons.empty()) return Status();
  return Status::Unschedulable(std::move(reasons));
}

int64_t LeastRequestedScore(int64_t requested, int64_t capacity) {
  if (capacity == 0 || requested > capacity) return 0;
  return (capacity - requested) * kMaxNodeScore / capacity;
}

int64_t NodeResourcesFit::Score(const CycleState&, const PodInfo& pod, const NodeInfo& node) const {
  const Resource& alloc = node.node->allocatable;
  int64_t score = 0, weights = 0;
  if (alloc.milli_cpu != 0) {
    score += LeastRequestedScore(node.non_zero_milli_cpu + pod.non_zero_milli_cpu, alloc.milli_cpu);
    ++weights;
  }
  if (alloc.memory != 0) {
    score += LeastRequestedScore(node.non_zero_memory + pod.non_zero_memory, alloc.memory);
    ++weights;
  }
  return weights == 0 ? 0 : score / weights;
}

}  // namespace skiff::scheduler::plugins

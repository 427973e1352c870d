// NodeAffinity: `spec.nodeSelector` and required node affinity filter nodes (a PreFilter narrows
// the search to nodes pinned with matchFields metadata.name, as DaemonSet pods are); preferred
// node affinity scores nodes by the summed weights of matching terms.
#pragma once

#include "skiff/scheduler/framework.h"

namespace skiff::scheduler::plugins {

class NodeAffinity : public PreFilterPlugin, public FilterPlugin, public ScorePlugin {
 public:
  static constexpr std::string_view kName = "NodeAffinity";
  static constexpr std::string_view kReason = "node(s) didn't match Pod's node affinity/selector";
  static constexpr std::string_view kReasonConflict = "pod affinity terms conflict";
  std::string_view Name() const override { return kName; }
  uint32_t Events() const override { return kNodeAdd | kNodeLabelChange; }
  Status PreFilter(CycleState& state, const PodInfo& pod, const Snapshot& snapshot,
                   PreFilterResult* result) override;
  Status Filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
  Status PreScore(CycleState& state, const PodInfo& pod, const Snapshot& snapshot,
                  std::span<const NodeInfo* const> nodes) override;
  int64_t Score(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
  void NormalizeScore(const CycleState& state, const PodInfo& pod,
                      std::span<NodeScore> scores) const override;
};

}  // namespace skiff::scheduler::plugins

// PodTopologySpread: `topologySpreadConstraints`. DoNotSchedule constraints filter nodes whose
// domain would exceed maxSkew over the least loaded domain (minDomains, node inclusion
// policies honoured); ScheduleAnyway constraints score nodes with fewer matching pods higher.
// Cluster-level default constraints are not applied.
#pragma once

#include "skiff/scheduler/framework.h"

namespace skiff::scheduler::plugins {

class PodTopologySpread : public PreFilterPlugin, public FilterPlugin, public ScorePlugin {
 public:
  static constexpr std::string_view kName = "PodTopologySpread";
  static constexpr std::string_view kReason =
      "node(s) didn't match pod topology spread constraints";
  static constexpr std::string_view kReasonMissingLabel =
      "node(s) didn't match pod topology spread constraints (missing required label)";

  std::string_view Name() const override { return kName; }
  uint32_t Events() const override {
    return kAssignedPodAdd | kAssignedPodUpdate | kAssignedPodDelete | kNodeAdd | kNodeDelete |
           kNodeLabelChange | kNodeTaintChange;
  }
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

// TaintToleration: nodes with a NoSchedule or NoExecute taint the pod does not tolerate are
// filtered out; among the rest, nodes with fewer untolerated PreferNoSchedule taints score
// higher (tolerations with an empty effect count for PreferNoSchedule too).
#pragma once

#include "skiff/scheduler/framework.h"

namespace skiff::scheduler::plugins {

class TaintToleration : public FilterPlugin, public ScorePlugin {
 public:
  static constexpr std::string_view kName = "TaintToleration";
  std::string_view Name() const override { return kName; }
  uint32_t Events() const override { return kNodeAdd | kNodeTaintChange; }
  Status Filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
  Status PreScore(CycleState& state, const PodInfo& pod, const Snapshot& snapshot,
                  std::span<const NodeInfo* const> nodes) override;
  int64_t Score(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
  void NormalizeScore(const CycleState& state, const PodInfo& pod,
                      std::span<NodeScore> scores) const override;
};

}  // namespace skiff::scheduler::plugins

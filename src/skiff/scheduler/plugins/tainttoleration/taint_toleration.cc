#include "skiff/scheduler/plugins/tainttoleration/taint_toleration.h"

#include "skiff/api/text.h"

namespace skiff::scheduler::plugins {

namespace {

struct PreScoreState : StateData {
  std::vector<api::Toleration> prefer_no_schedule;  // tolerations with effect "" or PNS
};

}  // namespace

Status TaintToleration::Filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) const {
  if (node.node == nullptr) return Status();
  const api::Taint* t = api::FindUntoleratedTaint(node.node->taints, pod.tolerations,
                                                  api::TaintFilter::kNoScheduleOrNoExecute);
  if (t == nullptr) return Status();
  return Status::Unresolvable(
      api::Cat("node(s) had untolerated taint {", t->key, ": ", t->value, "}"));
}

Status TaintToleration::PreScore(CycleState& state, const PodInfo& pod, const Snapshot&,
                                 std::span<const NodeInfo* const>) {
  auto s = std::make_unique<PreScoreState>();
  for (const api::Toleration& t : pod.tolerations) {
    if (t.effect.empty() || t.effect == api::kTaintEffectPreferNoSchedule) {
      s->prefer_no_schedule.push_back(t);
    }
  }
  state.Write(slot(), std::move(s));
  return Status();
}

int64_t TaintToleration::Score(const CycleState& state, const PodInfo&,
                               const NodeInfo& node) const {
  const auto* s = state.Read<PreScoreState>(slot());
  int64_t count = 0;
  for (const api::Taint& t : node.node->taints) {
    if (t.effect != api::kTaintEffectPreferNoSchedule) continue;
    if (!api::TolerationsTolerateTaint(s->prefer_no_schedule, t)) ++count;
  }
  return count;
}

void TaintToleration::NormalizeScore(const CycleState&, const PodInfo&,
                                     std::span<NodeScore> scores) const {
  DefaultNormalizeScore(kMaxNodeScore, true, scores);
}

}  // namespace skiff::scheduler::plugins

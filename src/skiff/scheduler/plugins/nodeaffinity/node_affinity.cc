#include "skiff/scheduler/plugins/nodeaffinity/node_affinity.h"

#include <algorithm>

namespace skiff::scheduler::plugins {

Status NodeAffinity::PreFilter(CycleState&, const PodInfo& pod, const Snapshot&,
                               PreFilterResult* result) {
  const RequiredNodeAffinity& req = pod.required_node_affinity;
  if (req.Empty()) return Status::Skip();
  if (!req.affinity() || req.affinity()->declared_terms() == 0) return Status();
  // Terms are ORed: only when every term pins node names can the search be narrowed.
  std::vector<std::string> names;
  bool any = false;
  for (const NodeSelectorTerm& t : req.affinity()->terms()) {
    auto pinned = t.PinnedNodeNames();
    if (!pinned) return Status();
    any = true;
    std::vector<std::string> merged;
    std::set_union(names.begin(), names.end(), pinned->begin(), pinned->end(),
                   std::back_inserter(merged));
    names = std::move(merged);
  }
  if (!any) return Status();
  if (names.empty()) return Status::Unresolvable(std::string(kReasonConflict));
  result->node_names = std::move(names);
  return Status();
}

Status NodeAffinity::Filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) const {
  if (node.node == nullptr) return Status();
  if (pod.required_node_affinity.Matches(node.node->name, &node.node->labels)) return Status();
  return Status::Unresolvable(std::string(kReason));
}

Status NodeAffinity::PreScore(CycleState&, const PodInfo& pod, const Snapshot&,
                              std::span<const NodeInfo* const>) {
  return pod.preferred_node_affinity.empty() ? Status::Skip() : Status();
}

int64_t NodeAffinity::Score(const CycleState&, const PodInfo& pod, const NodeInfo& node) const {
  int64_t score = 0;
  for (const PreferredSchedulingTerm& t : pod.preferred_node_affinity) {
    if (t.term.Matches(node.node->name, &node.node->labels)) score += t.weight;
  }
  return score;
}

void NodeAffinity::NormalizeScore(const CycleState&, const PodInfo&,
                                  std::span<NodeScore> scores) const {
  DefaultNormalizeScore(kMaxNodeScore, false, scores);
}

}  // namespace skiff::scheduler::plugins

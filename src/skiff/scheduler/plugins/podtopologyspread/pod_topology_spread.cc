#include "skiff/scheduler/plugins/podtopologyspread/pod_topology_spread.h"

#include <cmath>
#include <limits>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "skiff/base/strings.h"

namespace skiff::scheduler::plugins {

namespace json = boost::json;

namespace {

std::optional<std::string_view> NodeLabel(const NodeInfo& node, const std::string& key) {
  const json::string* v = node.node->Label(key);
  if (v == nullptr) return std::nullopt;
  return std::string_view(*v);
}

bool HasAllKeys(const NodeInfo& node, const std::vector<const SpreadConstraint*>& cs) {
  for (const SpreadConstraint* c : cs) {
    if (node.node->Label(c->topology_key) == nullptr) return false;
  }
  return true;
}

// Node inclusion policies: nodeAffinityPolicy Honor and nodeTaintsPolicy Honor.
bool NodeIncluded(const SpreadConstraint& c, const PodInfo& pod, const NodeInfo& node) {
  if (c.honor_node_affinity &&
      !pod.required_node_affinity.Matches(node.node->name, &node.node->labels)) {
    return false;
  }
  if (c.honor_node_taints &&
      api::FindUntoleratedTaint(node.node->taints, pod.tolerations,
                                api::TaintFilter::kNoScheduleOrNoExecute) != nullptr) {
    return false;
  }
  return true;
}

int64_t CountMatching(const std::vector<PodInfoPtr>& pods, const api::LabelSelector& selector,
                      const std::string& ns) {
  int64_t n = 0;
  for (const PodInfoPtr& p : pods) {
    if (p->terminating || p->ns != ns) continue;
    if (selector.Matches(&p->labels)) ++n;
  }
  return n;
}

std::vector<const SpreadConstraint*> Constraints(const PodInfo& pod, bool hard) {
  std::vector<const SpreadConstraint*> out;
  for (const SpreadConstraint& c : pod.spread_constraints) {
    if (c.do_not_schedule == hard) out.push_back(&c);
  }
  return out;
}

struct FilterState : StateData {
  struct PerConstraint {
    const SpreadConstraint* c = nullptr;
    absl::flat_hash_map<std::string, int64_t> counts;  // domain -> matching pods
    int64_t min = std::numeric_limits<int32_t>::max();
  };
  std::vector<PerConstraint> constraints;
};

struct ScoreState : StateData {
  std::vector<const SpreadConstraint*> constraints;
  absl::flat_hash_set<const NodeInfo*> ignored;
  std::vector<absl::flat_hash_map<std::string, int64_t>> counts;  // per constraint (non-hostname)
  std::vector<double> weights;
};

}  // namespace

Status PodTopologySpread::PreFilter(CycleState& state, const PodInfo& pod, const Snapshot& snapshot,
                                    PreFilterResult*) {
  std::vector<const SpreadConstraint*> hard = Constraints(pod, true);
  if (hard.empty()) return Status::Skip();
  auto s = std::make_unique<FilterState>();
  for (const SpreadConstraint* c : hard) {
    FilterState::PerConstraint pc;
    pc.c = c;
    s->constraints.push_back(std::move(pc));
  }
  for (const NodeInfo* node : snapshot.nodes()) {
    if (!HasAllKeys(*node, hard)) continue;
    for (auto& pc : s->constraints) {
      if (!NodeIncluded(*pc.c, pod, *node)) continue;
      std::string_view value = *NodeLabel(*node, pc.c->topology_key);
      pc.counts[base::Absl(value)] += CountMatching(node->pods, pc.c->selector, pod.ns);
    }
  }
  for (auto& pc : s->constraints) {
    for (const auto& [domain, n] : pc.counts) pc.min = std::min(pc.min, n);
    // Fewer eligible domains than minDomains: the global minimum counts as 0.
    if (static_cast<int64_t>(pc.counts.size()) < pc.c->min_domains) pc.min = 0;
  }
  state.Write(slot(), std::move(s));
  return Status();
}

Status PodTopologySpread::Filter(const CycleState& state, const PodInfo& pod,
                                 const NodeInfo& node) const {
  const auto* s = state.Read<FilterState>(slot());
  for (const auto& pc : s->constraints) {
    auto value = NodeLabel(node, pc.c->topology_key);
    if (!value) return Status::Unresolvable(std::string(kReasonMissingLabel));
    int64_t self = pc.c->selector.Matches(&pod.labels) ? 1 : 0;
    auto it = pc.counts.find(base::Absl(*value));
    int64_t match = it == pc.counts.end() ? 0 : it->second;
    if (match + self - pc.min > pc.c->max_skew) {
      return Status::Unschedulable(std::string(kReason));
    }
  }
  return Status();
}

Status PodTopologySpread::PreScore(CycleState& state, const PodInfo& pod, const Snapshot& snapshot,
                                   std::span<const NodeInfo* const> nodes) {
  std::vector<const SpreadConstraint*> soft = Constraints(pod, false);
  if (soft.empty() || snapshot.size() == 0) return Status::Skip();
  auto s = std::make_unique<ScoreState>();
  s->constraints = soft;
  s->counts.resize(soft.size());
  std::vector<int64_t> sizes(soft.size(), 0);
  for (const NodeInfo* node : nodes) {
    if (!HasAllKeys(*node, soft)) {
      s->ignored.insert(node);
      continue;
    }
    for (size_t i = 0; i < soft.size(); ++i) {
      if (soft[i]->topology_key == kLabelHostname) continue;
      auto [it, inserted] =
          s->counts[i].try_emplace(base::Absl(*NodeLabel(*node, soft[i]->topology_key)), 0);
      if (inserted) ++sizes[i];
    }
  }
  for (size_t i = 0; i < soft.size(); ++i) {
    int64_t size = soft[i]->topology_key == kLabelHostname
                       ? static_cast<int64_t>(nodes.size() - s->ignored.size())
                       : sizes[i];
    s->weights.push_back(std::log(static_cast<double>(size + 2)));
  }
  for (const NodeInfo* node : snapshot.nodes()) {
    if (!HasAllKeys(*node, soft)) continue;
    for (size_t i = 0; i < soft.size(); ++i) {
      if (soft[i]->topology_key == kLabelHostname) continue;
      if (!NodeIncluded(*soft[i], pod, *node)) continue;
      auto it = s->counts[i].find(base::Absl(*NodeLabel(*node, soft[i]->topology_key)));
      if (it == s->counts[i].end()) continue;
      it->second += CountMatching(node->pods, soft[i]->selector, pod.ns);
    }
  }
  state.Write(slot(), std::move(s));
  return Status();
}

int64_t PodTopologySpread::Score(const CycleState& state, const PodInfo& pod,
                                 const NodeInfo& node) const {
  const auto* s = state.Read<ScoreState>(slot());
  if (s->ignored.contains(&node)) return 0;
  double score = 0;
  for (size_t i = 0; i < s->constraints.size(); ++i) {
    const SpreadConstraint& c = *s->constraints[i];
    auto value = NodeLabel(node, c.topology_key);
    if (!value) continue;
    int64_t count;
    if (c.topology_key == kLabelHostname) {
      count = CountMatching(node.pods, c.selector, pod.ns);
    } else {
      auto it = s->counts[i].find(base::Absl(*value));
      count = it == s->counts[i].end() ? 0 : it->second;
    }
    score += static_cast<double>(count) * s->weights[i] + static_cast<double>(c.max_skew - 1);
  }
  return static_cast<int64_t>(std::round(score));
}

void PodTopologySpread::NormalizeScore(const CycleState& state, const PodInfo&,
                                       std::span<NodeScore> scores) const {
  const auto* s = state.Read<ScoreState>(slot());
  int64_t min = std::numeric_limits<int64_t>::max();
  int64_t max = 0;
  for (const NodeScore& ns : scores) {
    if (s->ignored.contains(ns.node)) continue;
    min = std::min(min, ns.score);
    max = std::max(max, ns.score);
  }
  for (NodeScore& ns : scores) {
    if (s->ignored.contains(ns.node)) {
      ns.score = 0;
    } else if (max == 0) {
      ns.score = kMaxNodeScore;
    } else {
      ns.score = kMaxNodeScore * (max + min - ns.score) / max;
    }
  }
}

}  // namespace skiff::scheduler::plugins

#include "skiff/scheduler/plugins/interpodaffinity/inter_pod_affinity.h"

#include <limits>

#include "skiff/api/object.h"
#include "skiff/base/strings.h"

namespace skiff::scheduler::plugins {

namespace json = boost::json;

namespace {

int64_t CountAt(const TopologyCounts& c, std::string_view key, std::string_view value) {
  auto k = c.find(base::Absl(key));
  if (k == c.end()) return 0;
  auto v = k->second.find(base::Absl(value));
  return v == k->second.end() ? 0 : v->second;
}

void AddAt(TopologyCounts& c, const std::string& key, std::string_view value, int64_t delta) {
  int64_t& n = c[key][std::string(value)];
  n += delta;
}

std::optional<std::string_view> NodeLabel(const NodeInfo& node, const std::string& key) {
  const json::string* v = node.node->Label(key);
  if (v == nullptr) return std::nullopt;
  return std::string_view(*v);
}

// Namespace labels, looked up at most once per namespace per scheduling attempt.
class NamespaceLabels {
 public:
  explicit NamespaceLabels(const NamespaceLookup* lookup) : lookup_(lookup) {}
  const json::object* For(const std::string& ns) {
    if (lookup_ == nullptr || !*lookup_) return nullptr;
    auto it = cache_.find(ns);
    if (it == cache_.end()) it = cache_.emplace(ns, (*lookup_)(ns)).first;
    return it->second ? api::GetObject(*it->second, {"metadata", "labels"}) : nullptr;
  }

 private:
  const NamespaceLookup* lookup_;
  absl::flat_hash_map<std::string, ObjPtr> cache_;
};

bool TermMatches(const AffinityTerm& term, const PodInfo& pod, NamespaceLabels& ns) {
  const json::object* labels = nullptr;
  if (term.namespace_selector && !term.namespace_selector->Empty() &&
      !term.namespace_selector->MatchesNothing()) {
    labels = ns.For(pod.ns);
  }
  return term.Matches(pod, labels);
}

bool MatchesAllTerms(const std::vector<AffinityTerm>& terms, const PodInfo& pod,
                     NamespaceLabels& ns) {
  if (terms.empty()) return false;
  for (const AffinityTerm& t : terms) {
    if (!TermMatches(t, pod, ns)) return false;
  }
  return true;
}

struct FilterState : StateData {
  TopologyCounts existing_anti;  // existing pods' anti-affinity terms the pod matches
  TopologyCounts affinity;       // existing pods matching all the pod's affinity terms
  TopologyCounts anti;           // existing pods matching the pod's anti-affinity terms
  bool self_match = false;       // the pod matches all its own affinity terms
};

struct ScoreState : StateData {
  TopologyCounts scores;
};

}  // namespace

Status InterPodAffinity::PreFilter(CycleState& state, const PodInfo& pod, const Snapshot& snapshot,
                                   PreFilterResult*) {
  if (pod.required_affinity.empty() && pod.required_anti_affinity.empty() &&
      snapshot.have_pods_with_required_anti_affinity().empty()) {
    return Status::Skip();
  }
  auto s = std::make_unique<FilterState>();
  NamespaceLabels ns(&namespaces_);
  for (const NodeInfo* node : snapshot.have_pods_with_required_anti_affinity()) {
    for (const PodInfoPtr& existing : node->pods_with_required_anti_affinity) {
      for (const AffinityTerm& t : existing->required_anti_affinity) {
        if (!TermMatches(t, pod, ns)) continue;
        if (auto v = NodeLabel(*node, t.topology_key))
          AddAt(s->existing_anti, t.topology_key, *v, 1);
      }
    }
  }
  if (!pod.required_affinity.empty() || !pod.required_anti_affinity.empty()) {
    for (const NodeInfo* node : snapshot.nodes()) {
      for (const PodInfoPtr& existing : node->pods) {
        if (MatchesAllTerms(pod.required_affinity, *existing, ns)) {
          for (const AffinityTerm& t : pod.required_affinity) {
            if (auto v = NodeLabel(*node, t.topology_key))
              AddAt(s->affinity, t.topology_key, *v, 1);
          }
        }
        for (const AffinityTerm& t : pod.required_anti_affinity) {
          if (!TermMatches(t, *existing, ns)) continue;
          if (auto v = NodeLabel(*node, t.topology_key)) AddAt(s->anti, t.topology_key, *v, 1);
        }
      }
    }
    s->self_match = MatchesAllTerms(pod.required_affinity, pod, ns);
  }
  state.Write(slot(), std::move(s));
  return Status();
}

Status InterPodAffinity::Filter(const CycleState& state, const PodInfo& pod,
                                const NodeInfo& node) const {
  const auto* s = state.Read<FilterState>(slot());
  // Affinity: every term's topology must exist on the node and hold a matching pod, unless no
  // pod anywhere matches and the pod matches its own terms (the first of a group).
  if (!pod.required_affinity.empty()) {
    bool pods_exist = true;
    for (const AffinityTerm& t : pod.required_affinity) {
      auto v = NodeLabel(node, t.topology_key);
      if (!v) return Status::Unresolvable(std::string(kReasonAffinity));
      if (CountAt(s->affinity, t.topology_key, *v) <= 0) pods_exist = false;
    }
    if (!pods_exist && !(s->affinity.empty() && s->self_match)) {
      return Status::Unresolvable(std::string(kReasonAffinity));
    }
  }
  for (const AffinityTerm& t : pod.required_anti_affinity) {
    auto v = NodeLabel(node, t.topology_key);
    if (v && CountAt(s->anti, t.topology_key, *v) > 0) {
      return Status::Unschedulable(std::string(kReasonAntiAffinity));
    }
  }
  if (!s->existing_anti.empty()) {
    for (const auto& kv : node.node->labels) {
      if (!kv.value().is_string()) continue;
      if (CountAt(s->existing_anti, std::string_view(kv.key()),
                  std::string_view(kv.value().get_string())) > 0) {
        return Status::Unschedulable(std::string(kReasonExistingAntiAffinity));
      }
    }
  }
  return Status();
}

Status InterPodAffinity::PreScore(CycleState& state, const PodInfo& pod, const Snapshot& snapshot,
                                  std::span<const NodeInfo* const>) {
  const bool has_preferred =
      !pod.preferred_affinity.empty() || !pod.preferred_anti_affinity.empty();
  const std::vector<const NodeInfo*>& nodes =
      has_preferred ? snapshot.nodes() : snapshot.have_pods_with_affinity();
  if (nodes.empty()) return Status::Skip();
  auto s = std::make_unique<ScoreState>();
  NamespaceLabels ns(&namespaces_);
  auto process = [&](const AffinityTerm& t, const PodInfo& target, const NodeInfo& node,
                     int64_t weight) {
    if (!TermMatches(t, target, ns)) return;
    if (auto v = NodeLabel(node, t.topology_key)) AddAt(s->scores, t.topology_key, *v, weight);
  };
  for (const NodeInfo* node : nodes) {
    const std::vector<PodInfoPtr>& pods = has_preferred ? node->pods : node->pods_with_affinity;
    for (const PodInfoPtr& existing : pods) {
      for (const AffinityTerm& t : pod.preferred_affinity) process(t, *existing, *node, t.weight);
      for (const AffinityTerm& t : pod.preferred_anti_affinity) {
        process(t, *existing, *node, -t.weight);
      }
      // Existing pods' terms about the incoming pod; required affinity counts with weight 1
      // (hardPodAffinityWeight).
      for (const AffinityTerm& t : existing->required_affinity) process(t, pod, *node, 1);
      for (const AffinityTerm& t : existing->preferred_affinity) process(t, pod, *node, t.weight);
      for (const AffinityTerm& t : existing->preferred_anti_affinity) {
        process(t, pod, *node, -t.weight);
      }
    }
  }
  if (s->scores.empty()) return Status::Skip();
  state.Write(slot(), std::move(s));
  return Status();
}

int64_t InterPodAffinity::Score(const CycleState& state, const PodInfo&,
                                const NodeInfo& node) const {
  const auto* s = state.Read<ScoreState>(slot());
  int64_t score = 0;
  for (const auto& [key, values] : s->scores) {
    const json::string* v = node.node->Label(key);
    if (v == nullptr) continue;
    auto it = values.find(base::Absl(std::string_view(*v)));
    if (it != values.end()) score += it->second;
  }
  return score;
}

void InterPodAffinity::NormalizeScore(const CycleState&, const PodInfo&,
                                      std::span<NodeScore> scores) const {
  int64_t min = std::numeric_limits<int64_t>::max();
  int64_t max = std::numeric_limits<int64_t>::min();
  for (const NodeScore& s : scores) {
    min = std::min(min, s.score);
    max = std::max(max, s.score);
  }
  int64_t diff = max - min;
  for (NodeScore& s : scores) {
    double f = 0;
    if (diff > 0) {
      f = static_cast<double>(kMaxNodeScore) * (static_cast<double>(s.score - min) / diff);
    }
    s.score = static_cast<int64_t>(f);
  }
}

}  // namespace skiff::scheduler::plugins

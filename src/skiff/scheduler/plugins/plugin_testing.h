// Runs one plugin the way the framework would, for plugin unit tests: PreFilter then Filter on a
// node, or PreScore, Score on every node and NormalizeScore. Single-threaded.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <string>

#include "skiff/scheduler/framework.h"
#include "skiff/scheduler/testing.h"

namespace skiff::scheduler::testing {

// Success when the node passes; a Skip from PreFilter counts as passing.
inline Status RunFilter(Plugin& plugin, const PodInfo& pod, const Snapshot& snap,
                        const std::string& node) {
  plugin.set_slot(0);
  CycleState state(1);
  if (auto* pf = dynamic_cast<PreFilterPlugin*>(&plugin)) {
    PreFilterResult r;
    Status s = pf->PreFilter(state, pod, snap, &r);
    if (s.IsSkip()) return Status();
    if (!s.ok()) return s;
    if (r.node_names && !std::binary_search(r.node_names->begin(), r.node_names->end(), node)) {
      return Status::Unresolvable("not in PreFilterResult");
    }
  }
  return dynamic_cast<FilterPlugin&>(plugin).Filter(state, pod, *snap.Get(node));
}

struct Scores {
  std::map<std::string, int64_t> raw, normalized;
};

// nullopt when PreScore skips.
inline std::optional<Scores> RunScore(Plugin& plugin, const PodInfo& pod, const Snapshot& snap) {
  plugin.set_slot(0);
  CycleState state(1);
  auto& sp = dynamic_cast<ScorePlugin&>(plugin);
  if (!sp.PreScore(state, pod, snap, snap.nodes()).ok()) return std::nullopt;
  Scores out;
  std::vector<NodeScore> ns;
  for (const NodeInfo* n : snap.nodes()) {
    ns.push_back({n, sp.Score(state, pod, *n)});
    out.raw[n->name()] = ns.back().score;
  }
  sp.NormalizeScore(state, pod, ns);
  for (const NodeScore& s : ns) out.normalized[s.node->name()] = s.score;
  return out;
}

}  // namespace skiff::scheduler::testing

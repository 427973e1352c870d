#include "skiff/controllers/replicaset/ranking.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "skiff/api/object.h"
#include "skiff/controllers/replicaset/pod_state.h"

namespace skiff::controllers::replicaset {

namespace json = boost::json;

namespace {

int PhaseOrdinal(std::string_view phase) {
  if (phase == "Unknown") return 1;
  if (phase == "Running") return 2;
  return 0;  // Pending, and (as a Go map lookup would) anything else
}

// Go's afterOrZero: is t1 after t2, where a zero time counts as after every other time.
bool AfterOrZero(const std::optional<absl::Time>& t1, const std::optional<absl::Time>& t2) {
  if (!t1 || !t2) return !t1;
  return *t1 > *t2;
}

// floor(log2(now - t)) in nanoseconds, or -1 when t is not in the past.
int64_t LogRank(absl::Time t, absl::Time now) {
  int64_t d = absl::ToInt64Nanoseconds(now - t);
  if (d <= 0) return -1;
  return static_cast<int64_t>(std::log2(static_cast<double>(d)));
}

// Orders two distinct times: the more recent one first, in log2 buckets with UID ties.
bool MoreRecentFirst(const std::optional<absl::Time>& t1, const std::optional<absl::Time>& t2,
                     std::optional<absl::Time> now, std::string_view uid1, std::string_view uid2) {
  if (!now || !t1 || !t2) return AfterOrZero(t1, t2);
  int64_t diff = LogRank(*t1, *now) - LogRank(*t2, *now);
  if (diff == 0) return uid1 < uid2;
  return diff < 0;
}

}  // namespace

RankedPod MakeRankedPod(client::ObjPtr pod, int rank) {
  RankedPod r;
  const json::value& p = *pod;
  r.node_name = api::GetString(p, {"spec", "nodeName"});
  r.phase_ordinal = PhaseOrdinal(api::GetString(p, {"status", "phase"}));
  r.ready = IsPodReady(p);
  r.ready_time = PodReadyTime(p);
  r.deletion_cost = PodDeletionCost(p);
  r.restarts = MaxContainerRestarts(p);
  r.created = CreationTime(p);
  r.uid = api::GetString(p, {"metadata", "uid"});
  r.rank = rank;
  r.pod = std::move(pod);
  return r;
}

bool DeleteBefore(const RankedPod& a, const RankedPod& b, std::optional<absl::Time> now) {
  // 1. Unassigned before assigned.
  if (a.node_name != b.node_name && (a.node_name.empty() || b.node_name.empty())) {
    return a.node_name.empty();
  }
  // 2. Pending before Unknown before Running.
  if (a.phase_ordinal != b.phase_ordinal) return a.phase_ordinal < b.phase_ordinal;
  // 3. Not ready before ready.
  if (a.ready != b.ready) return !a.ready;
  // 4. Lower deletion cost first.
  if (a.deletion_cost != b.deletion_cost) return a.deletion_cost < b.deletion_cost;
  // 5. More co-located pods (doubled up) first.
  if (a.rank != b.rank) return a.rank > b.rank;
  // 6. Both ready: ready more recently first (a missing ready time counts as most recent).
  if (a.ready && b.ready && a.ready_time != b.ready_time) {
    return MoreRecentFirst(a.ready_time, b.ready_time, now, a.uid, b.uid);
  }
  // 7. More restarts first.
  if (a.restarts != b.restarts) return a.restarts > b.restarts;
  // 8. Newer first (a missing creation time counts as newest).
  if (a.created != b.created) return MoreRecentFirst(a.created, b.created, now, a.uid, b.uid);
  return false;
}

std::vector<int> RanksBySameNode(const std::vector<client::ObjPtr>& pods,
                                 const std::vector<client::ObjPtr>& related) {
  std::map<std::string_view, int> on_node;
  for (const auto& p : related) {
    if (IsPodActive(*p)) ++on_node[api::GetString(*p, {"spec", "nodeName"})];
  }
  std::vector<int> ranks;
  ranks.reserve(pods.size());
  for (const auto& p : pods) {
    auto it = on_node.find(api::GetString(*p, {"spec", "nodeName"}));
    ranks.push_back(it == on_node.end() ? 0 : it->second);
  }
  return ranks;
}

std::vector<client::ObjPtr> PodsToDelete(const std::vector<client::ObjPtr>& pods,
                                         const std::vector<client::ObjPtr>& related, int diff,
                                         absl::Time now) {
  if (diff <= 0) return {};
  if (static_cast<size_t>(diff) >= pods.size()) return pods;
  std::vector<int> ranks = RanksBySameNode(pods, related);
  std::vector<RankedPod> ranked;
  ranked.reserve(pods.size());
  for (size_t i = 0; i < pods.size(); ++i) ranked.push_back(MakeRankedPod(pods[i], ranks[i]));
  // Log-bucketed comparisons are not a strict weak order; a merge sort stays well-defined.
  std::stable_sort(ranked.begin(), ranked.end(),
                   [&](const RankedPod& a, const RankedPod& b) { return DeleteBefore(a, b, now); });
  std::vector<client::ObjPtr> out;
  out.reserve(diff);
  for (int i = 0; i < diff; ++i) out.push_back(ranked[i].pod);
  return out;
}

}  // namespace skiff::controllers::replicaset

// Which pods a ReplicaSet deletes first when scaling down: Kubernetes' ActivePodsWithRanks order
// (unassigned, earlier phase, not ready, deletion cost, co-location, ready time, restarts, age;
// times in log2 buckets with UID ties). Pure functions; called by controller workers and tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "skiff/client/informer.h"

namespace skiff::controllers::replicaset {

// The fields of one pod the ordering reads, parsed once.
struct RankedPod {
  client::ObjPtr pod;
  std::string_view node_name;
  int phase_ordinal = 0;  // Pending (and anything unknown) 0, Unknown 1, Running 2
  bool ready = false;
  std::optional<absl::Time> ready_time;  // set only when ready
  int32_t deletion_cost = 0;
  int64_t restarts = 0;
  std::optional<absl::Time> created;
  std::string_view uid;
  int rank = 0;  // co-located active related pods on the same node
};

RankedPod MakeRankedPod(client::ObjPtr pod, int rank);

// True when `a` should be deleted before `b`. `now` anchors the logarithmic comparison of
// ready and creation times; with no `now`, times compare exactly.
bool DeleteBefore(const RankedPod& a, const RankedPod& b, std::optional<absl::Time> now);

// For each pod of `pods`, the number of active pods among `related` on the same node
// (unassigned pods share the node name "").
std::vector<int> RanksBySameNode(const std::vector<client::ObjPtr>& pods,
                                 const std::vector<client::ObjPtr>& related);

// The `diff` pods of `pods` to delete: all of them when diff >= pods.size() (no sorting),
// otherwise the first `diff` in DeleteBefore order (stable for equal pods).
std::vector<client::ObjPtr> PodsToDelete(const std::vector<client::ObjPtr>& pods,
                                         const std::vector<client::ObjPtr>& related, int diff,
                                         absl::Time now);

}  // namespace skiff::controllers::replicaset

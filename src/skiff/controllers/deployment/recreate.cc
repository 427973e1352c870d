// Recreate: scale every old ReplicaSet to zero, wait until their pods are gone, then create and
// scale up the new one, so old and new pods never run together. Kubernetes' recreate.go.
#include "skiff/api/object.h"
#include "skiff/controllers/deployment/deployment_controller.h"

namespace skiff::controllers::deployment {

namespace {

// Old sets still report replicas, or an old set has a pod that is not finished (Unknown counts
// as running: the pod may well be).
bool OldPodsRunning(const RsPtr& new_rs, const RsList& old_rss,
                    const std::map<std::string, std::vector<client::ObjPtr>>& pods_by_set) {
  if (SumStatusReplicas(old_rss) > 0) return true;
  for (const auto& [uid, pods] : pods_by_set) {
    if (new_rs != nullptr && uid == new_rs->uid) continue;
    for (const auto& pod : pods) {
      std::string_view phase = api::GetString(*pod, {"status", "phase"});
      if (phase != "Failed" && phase != "Succeeded") return true;
    }
  }
  return false;
}

}  // namespace

absl::Status DeploymentController::RolloutRecreate(Deployment& d, RsList& sets) {
  // No new set yet: creating it now would scale up before scaling down.
  auto got = GetAllReplicaSetsAndSyncRevision(d, sets, false);
  if (!got.ok()) return got.status();
  RsList all = got->All();

  bool scaled_down = false;
  for (const RsPtr& rs : FilterActive(got->old_rss)) {
    auto scaled = ScaleReplicaSetAndRecordEvent(rs, 0, d);
    if (!scaled.ok()) return scaled.status();
    scaled_down = scaled_down || *scaled;
  }
  if (scaled_down) return SyncRolloutStatus(d, all, got->new_rs);

  if (OldPodsRunning(got->new_rs, got->old_rss, PodsBySet(d, sets))) {
    return SyncRolloutStatus(d, all, got->new_rs);
  }

  if (got->new_rs == nullptr) {
    got = GetAllReplicaSetsAndSyncRevision(d, sets, true);
    if (!got.ok()) return got.status();
    all = got->All();
  }
  if (auto s = ScaleReplicaSetAndRecordEvent(got->new_rs, d.replicas, d); !s.ok()) {
    return s.status();
  }
  if (DeploymentComplete(d, d.status)) {
    if (absl::Status s = CleanupDeployment(d, got->old_rss); !s.ok()) return s;
  }
  return SyncRolloutStatus(d, all, got->new_rs);
}

}  // namespace skiff::controllers::deployment

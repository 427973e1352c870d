// RollingUpdate: grow the new ReplicaSet within maxSurge, shrink old ones within
// maxUnavailable (unhealthy replicas first), one step per sync. Kubernetes' rolling.go.
#include "skiff/controllers/deployment/deployment_controller.h"

namespace skiff::controllers::deployment {

absl::Status DeploymentController::RolloutRolling(Deployment& d, RsList& sets) {
  auto got = GetAllReplicaSetsAndSyncRevision(d, sets, true);
  if (!got.ok()) return got.status();
  RsList all = got->All();

  auto scaled_up = ReconcileNewReplicaSet(all, got->new_rs, d);
  if (!scaled_up.ok()) return scaled_up.status();
  if (*scaled_up) return SyncRolloutStatus(d, all, got->new_rs);

  auto scaled_down = ReconcileOldReplicaSets(all, FilterActive(got->old_rss), got->new_rs, d);
  if (!scaled_down.ok()) return scaled_down.status();
  if (*scaled_down) return SyncRolloutStatus(d, all, got->new_rs);

  if (DeploymentComplete(d, d.status)) {
    if (absl::Status s = CleanupDeployment(d, got->old_rss); !s.ok()) return s;
  }
  return SyncRolloutStatus(d, all, got->new_rs);
}

absl::StatusOr<bool> DeploymentController::ReconcileNewReplicaSet(const RsList& all,
                                                                  const RsPtr& new_rs,
                                                                  const Deployment& d) {
  if (new_rs->replicas == d.replicas) return false;
  if (new_rs->replicas > d.replicas) return ScaleReplicaSetAndRecordEvent(new_rs, d.replicas, d);
  auto replicas = NewRSNewReplicas(d, all, *new_rs);
  if (!replicas.ok()) return replicas.status();
  return ScaleReplicaSetAndRecordEvent(new_rs, *replicas, d);
}

absl::StatusOr<bool> DeploymentController::ReconcileOldReplicaSets(const RsList& all,
                                                                   const RsList& old_rss,
                                                                   const RsPtr& new_rs,
                                                                   const Deployment& d) {
  if (SumReplicas(old_rss) == 0) return false;  // nothing left to scale down
  // Unavailable pods of the new set count against the budget, so a failing new set never
  // takes the old pods away.
  int32_t max_scaled_down = MaxScaledDown(d, all, *new_rs);
  if (max_scaled_down <= 0) return false;

  RsList current = old_rss;
  auto apply = [&](const std::vector<ScaleStep>& steps, int32_t* total) -> absl::Status {
    for (const ScaleStep& step : steps) {
      RsPtr updated;
      auto s = ScaleReplicaSetAndRecordEvent(step.rs, step.replicas, d, &updated);
      if (!s.ok()) return s.status();
      *total += step.rs->replicas - step.replicas;
      for (auto& rs : current)
        if (rs->uid == updated->uid) rs = updated;
    }
    return absl::OkStatus();
  };

  // Unhealthy replicas go first: removing them costs no availability.
  bool invalid = false;
  int32_t cleaned = 0;
  if (absl::Status s = apply(CleanupUnhealthyPlan(current, max_scaled_down, &invalid), &cleaned);
      !s.ok()) {
    return s;
  }
  if (invalid) return false;

  RsList all_now = current;
  all_now.push_back(new_rs);
  int32_t scaled = 0;
  if (absl::Status s = apply(ScaleDownOldPlan(d, all_now, current), &scaled); !s.ok()) return s;
  return cleaned + scaled > 0;
}

}  // namespace skiff::controllers::deployment

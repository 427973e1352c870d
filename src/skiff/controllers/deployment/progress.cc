// Rollout status with the Progressing condition and the progress deadline: Kubernetes'
// progress.go. A stuck Deployment is requeued for the moment its deadline passes.
#include "skiff/controllers/deployment/deployment_controller.h"

namespace skiff::controllers::deployment {

absl::Status DeploymentController::SyncRolloutStatus(Deployment& d, const RsList& all,
                                                     const RsPtr& new_rs) {
  absl::Time now = clock_.Now();
  DeploymentStatus status = CalculateStatus(all, new_rs, d, now);
  UpdateRolloutConditions(d, all, new_rs, now, &status);
  if (status == d.status) {
    // Nothing moved: look again when the deadline would pass.
    if (auto after = ProgressCheckAfter(d, status, now)) {
      EnqueueAfter(d, std::max(*after, absl::Milliseconds(250)));
    }
    return absl::OkStatus();
  }
  d.status = std::move(status);
  return UpdateStatus(d);
}

}  // namespace skiff::controllers::deployment

// The Deployment controller: rolls Deployments out through ReplicaSets as Kubernetes'
// pkg/controller/deployment does (RollingUpdate, Recreate, proportional scaling, pause, progress
// deadline, revision history, adoption). Informer handlers run on the watch cache's dispatch
// thread and only enqueue keys; worker threads run Sync(key), which reads the informers and writes
// through the client. Start() and Stop() are called from one thread; Sync() is thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "skiff/base/time.h"
#include "skiff/client/client.h"
#include "skiff/client/event_recorder.h"
#include "skiff/client/informer.h"
#include "skiff/client/workqueue.h"
#include "skiff/controllers/deployment/util/deployment_util.h"

namespace skiff::controllers::deployment {

struct DeploymentControllerOptions {
  // Deployments synced in parallel (Kubernetes' default is 5); one key never runs twice at once.
  int workers = 2;
  // Time for conditions and the progress deadline; tests inject their own.
  const base::Clock* clock = &base::Clock::Real();
};

class DeploymentController {
 public:
  // Registers handlers on the Deployment, ReplicaSet and Pod informers: construct before the
  // watch cache starts. `client` and `informers` must outlive the controller.
  DeploymentController(client::Client* client, client::InformerFactory* informers,
                       DeploymentControllerOptions options = {});
  ~DeploymentController();
  DeploymentController(const DeploymentController&) = delete;
  DeploymentController& operator=(const DeploymentController&) = delete;

  void Start();
  // Stops the workers (waiting for running syncs) and flushes events. Idempotent.
  void Stop();

  // Reconciles the Deployment "ns/name" once from the informers' view; an error means "retry".
  // Workers call it; tests call it directly.
  absl::Status Sync(const std::string& key);

  // Waits until the events recorded so far are written (tests).
  void FlushEvents() { recorder_.Flush(); }

 private:
  // ---- deployment_controller.cc: handlers, queue, the sync loop, adoption
  void Enqueue(const client::ObjPtr& deployment);
  void EnqueueAfter(const Deployment& d, absl::Duration after);
  void OnReplicaSetAdd(const client::ObjPtr& rs);
  void OnReplicaSetUpdate(const client::ObjPtr& old_rs, const client::ObjPtr& cur_rs);
  void OnReplicaSetDelete(const client::ObjPtr& rs);
  void OnPodDelete(const client::ObjPtr& pod);
  client::ObjPtr ResolveControllerRef(std::string_view ns, const boost::json::value* ref) const;
  std::vector<client::ObjPtr> DeploymentsSelecting(const boost::json::value& rs) const;
  void Work();
  void HandleResult(const std::string& key, const absl::Status& s);
  // ClaimReplicaSets: the sets this Deployment controls after adopting matching orphans and
  // releasing owned sets that no longer match.
  absl::StatusOr<RsList> ClaimReplicaSets(const Deployment& d);
  // Re-reads the Deployment uncached: adoption must not race with its deletion.
  absl::Status CanAdopt(const Deployment& d);
  absl::StatusOr<RsPtr> Adopt(const ReplicaSet& rs, const Deployment& d);
  absl::Status Release(const ReplicaSet& rs, const Deployment& d);
  // Pods of each claimed set (by set uid), including inactive ones.
  std::map<std::string, std::vector<client::ObjPtr>> PodsBySet(const Deployment& d,
                                                               const RsList& sets) const;

  // ---- sync.cc: revisions, the new set, scaling, cleanup, status
  // `sets` are the claimed sets; entries this updates are replaced by the stored versions.
  struct Sets {
    RsPtr new_rs;  // null when it does not exist (yet)
    RsList old_rss;
    RsList All() const;
  };
  absl::StatusOr<Sets> GetAllReplicaSetsAndSyncRevision(Deployment& d, RsList& sets, bool create);
  absl::StatusOr<RsPtr> GetNewReplicaSet(Deployment& d, RsList& sets, const RsList& old_rss,
                                         bool create);
  absl::StatusOr<RsPtr> CreateNewReplicaSet(Deployment& d, const RsList& old_rss, int64_t revision);
  // Proportional scaling on a scaling event or while paused (Kubernetes' `sync`).
  absl::Status SyncScaling(Deployment& d, RsList& sets);
  absl::Status SyncStatusOnly(Deployment& d, RsList& sets);
  absl::Status Scale(Deployment& d, const RsPtr& new_rs, const RsList& old_rss);
  // Sets spec.replicas and refreshes the desired/max-replicas annotations; *updated gets the
  // stored set. Records a ScalingReplicaSet event when the size changed. Returns whether it did.
  absl::StatusOr<bool> ScaleReplicaSet(const RsPtr& rs, int32_t replicas, const Deployment& d,
                                       RsPtr* updated = nullptr);
  // The same, but does nothing at all when the size is already `replicas`.
  absl::StatusOr<bool> ScaleReplicaSetAndRecordEvent(const RsPtr& rs, int32_t replicas,
                                                     const Deployment& d, RsPtr* updated = nullptr);
  absl::Status CleanupDeployment(const Deployment& d, const RsList& old_rss);
  absl::Status SyncDeploymentStatus(Deployment& d, const RsList& all, const RsPtr& new_rs);
  absl::StatusOr<bool> IsScalingEvent(Deployment& d, RsList& sets);
  absl::Status CheckPausedConditions(Deployment& d);
  // Writes d.status and d.annotations through the status subresource; refreshes d.object.
  absl::Status UpdateStatus(Deployment& d);
  absl::StatusOr<RsPtr> UpdateReplicaSet(boost::json::value obj);

  // ---- rolling.cc, recreate.cc, rollback.cc, progress.cc
  absl::Status RolloutRolling(Deployment& d, RsList& sets);
  absl::StatusOr<bool> ReconcileNewReplicaSet(const RsList& all, const RsPtr& new_rs,
                                              const Deployment& d);
  absl::StatusOr<bool> ReconcileOldReplicaSets(const RsList& all, const RsList& old_rss,
                                               const RsPtr& new_rs, const Deployment& d);
  absl::Status RolloutRecreate(Deployment& d, RsList& sets);
  absl::Status Rollback(Deployment& d, RsList& sets);
  absl::Status SyncRolloutStatus(Deployment& d, const RsList& all, const RsPtr& new_rs);

  // Informers outlive controllers and may call handlers until the watch cache stops: the
  // handlers reach the controller through this, cleared (waiting for running ones) by Stop().
  struct HandlerGuard {
    absl::Mutex mu;
    DeploymentController* self ABSL_GUARDED_BY(mu) = nullptr;
  };
  template <typename F>
  static void WithController(const std::shared_ptr<HandlerGuard>& guard, F f) {
    absl::ReaderMutexLock lock(&guard->mu);
    if (guard->self != nullptr) f(*guard->self);
  }

  std::shared_ptr<HandlerGuard> guard_ = std::make_shared<HandlerGuard>();
  client::Client* client_;
  client::Informer& deployments_;
  client::Informer& replicasets_;
  client::Informer& pods_;
  const base::Clock& clock_;
  const int workers_count_;
  client::EventRecorder recorder_;
  client::WorkQueue queue_;

  absl::Mutex mu_;
  std::map<std::string, int> failures_ ABSL_GUARDED_BY(mu_);  // key -> consecutive errors

  std::vector<std::jthread> workers_;  // touched by Start/Stop only
};

}  // namespace skiff::controllers::deployment

// The StatefulSet controller, as Kubernetes' pkg/controller/statefulset: pods <set>-<ordinal> with
// stable identity and PersistentVolumeClaims from volumeClaimTemplates, OrderedReady and Parallel
// pod management, RollingUpdate (from the highest ordinal, with partition) and OnDelete, the
// claim retention policy, ControllerRevision history and status. Informer handlers run on the
// watch cache's dispatch thread and only enqueue keys; worker threads run Sync(key), which reads
// the informers and writes through the client. Start() and Stop() are called from one thread.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "skiff/api/labels.h"
#include "skiff/base/time.h"
#include "skiff/client/client.h"
#include "skiff/client/event_recorder.h"
#include "skiff/client/informer.h"
#include "skiff/client/workqueue.h"
#include "skiff/controllers/history/history.h"
#include "skiff/controllers/replicaset/key_backoff.h"
#include "skiff/controllers/statefulset/pod_expectations.h"
#include "skiff/controllers/statefulset/revisions.h"

namespace skiff::controllers::statefulset {

struct StatefulSetControllerOptions {
  // Sets synced in parallel (kube-controller-manager's --concurrent-statefulset-syncs is 5).
  int workers = 5;
  // The most pods one Parallel batch creates or deletes at once (upstream MaxBatchSize).
  int max_batch_size = 500;
  // How long unobserved pod writes hold back a set's sync.
  absl::Duration expectations_ttl = kPodExpectationsTimeout;
  // Time for availability (minReadySeconds); tests inject their own. Events carry real time.
  const base::Clock* clock = &base::Clock::Real();
};

class StatefulSetController {
 public:
  // Registers handlers on the StatefulSet and Pod informers (and uses the PVC and
  // ControllerRevision informers): construct before the watch cache starts.
  StatefulSetController(client::Client* client, client::InformerFactory& informers,
                        StatefulSetControllerOptions options = {});
  ~StatefulSetController();
  StatefulSetController(const StatefulSetController&) = delete;
  StatefulSetController& operator=(const StatefulSetController&) = delete;

  void Start();
  // Stops the workers (a running sync finishes first) and flushes events. Idempotent.
  void Stop();

  // Reconciles the set "ns/name" once from the informers' view; an error means "retry later".
  absl::Status Sync(const std::string& key);

  // Waits until the events recorded so far are written (tests).
  void FlushEvents() { recorder_.Flush(); }

 private:
  using Pods = std::vector<client::ObjPtr>;

  // ---- stateful_set_controller.cc: handlers, queue, adoption
  void OnSetAdd(const client::ObjPtr& set);
  void OnSetUpdate(const client::ObjPtr& old_set, const client::ObjPtr& cur);
  void OnSetDelete(const client::ObjPtr& set);
  void OnPodAdd(const client::ObjPtr& pod);
  void OnPodUpdate(const client::ObjPtr& old_pod, const client::ObjPtr& cur);
  void OnPodDelete(const client::ObjPtr& pod);
  client::ObjPtr ResolveControllerRef(const std::string& ns, const boost::json::value& ref) const;
  std::vector<client::ObjPtr> SetsSelecting(const boost::json::value& pod) const;
  void Enqueue(const boost::json::value& set);
  void EnqueueAfter(const boost::json::value& set, absl::Duration after);
  void Work();
  // Re-reads the set uncached: adoption must not race with its deletion.
  absl::Status CanAdopt(const boost::json::value& set);
  absl::Status AdoptOrphanRevisions(const boost::json::value& set,
                                    const api::LabelSelector& selector);
  // The pods this set controls after adopting matching orphans named <set>-<n> and releasing
  // owned ones that no longer match.
  absl::StatusOr<Pods> ClaimPods(const boost::json::value& set, const api::LabelSelector& selector);

  // ---- stateful_set_control.cc: one reconcile of a set and its pods
  // Returns the status written (or that would be), for the minReadySeconds requeue.
  absl::StatusOr<SetStatus> UpdateStatefulSet(const boost::json::value& set, const Pods& pods);
  struct Revisions {
    boost::json::object current;
    boost::json::object update;
    int32_t collision_count = 0;
  };
  absl::StatusOr<Revisions> GetStatefulSetRevisions(
      const boost::json::value& set, const std::vector<const boost::json::object*>& sorted);
  // Creates, replaces, scales and updates pods; fills `status`. Errors mean "retry".
  absl::Status UpdatePods(const boost::json::value& set, const Revisions& revisions,
                          const Pods& pods, SetStatus& status);
  // One replica (index into `replicas`); true when the caller must stop this round.
  absl::StatusOr<bool> ProcessReplica(const boost::json::value& set,
                                      const boost::json::value& update_set, bool monotonic,
                                      const Pods& replicas, int i);
  absl::StatusOr<bool> ProcessCondemned(const boost::json::value& set,
                                        const client::ObjPtr& first_unavailable, bool monotonic,
                                        const Pods& condemned, int i);
  // Runs fn over 0..n-1: in order, stopping at the first true or error (monotonic), or in
  // slow-start batches (burst).
  absl::StatusOr<bool> RunForAll(int n, bool monotonic,
                                 const std::function<absl::StatusOr<bool>(int)>& fn);
  absl::Status UpdateSetStatus(const boost::json::value& set, SetStatus status);
  absl::Status TruncateHistory(const boost::json::value& set, const Pods& pods,
                               const std::vector<const boost::json::object*>& sorted,
                               const Revisions* revisions);

  // ---- stateful_pod_control.cc: pod and claim writes, with events
  absl::Status CreateStatefulPod(const boost::json::value& set, const boost::json::value& pod);
  absl::Status UpdateStatefulPod(const boost::json::value& set, boost::json::value pod);
  absl::Status DeleteStatefulPod(const boost::json::value& set, const boost::json::value& pod);
  absl::StatusOr<bool> ClaimsMatchRetentionPolicy(const boost::json::value& set,
                                                  const boost::json::value& pod);
  absl::Status UpdatePodClaimForRetentionPolicy(const boost::json::value& set,
                                                const boost::json::value& pod);
  // A claim of the (not yet created) pod still references an earlier pod of that name.
  absl::StatusOr<bool> PodClaimIsStale(const boost::json::value& set,
                                       const boost::json::value& pod);
  absl::Status CreatePersistentVolumeClaims(const boost::json::value& set,
                                            const boost::json::value& pod);
  absl::Status CreateMissingPersistentVolumeClaims(const boost::json::value& set,
                                                   const boost::json::value& pod);
  client::ObjPtr GetClaim(const std::string& ns, const std::string& name) const;
  void RecordPodEvent(std::string_view verb, const boost::json::value& set,
                      const boost::json::value& pod, const absl::Status& err);
  void RecordClaimEvent(std::string_view verb, const boost::json::value& set,
                        const boost::json::value& pod, std::string_view claim,
                        const absl::Status& err);

  // Informers outlive controllers and have no way to remove a handler: the handlers hold this
  // gate, which the destructor closes, so a late event never reaches a destroyed controller.
  struct HandlerGate {
    std::shared_mutex mu;
    bool open = true;  // guarded by mu
  };
  template <typename... Args>
  auto Gated(void (StatefulSetController::*method)(Args...));

  std::shared_ptr<HandlerGate> gate_ = std::make_shared<HandlerGate>();
  client::Client* client_;
  const StatefulSetControllerOptions options_;
  const base::Clock& clock_;
  client::Informer& sets_;
  client::Informer& pods_;
  client::Informer& claims_;
  client::Informer& revisions_;
  history::History history_;
  client::EventRecorder recorder_;
  client::WorkQueue queue_;
  replicaset::KeyBackoff backoff_;
  PodExpectations expectations_;
  std::vector<std::jthread> workers_;  // started by Start(), joined by Stop()
};

}  // namespace skiff::controllers::statefulset

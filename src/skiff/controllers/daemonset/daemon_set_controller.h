// The DaemonSet controller, as Kubernetes' pkg/controller/daemon: one daemon pod per eligible
// node (created unbound with a node-affinity term so the scheduler places it), pods following
// nodes as they come, go, and change labels or taints, RollingUpdate (maxUnavailable /
// maxSurge) and OnDelete, ControllerRevision history for `kubectl rollout undo`, and status.
// Built by `skiff server`; informer handlers (dispatch thread) only enqueue keys and note
// expectations; worker threads run Sync(key), which reads the informers and writes through the
// client. Start() and Stop() are called from one thread; Sync() is thread-safe.
#pragma once

#include <boost/json.hpp>
#include <memory>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "skiff/api/labels.h"
#include "skiff/base/time.h"
#include "skiff/client/client.h"
#include "skiff/client/event_recorder.h"
#include "skiff/client/informer.h"
#include "skiff/client/workqueue.h"
#include "skiff/controllers/daemonset/expectations.h"
#include "skiff/controllers/daemonset/failed_pod_backoff.h"
#include "skiff/controllers/daemonset/node_eligibility.h"
#include "skiff/controllers/daemonset/rolling.h"
#include "skiff/controllers/history/history.h"
#include "skiff/controllers/replicaset/key_backoff.h"

namespace skiff::controllers::daemonset {

struct DaemonSetControllerOptions {
  // DaemonSets synced in parallel (kube-controller-manager's --concurrent-daemonset-syncs).
  int workers = 2;
  // Most pods one sync creates or deletes (Kubernetes' BurstReplicas for DaemonSets).
  int burst_replicas = 250;
  // How long unmet expectations hold back a sync before they are treated as met.
  absl::Duration expectations_ttl = kExpectationsTimeout;
  const base::Clock* clock = &base::Clock::Real();
};

class DaemonSetController {
 public:
  // Registers handlers on the DaemonSet, ControllerRevision, Pod and Node informers: construct
  // before the watch cache starts. `client` and `informers` must outlive the controller.
  DaemonSetController(client::Client* client, client::InformerFactory& informers,
                      DaemonSetControllerOptions options = {});
  ~DaemonSetController();
  DaemonSetController(const DaemonSetController&) = delete;
  DaemonSetController& operator=(const DaemonSetController&) = delete;

  void Start();
  // Stops the workers (a sync in progress finishes first). Idempotent.
  void Stop();

  // One idempotent reconcile of the DaemonSet "ns/name" from the informers' view; an error
  // means "retry later". Workers call it; tests call it directly.
  absl::Status Sync(const std::string& key);

  Expectations& expectations() { return expectations_; }
  // Waits until the events recorded so far are written (tests).
  void FlushEvents() { recorder_.Flush(); }

 private:
  // What one sync works from, read once from the informers.
  struct SyncState {
    client::ObjPtr ds;
    std::string key, ns, name, uid;
    api::LabelSelector selector;
    std::vector<client::ObjPtr> nodes;
    NodeFits fits;  // by node name
    Revision rev;   // rev.hash is set once the current revision is known
  };

  // ---- event_handlers.cc: enqueue and note expectations, nothing else
  void OnDaemonSetUpdate(const client::ObjPtr& old_ds, const client::ObjPtr& cur);
  void OnDaemonSetDelete(const client::ObjPtr& ds);
  void OnRevisionAdd(const client::ObjPtr& rev);
  void OnRevisionUpdate(const client::ObjPtr& old_rev, const client::ObjPtr& cur);
  void OnRevisionDelete(const client::ObjPtr& rev);
  void OnPodAdd(const client::ObjPtr& pod);
  void OnPodUpdate(const client::ObjPtr& old_pod, const client::ObjPtr& cur);
  void OnPodDelete(const client::ObjPtr& pod);
  void OnNodeAdd(const client::ObjPtr& node);
  void OnNodeUpdate(const client::ObjPtr& old_node, const client::ObjPtr& cur);
  // The DaemonSet a controller reference points at, if the kind and UID match.
  client::ObjPtr ResolveControllerRef(const std::string& ns, const boost::json::value& ref) const;
  // DaemonSets in the object's namespace whose selector matches its labels (orphan adopters).
  std::vector<client::ObjPtr> DaemonSetsSelecting(const boost::json::value& obj) const;
  void Enqueue(const boost::json::value& ds);
  void EnqueueAfter(const std::string& key, absl::Duration after);
  void Work();

  // ---- sync.cc: the reconcile, per-node pods, pod writes, status
  // The claimed pods by target node (adopting and releasing as needed). Pods that are both
  // terminal and being deleted are left out unless `include_deleted_terminal`.
  absl::StatusOr<NodePods> NodesToDaemonPods(const SyncState& s, bool include_deleted_terminal);
  absl::StatusOr<std::vector<client::ObjPtr>> ClaimPods(const SyncState& s);
  // Re-reads the DaemonSet uncached: adoption must not race with its deletion.
  absl::Status CanAdopt(const SyncState& s);
  absl::Status UpdateDaemonSet(const SyncState& s, const std::vector<client::ObjPtr>& old);
  absl::Status Manage(const SyncState& s);
  // Deletes `pods_to_delete` (names) and creates a pod for each of `nodes_to_create`, both
  // capped at the burst, under expectations.
  absl::Status SyncNodes(const SyncState& s, const std::vector<std::string>& pods_to_delete,
                         const std::vector<std::string>& nodes_to_create);
  absl::Status UpdateStatus(const SyncState& s, bool observe_generation);

  // ---- update.cc: RollingUpdate, revisions and their cleanup
  absl::Status RollingUpdate(const SyncState& s);
  // The revision matching the current template (created, deduplicated or renumbered as
  // needed) and the others.
  struct Histories {
    boost::json::object current;
    std::vector<client::ObjPtr> old;
  };
  absl::StatusOr<Histories> ConstructHistory(const SyncState& s);
  absl::StatusOr<boost::json::object> Snapshot(const SyncState& s, int64_t revision);
  absl::StatusOr<boost::json::object> DedupCurrentHistories(
      const SyncState& s, const std::vector<client::ObjPtr>& current);
  absl::Status CleanupHistory(const SyncState& s, const std::vector<client::ObjPtr>& old);

  // Informers outlive controllers and have no way to remove a handler: the handlers hold this
  // gate, which the destructor closes, so a late event never reaches a destroyed controller.
  struct HandlerGate {
    std::shared_mutex mu;
    bool open = true;  // guarded by mu
  };
  template <typename... Args>
  auto Gated(void (DaemonSetController::*method)(Args...));

  std::shared_ptr<HandlerGate> gate_ = std::make_shared<HandlerGate>();
  client::Client* client_;
  const DaemonSetControllerOptions options_;
  const base::Clock& clock_;
  client::Informer& daemonsets_;
  client::Informer& revisions_;
  client::Informer& pods_;
  client::Informer& nodes_;
  history::History history_;
  client::WorkQueue queue_;
  replicaset::KeyBackoff backoff_;
  Expectations expectations_;
  FailedPodBackoff failed_pods_;
  client::EventRecorder recorder_;
  std::vector<std::jthread> workers_;  // started by Start(), joined by Stop()
};

}  // namespace skiff::controllers::daemonset

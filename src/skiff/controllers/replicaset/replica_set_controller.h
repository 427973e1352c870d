// The ReplicaSet controller, one instance per kind (ReplicaSet; ReplicationController with the
// same engine): pods to spec.replicas, adoption/release, status. Built by `skiff server`; informer
// handlers (dispatch thread) only enqueue keys and note expectations; N workers run Sync(key).
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
#include "skiff/base/time.h"
#include "skiff/client/client.h"
#include "skiff/client/event_recorder.h"
#include "skiff/client/informer.h"
#include "skiff/client/workqueue.h"
#include "skiff/controllers/replicaset/expectations.h"
#include "skiff/controllers/replicaset/key_backoff.h"
#include "skiff/controllers/replicaset/owner_kind.h"

namespace skiff::controllers::replicaset {

struct ReplicaSetControllerOptions {
  // Concurrent syncs (of different keys); kube-controller-manager's default is 5.
  int workers = 5;
  // Most pods created or deleted by one sync (Kubernetes' BurstReplicas).
  int burst_replicas = 500;
  // How long unmet expectations hold back a sync before they are treated as met.
  absl::Duration expectations_ttl = kExpectationsTimeout;
  const base::Clock* clock = &base::Clock::Real();
};

class ReplicaSetController {
 public:
  // Registers informer handlers: construct before the watch cache starts.
  ReplicaSetController(client::Client* client, client::InformerFactory& informers,
                       const OwnerKind& kind, ReplicaSetControllerOptions options = {});
  ~ReplicaSetController();
  ReplicaSetController(const ReplicaSetController&) = delete;
  ReplicaSetController& operator=(const ReplicaSetController&) = delete;

  void Start();
  // Stops the workers (a sync in progress finishes first). Idempotent.
  void Stop();

  // One idempotent reconcile of the owner "ns/name" from the informers' view. Errors mean
  // "retry later" (the workers re-queue with backoff).
  absl::Status Sync(const std::string& key);

  Expectations& expectations() { return expectations_; }
  client::EventRecorder& recorder() { return recorder_; }

 private:
  // Handlers (event_handlers.cc).
  void OnOwnerAdd(const client::ObjPtr& obj);
  void OnOwnerUpdate(const client::ObjPtr& old_obj, const client::ObjPtr& cur);
  void OnOwnerDelete(const client::ObjPtr& obj);
  void OnPodAdd(const client::ObjPtr& pod);
  void OnPodUpdate(const client::ObjPtr& old_pod, const client::ObjPtr& cur);
  void OnPodDelete(const client::ObjPtr& pod);
  // The owner a controller reference points at, if it is of our kind and the UID matches.
  client::ObjPtr ResolveControllerRef(const std::string& ns, const boost::json::value& ref) const;
  // Owners in the pod's namespace whose selector matches it (candidates to adopt an orphan).
  std::vector<client::ObjPtr> OwnersSelecting(const boost::json::value& pod) const;
  void Enqueue(const boost::json::value& owner);
  void Work();

  // Reconcile steps (sync.cc).
  absl::StatusOr<std::vector<client::ObjPtr>> ClaimPods(const boost::json::value& owner,
                                                        const api::LabelSelector& selector,
                                                        const std::vector<client::ObjPtr>& pods);
  absl::Status CanAdopt(const boost::json::value& owner);
  absl::Status ManageReplicas(const std::vector<client::ObjPtr>& pods,
                              const boost::json::value& owner, const std::string& key);
  absl::Status CreatePods(const boost::json::value& owner, int count, const std::string& key);
  absl::Status DeletePods(const boost::json::value& owner, const std::vector<client::ObjPtr>& pods,
                          int count, const std::string& key);
  // Pods of every owner sharing this owner's controller (a Deployment's ReplicaSets), for
  // ranking co-located pods.
  std::vector<client::ObjPtr> IndirectlyRelatedPods(const boost::json::value& owner) const;
  // Writes `status` through the status subresource when it differs from the owner's.
  absl::Status UpdateStatus(const boost::json::value& owner, const boost::json::object& status);

  // Informers outlive controllers and have no way to remove a handler: the handlers hold this
  // gate, which the destructor closes, so a late event never reaches a destroyed controller.
  struct HandlerGate {
    std::shared_mutex mu;
    bool open = true;  // guarded by mu
  };
  // Wraps a handler body: runs it only while the controller lives.
  template <typename... Args>
  auto Gated(void (ReplicaSetController::*method)(Args...));

  std::shared_ptr<HandlerGate> gate_ = std::make_shared<HandlerGate>();
  client::Client* client_;
  const OwnerKind& kind_;
  const ReplicaSetControllerOptions options_;
  const base::Clock& clock_;
  client::Informer& owners_;
  client::Informer& pods_;
  client::WorkQueue queue_;
  KeyBackoff backoff_;
  Expectations expectations_;
  client::EventRecorder recorder_;
  std::vector<std::jthread> workers_;  // started by Start(), joined by Stop()
};

}  // namespace skiff::controllers::replicaset

// The PersistentVolume binder ("persistentvolume-binder" in kube-controller-manager): binds
// claims to volumes as Kubernetes' pkg/controller/volume/persistentvolume does. Unbound claims get
// the smallest Available volume that fits (class, size, access modes, volume mode, selector) or
// the one they or a volume pre-bind; claims of a WaitForFirstConsumer class wait for the
// scheduler's selected node, then for their provisioner (an external one: the claim is
// annotated and the provisioner creates a pre-bound volume); volumes move through Pending,
// Available, Bound, Released and Failed, and a released volume is reclaimed by its policy
// (Retain keeps it; Delete is the provisioner's job; anything else fails).
// Informer handlers run on the watch cache's dispatch thread and only queue keys; one worker
// thread runs the syncs (they are not reentrant, as upstream's are not), plus a periodic resync.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "skiff/base/time.h"
#include "skiff/client/client.h"
#include "skiff/client/event_recorder.h"
#include "skiff/client/informer.h"
#include "skiff/controllers/volume/sync_loop.h"

namespace skiff::controllers::volume {

struct PersistentVolumeControllerOptions {
  // Kubernetes' --pvclaimbinder-sync-period: how often every claim and volume is synced again.
  absl::Duration resync_period = absl::Seconds(15);
  const base::Clock* clock = &base::Clock::Real();
};

class PersistentVolumeController {
 public:
  // Registers handlers on the claim, volume, class and pod informers: construct before the watch
  // cache starts. `client` and `informers` must outlive the controller.
  PersistentVolumeController(client::Client* client, client::InformerFactory* informers,
                             PersistentVolumeControllerOptions options = {});
  ~PersistentVolumeController();
  PersistentVolumeController(const PersistentVolumeController&) = delete;
  PersistentVolumeController& operator=(const PersistentVolumeController&) = delete;

  void Start();
  void Stop();

  // One reconciliation of claim "ns/name" / volume "name" from the informers' view (plus what
  // this controller wrote since); an error means "retry". Workers call them; tests too.
  absl::Status SyncClaim(const std::string& key);
  absl::Status SyncVolume(const std::string& name);

  void FlushEvents() { recorder_.Flush(); }

 private:
  using ObjPtr = client::ObjPtr;

  // Objects this controller wrote, which may be newer than the informers' copies (binding
  // writes a volume and a claim twice each; a sync must not act on the older versions).
  class WrittenObjects {
   public:
    // The newer of `cached` and what was written under `key`; forgets a write the informer has
    // caught up with.
    ObjPtr Fresh(const std::string& key, ObjPtr cached);
    void Remember(const std::string& key, boost::json::value obj);
    void Forget(const std::string& key);

   private:
    absl::Mutex mu_;
    std::map<std::string, ObjPtr> objects_ ABSL_GUARDED_BY(mu_);
  };

  // ---- pv_controller.cc: handlers, queue, reads, writes
  void OnClaimDelete(const ObjPtr& claim);
  void OnVolumeDelete(const ObjPtr& volume);
  absl::Status Sync(const std::string& queue_key);
  void EnqueueClaim(const std::string& key);
  ObjPtr Claim(const std::string& ns, const std::string& name);
  ObjPtr Volume(const std::string& name);
  std::vector<ObjPtr> Volumes();
  ObjPtr StorageClass(const std::string& name) const;
  // A write through the client; the stored object replaces *obj and is remembered.
  absl::Status WriteClaim(ObjPtr* claim, boost::json::value updated, bool status);
  absl::Status WriteVolume(ObjPtr* volume, boost::json::value updated, bool status);

  // ---- sync.cc: Kubernetes' syncClaim / syncVolume and what they call
  absl::Status SyncUnboundClaim(ObjPtr claim);
  absl::Status SyncBoundClaim(ObjPtr claim);
  absl::Status Bind(ObjPtr volume, ObjPtr claim);
  absl::Status BindClaimToVolume(ObjPtr* claim, const boost::json::value& volume);
  absl::Status UnbindVolume(ObjPtr volume);
  // Sets phase (and, bound: access modes and capacity of `volume`; otherwise clears them).
  absl::Status UpdateClaimStatus(ObjPtr* claim, std::string_view phase,
                                 const boost::json::value* volume);
  // The same, and records the event, when the phase changes.
  absl::Status UpdateClaimStatusWithEvent(ObjPtr* claim, std::string_view phase,
                                          std::string_view type, std::string_view reason,
                                          std::string message);
  absl::Status UpdateVolumePhase(ObjPtr* volume, std::string_view phase,
                                 std::string_view message = "");
  absl::Status UpdateVolumePhaseWithEvent(ObjPtr* volume, std::string_view phase,
                                          std::string_view type, std::string_view reason,
                                          std::string message);
  absl::Status ReclaimVolume(ObjPtr volume);
  // Gives a claim without any class the default class; true when it wrote the claim.
  absl::StatusOr<bool> AssignDefaultStorageClass(const ObjPtr& claim);
  // Annotates the claim for its class's provisioner (the external path) and says so.
  absl::Status ProvisionClaim(ObjPtr claim, const ObjPtr& storage_class);
  void EmitWaitingForConsumer(const boost::json::value& claim);
  // Double-checks with the API server before treating a volume's claim as gone.
  absl::StatusOr<ObjPtr> LiveClaim(const std::string& ns, const std::string& name);

  client::Client* client_;
  client::Informer& claims_;
  client::Informer& volumes_;
  client::Informer& classes_;
  client::Informer& pods_;
  client::EventRecorder recorder_;
  WrittenObjects written_claims_, written_volumes_;
  std::shared_ptr<HandlerGuard<PersistentVolumeController>> guard_;
  SyncLoop loop_;
};

}  // namespace skiff::controllers::volume

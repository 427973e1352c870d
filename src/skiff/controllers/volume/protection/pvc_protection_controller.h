// The PVC protection controller ("persistentvolumeclaim-protection"): keeps the
// kubernetes.io/pvc-protection finalizer on every claim and removes it from a claim being deleted
// only once no scheduled pod uses the claim, as Kubernetes' pkg/controller/volume/pvcprotection
// does. So a claim in use stays Terminating until its pods are gone.
// Informer handlers run on the watch cache's dispatch thread and only queue keys.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"
#include "skiff/controllers/volume/sync_loop.h"

namespace skiff::controllers::volume {

class PvcProtectionController {
 public:
  // Registers handlers on the claim and pod informers: construct before the watch cache starts.
  PvcProtectionController(client::Client* client, client::InformerFactory* informers);
  ~PvcProtectionController();
  PvcProtectionController(const PvcProtectionController&) = delete;
  PvcProtectionController& operator=(const PvcProtectionController&) = delete;

  void Start();
  void Stop();

  // Adds or removes the finalizer of claim "ns/name" as needed; an error means "retry".
  absl::Status Sync(const std::string& key);
  // Whether a scheduled pod in the claim's namespace has a volume naming the claim.
  bool IsBeingUsed(const boost::json::value& claim) const;

 private:
  void OnClaim(const client::ObjPtr& claim);
  // A pod that went away, finished or is not scheduled may unblock its claims.
  void OnPod(const client::ObjPtr& old_pod, const client::ObjPtr& pod, bool deleted);

  client::Client* client_;
  client::Informer& claims_;
  client::Informer& pods_;
  std::shared_ptr<HandlerGuard<PvcProtectionController>> guard_;
  SyncLoop loop_;
};

}  // namespace skiff::controllers::volume

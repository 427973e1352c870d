// The PV protection controller ("persistentvolume-protection"): keeps the
// kubernetes.io/pv-protection finalizer on every volume and removes it from a volume being
// deleted once the volume is no longer Bound, as Kubernetes' pkg/controller/volume/pvprotection.
// Informer handlers run on the watch cache's dispatch thread and only queue keys.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"
#include "skiff/controllers/volume/sync_loop.h"

namespace skiff::controllers::volume {

class PvProtectionController {
 public:
  // Registers handlers on the volume informer: construct before the watch cache starts.
  PvProtectionController(client::Client* client, client::InformerFactory* informers);
  ~PvProtectionController();
  PvProtectionController(const PvProtectionController&) = delete;
  PvProtectionController& operator=(const PvProtectionController&) = delete;

  void Start();
  void Stop();

  // Adds or removes the finalizer of volume `name` as needed; an error means "retry".
  absl::Status Sync(const std::string& name);

 private:
  client::Client* client_;
  client::Informer& volumes_;
  std::shared_ptr<HandlerGuard<PvProtectionController>> guard_;
  SyncLoop loop_;
};

}  // namespace skiff::controllers::volume

// The local-path provisioner ("local-path-provisioner"): Skiff's built-in dynamic provisioner,
// modelled on Rancher's local-path-provisioner and the sig-storage external-provisioner library
// it runs on. It answers to the provisioner name "rancher.io/local-path" (so StorageClasses
// written for k3s or kind work unchanged) and serves the default class "local-path", which
// `skiff server` creates at start (WaitForFirstConsumer, reclaim policy Delete).
//
// For an unbound claim the binder annotated with this provisioner (and, for a
// WaitForFirstConsumer class, that carries the scheduler's volume.kubernetes.io/selected-node),
// it creates the directory <root>/pvc-<claim uid> and a PersistentVolume "pvc-<claim uid>" of the
// claim's size and access modes: a hostPath volume pre-bound to the claim, with node affinity to
// the selected node (kubernetes.io/hostname). Claims asking for ReadWriteMany or ReadOnlyMany get
// a volume without node affinity instead: every node Skiff runs (hollow nodes, agents on this
// host) sees the server's data directory, which then acts as local-path's shared filesystem.
// When a volume it provisioned is Released with reclaim policy Delete, it removes the directory
// and deletes the PersistentVolume.
// Informer handlers run on the watch cache's dispatch thread and only queue keys; one worker.
#pragma once

#include <boost/json.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "skiff/base/time.h"
#include "skiff/client/client.h"
#include "skiff/client/event_recorder.h"
#include "skiff/client/informer.h"
#include "skiff/controllers/volume/sync_loop.h"

namespace skiff::controllers::volume {

inline constexpr std::string_view kLocalPathProvisionerName = "rancher.io/local-path";
inline constexpr std::string_view kLocalPathStorageClass = "local-path";

// The default StorageClass `skiff server` ensures.
boost::json::value LocalPathStorageClass();
// Creates LocalPathStorageClass() when no class of that name exists; an existing one (possibly
// edited by its owner) is left exactly as it is.
absl::Status EnsureLocalPathStorageClass(client::Client* client);

struct LocalPathProvisionerOptions {
  // Where volume directories are made (`skiff server`: <data-dir>/storage).
  std::filesystem::path root;
  const base::Clock* clock = &base::Clock::Real();
};

class LocalPathProvisioner {
 public:
  // Registers handlers on the claim and volume informers: construct before the watch cache
  // starts. `client` and `informers` must outlive the provisioner.
  LocalPathProvisioner(client::Client* client, client::InformerFactory* informers,
                       LocalPathProvisionerOptions options);
  ~LocalPathProvisioner();
  LocalPathProvisioner(const LocalPathProvisioner&) = delete;
  LocalPathProvisioner& operator=(const LocalPathProvisioner&) = delete;

  void Start();
  void Stop();

  // Provisions a volume for claim "ns/name" if it is due one; an error means "retry".
  absl::Status SyncClaim(const std::string& key);
  // Deletes a released volume this provisioner made, directory first.
  absl::Status SyncVolume(const std::string& name);

  void FlushEvents() { recorder_.Flush(); }
  const std::filesystem::path& root() const { return root_; }

 private:
  absl::Status Sync(const std::string& queue_key);
  // The PersistentVolume for `claim` on `node` (nullptr: no node affinity) at `path`.
  boost::json::value VolumeFor(const boost::json::value& claim,
                               const boost::json::value& storage_class,
                               const boost::json::value* node, const std::string& name,
                               const std::filesystem::path& path) const;
  // Tells the scheduler to pick another node by removing the claim's selected-node annotation.
  absl::Status Reschedule(const boost::json::value& claim);

  client::Client* client_;
  const std::filesystem::path root_;
  client::Informer& claims_;
  client::Informer& volumes_;
  client::Informer& classes_;
  client::Informer& nodes_;
  client::EventRecorder recorder_;
  std::shared_ptr<HandlerGuard<LocalPathProvisioner>> guard_;
  SyncLoop loop_;
};

}  // namespace skiff::controllers::volume

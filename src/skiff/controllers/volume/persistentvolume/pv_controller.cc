#include "skiff/controllers/volume/persistentvolume/pv_controller.h"

#include "skiff/api/object.h"
#include "skiff/controllers/volume/binding.h"

namespace skiff::controllers::volume {

namespace json = boost::json;
using client::ObjPtr;

namespace {

constexpr std::string_view kClaimPrefix = "claim:";
constexpr std::string_view kVolumePrefix = "volume:";

std::string ClaimQueueKey(const std::string& key) { return std::string(kClaimPrefix) + key; }
std::string VolumeQueueKey(const std::string& name) { return std::string(kVolumePrefix) + name; }

}  // namespace

// ---- WrittenObjects

ObjPtr PersistentVolumeController::WrittenObjects::Fresh(const std::string& key, ObjPtr cached) {
  absl::MutexLock lock(&mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return cached;
  if (cached != nullptr && ResourceVersion(*cached) >= ResourceVersion(*it->second)) {
    objects_.erase(it);
    return cached;
  }
  return it->second;
}

void PersistentVolumeController::WrittenObjects::Remember(const std::string& key, json::value obj) {
  absl::MutexLock lock(&mu_);
  objects_[key] = std::make_shared<const json::value>(std::move(obj));
}

void PersistentVolumeController::WrittenObjects::Forget(const std::string& key) {
  absl::MutexLock lock(&mu_);
  objects_.erase(key);
}

// ---- construction, handlers

PersistentVolumeController::PersistentVolumeController(client::Client* client,
                                                       client::InformerFactory* informers,
                                                       PersistentVolumeControllerOptions options)
    : client_(client),
      claims_(informers->For(client::PersistentVolumeClaims())),
      volumes_(informers->For(client::PersistentVolumes())),
      classes_(informers->For(client::StorageClasses())),
      pods_(informers->For(client::Pods())),
      recorder_(client, "persistentvolume-controller", "", *options.clock),
      guard_(std::make_shared<HandlerGuard<PersistentVolumeController>>(this)),
      loop_("persistentvolume-binder", [this](const std::string& key) { return Sync(key); }) {
  auto g = guard_;
  auto enqueue_claim = [g](const ObjPtr& c) {
    g->With([&](auto& self) { self.loop_.Add(ClaimQueueKey(ClaimKey(*c))); });
  };
  claims_.AddHandlers({
      .on_add = enqueue_claim,
      .on_update = [enqueue_claim](const ObjPtr&, const ObjPtr& c) { enqueue_claim(c); },
      .on_delete = [g](const ObjPtr& c) { g->With([&](auto& self) { self.OnClaimDelete(c); }); },
  });
  auto enqueue_volume = [g](const ObjPtr& v) {
    g->With([&](auto& self) { self.loop_.Add(VolumeQueueKey(Name(*v))); });
  };
  volumes_.AddHandlers({
      .on_add = enqueue_volume,
      .on_update = [enqueue_volume](const ObjPtr&, const ObjPtr& v) { enqueue_volume(v); },
      .on_delete = [g](const ObjPtr& v) { g->With([&](auto& self) { self.OnVolumeDelete(v); }); },
  });
  loop_.SetResync(options.resync_period, [this] {
    std::vector<std::string> keys;
    for (const ObjPtr& c : claims_.List()) keys.push_back(ClaimQueueKey(ClaimKey(*c)));
    for (const ObjPtr& v : volumes_.List()) keys.push_back(VolumeQueueKey(Name(*v)));
    return keys;
  });
}

PersistentVolumeController::~PersistentVolumeController() { Stop(); }

void PersistentVolumeController::Start() { loop_.Start(); }

void PersistentVolumeController::Stop() {
  guard_->Clear();
  loop_.Stop();
}

void PersistentVolumeController::OnClaimDelete(const ObjPtr& claim) {
  written_claims_.Forget(ClaimKey(*claim));
  // The volume it was bound to is released now.
  std::string volume(api::GetString(*claim, {"spec", "volumeName"}));
  if (!volume.empty()) loop_.Add(VolumeQueueKey(volume));
}

void PersistentVolumeController::OnVolumeDelete(const ObjPtr& volume) {
  written_volumes_.Forget(Name(*volume));
  // Its claim has lost the volume.
  const json::value* ref = api::Find(*volume, {"spec", "claimRef"});
  if (ref != nullptr && ref->is_object()) {
    loop_.Add(ClaimQueueKey(std::string(api::GetString(*ref, {"namespace"})) + "/" +
                            std::string(api::GetString(*ref, {"name"}))));
  }
}

void PersistentVolumeController::EnqueueClaim(const std::string& key) {
  loop_.Add(ClaimQueueKey(key));
}

absl::Status PersistentVolumeController::Sync(const std::string& queue_key) {
  if (queue_key.starts_with(kClaimPrefix)) return SyncClaim(queue_key.substr(kClaimPrefix.size()));
  return SyncVolume(queue_key.substr(kVolumePrefix.size()));
}

// ---- reads

ObjPtr PersistentVolumeController::Claim(const std::string& ns, const std::string& name) {
  return written_claims_.Fresh(ns + "/" + name, claims_.Get(ns, name));
}

ObjPtr PersistentVolumeController::Volume(const std::string& name) {
  return written_volumes_.Fresh(name, volumes_.Get("", name));
}

std::vector<ObjPtr> PersistentVolumeController::Volumes() {
  std::vector<ObjPtr> out = volumes_.List();
  for (ObjPtr& v : out) v = written_volumes_.Fresh(Name(*v), v);
  return out;
}

ObjPtr PersistentVolumeController::StorageClass(const std::string& name) const {
  return name.empty() ? nullptr : classes_.Get("", name);
}

absl::StatusOr<ObjPtr> PersistentVolumeController::LiveClaim(const std::string& ns,
                                                             const std::string& name) {
  auto res = client_->Get(client::PersistentVolumeClaims(), ns, name);
  if (!res.ok()) {
    if (client::IsNotFoundError(res.status())) return ObjPtr();
    return res.status();
  }
  return std::make_shared<const json::value>(std::move(*res));
}

// ---- writes

absl::Status PersistentVolumeController::WriteClaim(ObjPtr* claim, json::value updated,
                                                    bool status) {
  auto res =
      client_->Update(client::PersistentVolumeClaims(), std::move(updated), status ? "status" : "");
  if (!res.ok()) return res.status();
  written_claims_.Remember(ClaimKey(*res), *res);
  *claim = std::make_shared<const json::value>(std::move(*res));
  return absl::OkStatus();
}

absl::Status PersistentVolumeController::WriteVolume(ObjPtr* volume, json::value updated,
                                                     bool status) {
  auto res =
      client_->Update(client::PersistentVolumes(), std::move(updated), status ? "status" : "");
  if (!res.ok()) return res.status();
  written_volumes_.Remember(Name(*res), *res);
  *volume = std::make_shared<const json::value>(std::move(*res));
  return absl::OkStatus();
}

}  // namespace skiff::controllers::volume

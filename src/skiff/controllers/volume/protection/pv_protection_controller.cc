#include "skiff/controllers/volume/protection/pv_protection_controller.h"

#include "skiff/api/object.h"
#include "skiff/controllers/volume/binding.h"
#include "spdlog/spdlog.h"

namespace skiff::controllers::volume {

namespace json = boost::json;
using client::ObjPtr;

namespace {

bool NeedsFinalizer(const json::value& pv) {
  return !IsDeleting(pv) && !HasFinalizer(pv, kPvProtectionFinalizer);
}

bool IsDeletionCandidate(const json::value& pv) {
  return IsDeleting(pv) && HasFinalizer(pv, kPvProtectionFinalizer);
}

// The binder keeps the phase: a Bound volume is in use by its claim.
bool IsBeingUsed(const json::value& pv) {
  return api::GetString(pv, {"status", "phase"}) == "Bound";
}

}  // namespace

PvProtectionController::PvProtectionController(client::Client* client,
                                               client::InformerFactory* informers)
    : client_(client),
      volumes_(informers->For(client::PersistentVolumes())),
      guard_(std::make_shared<HandlerGuard<PvProtectionController>>(this)),
      loop_("persistentvolume-protection", [this](const std::string& key) { return Sync(key); }) {
  auto g = guard_;
  auto on_volume = [g](const ObjPtr& v) {
    if (!NeedsFinalizer(*v) && !IsDeletionCandidate(*v)) return;
    g->With([&](auto& self) { self.loop_.Add(Name(*v)); });
  };
  volumes_.AddHandlers({
      .on_add = on_volume,
      .on_update = [on_volume](const ObjPtr&, const ObjPtr& v) { on_volume(v); },
      .on_delete = nullptr,
  });
}

PvProtectionController::~PvProtectionController() { Stop(); }

void PvProtectionController::Start() { loop_.Start(); }

void PvProtectionController::Stop() {
  guard_->Clear();
  loop_.Stop();
}

absl::Status PvProtectionController::Sync(const std::string& name) {
  ObjPtr pv = volumes_.Get("", name);
  if (pv == nullptr) return absl::OkStatus();
  json::value updated = *pv;
  if (IsDeletionCandidate(*pv)) {
    if (IsBeingUsed(*pv)) return absl::OkStatus();
    RemoveFinalizer(updated, kPvProtectionFinalizer);
  } else if (NeedsFinalizer(*pv)) {
    AddFinalizer(updated, kPvProtectionFinalizer);
  } else {
    return absl::OkStatus();
  }
  auto res = client_->Update(client::PersistentVolumes(), std::move(updated));
  if (!res.ok()) return res.status();
  spdlog::info("persistentvolume-protection: {} protection finalizer of volume {}",
               IsDeleting(*pv) ? "removed the" : "added the", name);
  return absl::OkStatus();
}

}  // namespace skiff::controllers::volume

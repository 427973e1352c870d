#include "skiff/controllers/volume/protection/pvc_protection_controller.h"

#include <algorithm>

#include "skiff/api/object.h"
#include "skiff/controllers/volume/binding.h"
#include "spdlog/spdlog.h"

namespace skiff::controllers::volume {

namespace json = boost::json;
using client::ObjPtr;

namespace {

bool NeedsFinalizer(const json::value& claim) {
  return !IsDeleting(claim) && !HasFinalizer(claim, kPvcProtectionFinalizer);
}

bool IsDeletionCandidate(const json::value& claim) {
  return IsDeleting(claim) && HasFinalizer(claim, kPvcProtectionFinalizer);
}

}  // namespace

PvcProtectionController::PvcProtectionController(client::Client* client,
                                                 client::InformerFactory* informers)
    : client_(client),
      claims_(informers->For(client::PersistentVolumeClaims())),
      pods_(informers->For(client::Pods())),
      guard_(std::make_shared<HandlerGuard<PvcProtectionController>>(this)),
      loop_("persistentvolumeclaim-protection",
            [this](const std::string& key) { return Sync(key); }) {
  auto g = guard_;
  auto on_claim = [g](const ObjPtr& c) { g->With([&](auto& self) { self.OnClaim(c); }); };
  claims_.AddHandlers({
      .on_add = on_claim,
      .on_update = [on_claim](const ObjPtr&, const ObjPtr& c) { on_claim(c); },
      .on_delete = nullptr,
  });
  pods_.AddHandlers({
      .on_add =
          [g](const ObjPtr& p) { g->With([&](auto& self) { self.OnPod(nullptr, p, false); }); },
      .on_update = [g](const ObjPtr& o,
                       const ObjPtr& p) { g->With([&](auto& self) { self.OnPod(o, p, false); }); },
      .on_delete =
          [g](const ObjPtr& p) { g->With([&](auto& self) { self.OnPod(nullptr, p, true); }); },
  });
}

PvcProtectionController::~PvcProtectionController() { Stop(); }

void PvcProtectionController::Start() { loop_.Start(); }

void PvcProtectionController::Stop() {
  guard_->Clear();
  loop_.Stop();
}

void PvcProtectionController::OnClaim(const ObjPtr& claim) {
  if (NeedsFinalizer(*claim) || IsDeletionCandidate(*claim)) loop_.Add(ClaimKey(*claim));
}

void PvcProtectionController::OnPod(const ObjPtr& old_pod, const ObjPtr& pod, bool deleted) {
  auto enqueue = [this](const json::value& p, bool gone) {
    // A running, scheduled pod cannot help a claim lose its finalizer.
    if (!gone && !IsPodTerminated(p) && !api::GetString(p, {"spec", "nodeName"}).empty()) return;
    for (const std::string& claim : PodClaimNames(p)) loop_.Add(Namespace(p) + "/" + claim);
  };
  enqueue(*pod, deleted);
  // An update may hide the deletion of one pod and the creation of another with its name.
  if (old_pod != nullptr && Uid(*old_pod) != Uid(*pod)) enqueue(*old_pod, true);
}

bool PvcProtectionController::IsBeingUsed(const json::value& claim) const {
  std::string name = Name(claim);
  for (const ObjPtr& pod : pods_.List(Namespace(claim))) {
    // Kubelets only see scheduled pods, and refuse to start one whose claim is being deleted.
    if (api::GetString(*pod, {"spec", "nodeName"}).empty()) continue;
    std::vector<std::string> names = PodClaimNames(*pod);
    if (std::find(names.begin(), names.end(), name) != names.end()) return true;
  }
  return false;
}

absl::Status PvcProtectionController::Sync(const std::string& key) {
  auto [ns, name] = client::SplitKey(key);
  ObjPtr claim = claims_.Get(ns, name);
  if (claim == nullptr) return absl::OkStatus();
  json::value updated = *claim;
  if (IsDeletionCandidate(*claim)) {
    if (IsBeingUsed(*claim)) {
      spdlog::debug("persistentvolumeclaim-protection: keeping {}: it is being used", key);
      return absl::OkStatus();
    }
    RemoveFinalizer(updated, kPvcProtectionFinalizer);
  } else if (NeedsFinalizer(*claim)) {
    AddFinalizer(updated, kPvcProtectionFinalizer);
  } else {
    return absl::OkStatus();
  }
  auto res = client_->Update(client::PersistentVolumeClaims(), std::move(updated));
  if (!res.ok()) return res.status();
  spdlog::info("persistentvolumeclaim-protection: {} protection finalizer of claim {}",
               IsDeleting(*claim) ? "removed the" : "added the", key);
  return absl::OkStatus();
}

}  // namespace skiff::controllers::volume

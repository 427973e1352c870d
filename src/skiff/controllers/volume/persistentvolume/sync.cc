// Kubernetes' syncClaim and syncVolume: every branch decides from the claim and volume as they
// are now, so a sync interrupted anywhere is finished by the next one.
#include <algorithm>

#include "skiff/api/kinds/kinds.h"
#include "skiff/api/object.h"
#include "skiff/api/text.h"
#include "skiff/controllers/volume/binding.h"
#include "skiff/controllers/volume/persistentvolume/pv_controller.h"
#include "spdlog/spdlog.h"

namespace skiff::controllers::volume {

namespace json = boost::json;
using client::ObjPtr;

namespace {

json::value Copy(const ObjPtr& obj) { return *obj; }

std::string_view Phase(const json::value& obj) { return api::GetString(obj, {"status", "phase"}); }

void SetAnnotation(json::value& obj, std::string_view key, std::string_view value) {
  api::EnsureObject(obj, {"metadata", "annotations"})[key] = value;
}

}  // namespace

// ---- claims

absl::Status PersistentVolumeController::SyncClaim(const std::string& key) {
  auto [ns, name] = client::SplitKey(key);
  ObjPtr claim = Claim(ns, name);
  if (claim == nullptr) return absl::OkStatus();
  if (!HasAnnotation(*claim, kAnnBindCompleted)) return SyncUnboundClaim(std::move(claim));
  return SyncBoundClaim(std::move(claim));
}

absl::Status PersistentVolumeController::SyncUnboundClaim(ObjPtr claim) {
  std::string volume_name(api::GetString(*claim, {"spec", "volumeName"}));
  if (volume_name.empty()) {
    // The claim takes whatever fits.
    ObjPtr storage_class = StorageClass(ClaimClass(*claim));
    bool delay = IsDelayBindingMode(storage_class.get());
    auto volume = FindBestMatchForClaim(*claim, Volumes(), delay);
    if (!volume.ok()) {
      return absl::InvalidArgumentError(api::Cat("error finding PV for claim \"", ClaimKey(*claim),
                                                 "\": ", std::string(volume.status().message())));
    }
    if (*volume != nullptr) return Bind(*volume, std::move(claim));
    auto assigned = AssignDefaultStorageClass(claim);
    if (!assigned.ok()) return assigned.status();
    if (*assigned) return absl::OkStatus();  // the update brings the claim back
    if (delay && !HasAnnotation(*claim, kAnnSelectedNode)) {
      EmitWaitingForConsumer(*claim);
    } else if (!ClaimClass(*claim).empty()) {
      return ProvisionClaim(std::move(claim), storage_class);
    } else {
      recorder_.Record(
          *claim, "Normal", "FailedBinding",
          "no persistent volumes available for this claim and no storage class is set");
    }
    return UpdateClaimStatus(&claim, "Pending", nullptr);
  }
  // The claim names its volume.
  ObjPtr volume = Volume(volume_name);
  if (volume == nullptr) return UpdateClaimStatus(&claim, "Pending", nullptr);
  if (api::GetObject(*volume, {"spec", "claimRef"}) == nullptr) {
    std::string mismatch = CheckVolumeSatisfiesClaim(*volume, *claim);
    if (mismatch.empty()) return Bind(std::move(volume), std::move(claim));
    recorder_.Record(*claim, "Warning", "VolumeMismatch",
                     api::Cat("Cannot bind to requested volume \"", volume_name, "\": ", mismatch));
    return UpdateClaimStatus(&claim, "Pending", nullptr);
  }
  if (IsVolumeBoundToClaim(*volume, *claim)) return Bind(std::move(volume), std::move(claim));
  // The volume belongs to another claim.
  recorder_.Record(*claim, "Warning", "FailedBinding",
                   api::Cat("volume \"", volume_name, "\" already bound to a different claim."));
  if (!HasAnnotation(*claim, kAnnBoundByController)) {
    return UpdateClaimStatus(&claim, "Pending", nullptr);  // the user asked for it; wait
  }
  const json::value& ref = *api::Find(*volume, {"spec", "claimRef"});
  return absl::FailedPreconditionError(
      api::Cat("invalid binding of claim \"", ClaimKey(*claim), "\" to volume \"", volume_name,
               "\": volume already claimed by \"", api::GetString(ref, {"namespace"}), "/",
               api::GetString(ref, {"name"}), "\""));
}

absl::Status PersistentVolumeController::SyncBoundClaim(ObjPtr claim) {
  std::string volume_name(api::GetString(*claim, {"spec", "volumeName"}));
  if (volume_name.empty()) {
    return UpdateClaimStatusWithEvent(
        &claim, "Lost", "Warning", "ClaimLost",
        "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!");
  }
  ObjPtr volume = Volume(volume_name);
  if (volume == nullptr) {
    return UpdateClaimStatusWithEvent(
        &claim, "Lost", "Warning", "ClaimLost",
        "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
  }
  const json::value* ref = api::Find(*volume, {"spec", "claimRef"});
  if (ref == nullptr || !ref->is_object() ||
      api::GetString(*ref, {"uid"}) == api::GetString(*claim, {"metadata", "uid"})) {
    // Unbound volume (or a binding not yet complete): bind again; a no-op when all is done.
    return Bind(std::move(volume), std::move(claim));
  }
  return UpdateClaimStatusWithEvent(
      &claim, "Lost", "Warning", "ClaimMisbound",
      "Two claims are bound to the same volume, this one is bound incorrectly");
}

// ---- volumes

absl::Status PersistentVolumeController::SyncVolume(const std::string& name) {
  ObjPtr volume = Volume(name);
  if (volume == nullptr) return absl::OkStatus();
  const json::value* ref = api::Find(*volume, {"spec", "claimRef"});
  if (ref == nullptr || !ref->is_object()) return UpdateVolumePhase(&volume, "Available");
  std::string claim_uid(api::GetString(*ref, {"uid"}));
  if (claim_uid.empty()) {
    // Pre-bound to a claim that has not bound yet: the claim's sync does it.
    return UpdateVolumePhase(&volume, "Available");
  }
  std::string ns(api::GetString(*ref, {"namespace"}));
  std::string claim_name(api::GetString(*ref, {"name"}));
  ObjPtr claim = Claim(ns, claim_name);
  std::string_view phase = Phase(*volume);
  bool released_or_failed = phase == "Released" || phase == "Failed";
  if ((claim == nullptr && !released_or_failed) || (claim != nullptr && Uid(*claim) != claim_uid)) {
    // Informers may lag behind a claim created by the scheduler or a provisioner: a volume is
    // released only when the API server agrees the claim is gone.
    auto live = LiveClaim(ns, claim_name);
    if (!live.ok()) return live.status();
    claim = *live;
    if (claim != nullptr && Uid(*claim) != claim_uid) claim = nullptr;  // same name, new claim
  }
  if (claim == nullptr) {
    if (!released_or_failed) {
      spdlog::info(
          "persistentvolume-binder: volume {} is released and reclaim policy {} will be "
          "executed",
          name, api::GetString(*volume, {"spec", "persistentVolumeReclaimPolicy"}));
      if (absl::Status s = UpdateVolumePhase(&volume, "Released"); !s.ok()) return s;
    }
    return ReclaimVolume(std::move(volume));
  }
  std::string bound_to(api::GetString(*claim, {"spec", "volumeName"}));
  if (bound_to.empty()) {
    if (VolumeModeMismatch(*claim, *volume)) {
      recorder_.Record(*volume, "Warning", "VolumeMismatch",
                       api::Cat("Cannot bind PersistentVolume to requested PersistentVolumeClaim "
                                "\"",
                                Name(*claim), "\" due to incompatible volumeMode."));
      recorder_.Record(*claim, "Warning", "VolumeMismatch",
                       api::Cat("Cannot bind PersistentVolume \"", name,
                                "\" to requested PersistentVolumeClaim due to incompatible "
                                "volumeMode."));
      return absl::OkStatus();
    }
    // The volume points at the claim (a provisioner made it, or a binding is half done): the
    // claim's sync finishes the binding.
    EnqueueClaim(ClaimKey(*claim));
    return absl::OkStatus();
  }
  if (bound_to == name) return UpdateVolumePhase(&volume, "Bound");
  // The claim is bound to another volume.
  if (HasAnnotation(*volume, kAnnProvisionedBy) &&
      api::GetString(*volume, {"spec", "persistentVolumeReclaimPolicy"}) == "Delete") {
    // Provisioned for this claim, which got another volume: not needed any more.
    if (!released_or_failed) {
      if (absl::Status s = UpdateVolumePhase(&volume, "Released"); !s.ok()) return s;
    }
    return ReclaimVolume(std::move(volume));
  }
  return UnbindVolume(std::move(volume));
}

absl::Status PersistentVolumeController::ReclaimVolume(ObjPtr volume) {
  std::string_view policy = api::GetString(*volume, {"spec", "persistentVolumeReclaimPolicy"});
  if (policy == "Retain") return absl::OkStatus();
  if (policy == "Recycle") {
    return UpdateVolumePhaseWithEvent(&volume, "Failed", "Warning", "VolumeFailedRecycle",
                                      "No recycler plugin found for the volume!");
  }
  if (policy == "Delete") {
    std::string provisioner = AnnotationValue(*volume, kAnnProvisionedBy);
    if (!provisioner.empty() && !provisioner.starts_with("kubernetes.io/")) {
      return absl::OkStatus();  // its external provisioner deletes it
    }
    // Skiff has no in-tree volume plugins that could delete storage.
    return UpdateVolumePhaseWithEvent(
        &volume, "Failed", "Warning", "VolumeFailedDelete",
        api::Cat("error getting deleter volume plugin for volume \"", Name(*volume),
                 "\": no deletable volume plugin matched"));
  }
  return UpdateVolumePhaseWithEvent(&volume, "Failed", "Warning", "VolumeUnknownReclaimPolicy",
                                    "Volume has unrecognized PersistentVolumeReclaimPolicy");
}

// ---- binding

absl::Status PersistentVolumeController::Bind(ObjPtr volume, ObjPtr claim) {
  VolumeBinding bound = BindVolumeToClaim(*volume, *claim);
  if (bound.dirty) {
    spdlog::info("persistentvolume-binder: claim {} bound to volume {}", ClaimKey(*claim),
                 Name(*volume));
    if (absl::Status s = WriteVolume(&volume, std::move(bound.volume), false); !s.ok()) return s;
  }
  if (absl::Status s = UpdateVolumePhase(&volume, "Bound"); !s.ok()) return s;
  if (absl::Status s = BindClaimToVolume(&claim, *volume); !s.ok()) return s;
  return UpdateClaimStatus(&claim, "Bound", volume.get());
}

absl::Status PersistentVolumeController::BindClaimToVolume(ObjPtr* claim,
                                                           const json::value& volume) {
  json::value updated = Copy(*claim);
  bool dirty = false;
  if (api::GetString(updated, {"spec", "volumeName"}) != Name(volume)) {
    api::EnsureObject(updated, {"spec"})["volumeName"] = Name(volume);
    if (!HasAnnotation(updated, kAnnBoundByController)) {
      SetAnnotation(updated, kAnnBoundByController, "yes");
    }
    dirty = true;
  }
  if (!HasAnnotation(updated, kAnnBindCompleted)) {
    SetAnnotation(updated, kAnnBindCompleted, "yes");
    dirty = true;
  }
  if (!dirty) return absl::OkStatus();
  return WriteClaim(claim, std::move(updated), false);
}

absl::Status PersistentVolumeController::UnbindVolume(ObjPtr volume) {
  json::value updated = Copy(volume);
  if (HasAnnotation(updated, kAnnBoundByController)) {
    // The controller bound it: undo all of it.
    api::EnsureObject(updated, {"spec"}).erase("claimRef");
    json::object& annotations = api::EnsureObject(updated, {"metadata", "annotations"});
    annotations.erase(kAnnBoundByController);
    if (annotations.empty()) api::EnsureObject(updated, {"metadata"}).erase("annotations");
  } else {
    // The user pre-bound it: keep the reservation, drop the uid.
    api::EnsureObject(updated, {"spec", "claimRef"})["uid"] = "";
  }
  if (absl::Status s = WriteVolume(&volume, std::move(updated), false); !s.ok()) return s;
  return UpdateVolumePhase(&volume, "Available");
}

// ---- status

absl::Status PersistentVolumeController::UpdateClaimStatus(ObjPtr* claim, std::string_view phase,
                                                           const json::value* volume) {
  json::value updated = Copy(*claim);
  json::object& status = api::EnsureObject(updated, {"status"});
  bool dirty = false;
  bool phase_changes = Phase(**claim) != phase;
  if (phase_changes) {
    status["phase"] = phase;
    dirty = true;
  }
  if (volume == nullptr) {
    for (std::string_view field : {"accessModes", "capacity"}) {
      if (status.contains(field)) {
        status.erase(field);
        dirty = true;
      }
    }
  } else {
    const json::value* modes = api::Find(*volume, {"spec", "accessModes"});
    json::value want = modes != nullptr ? *modes : json::value(json::array());
    if (!status.contains("accessModes") || status.at("accessModes") != want) {
      status["accessModes"] = want;
      dirty = true;
    }
    // Capacity is set when the claim becomes Bound, not later: a difference can be intended
    // (a filesystem smaller than its block device).
    if (phase_changes) {
      const json::value* capacity = api::Find(*volume, {"spec", "capacity"});
      if (capacity == nullptr) {
        return absl::FailedPreconditionError(
            api::Cat("PersistentVolume \"", Name(*volume), "\" is without a storage capacity"));
      }
      if (!status.contains("capacity") || status.at("capacity") != *capacity) {
        status["capacity"] = *capacity;
        dirty = true;
      }
    }
  }
  if (!dirty) return absl::OkStatus();
  if (absl::Status s = WriteClaim(claim, std::move(updated), true); !s.ok()) return s;
  spdlog::debug("persistentvolume-binder: claim {} entered phase {}", ClaimKey(**claim), phase);
  return absl::OkStatus();
}

absl::Status PersistentVolumeController::UpdateClaimStatusWithEvent(ObjPtr* claim,
                                                                    std::string_view phase,
                                                                    std::string_view type,
                                                                    std::string_view reason,
                                                                    std::string message) {
  if (Phase(**claim) == phase) return absl::OkStatus();
  if (absl::Status s = UpdateClaimStatus(claim, phase, nullptr); !s.ok()) return s;
  recorder_.Record(**claim, type, reason, std::move(message));
  return absl::OkStatus();
}

absl::Status PersistentVolumeController::UpdateVolumePhase(ObjPtr* volume, std::string_view phase,
                                                           std::string_view message) {
  if (Phase(**volume) == phase) return absl::OkStatus();
  json::value updated = Copy(*volume);
  json::object& status = api::EnsureObject(updated, {"status"});
  status["phase"] = phase;
  if (message.empty()) {
    status.erase("message");
  } else {
    status["message"] = message;
  }
  if (absl::Status s = WriteVolume(volume, std::move(updated), true); !s.ok()) return s;
  spdlog::debug("persistentvolume-binder: volume {} entered phase {}", Name(**volume), phase);
  return absl::OkStatus();
}

absl::Status PersistentVolumeController::UpdateVolumePhaseWithEvent(ObjPtr* volume,
                                                                    std::string_view phase,
                                                                    std::string_view type,
                                                                    std::string_view reason,
                                                                    std::string message) {
  if (Phase(**volume) == phase) return absl::OkStatus();
  if (absl::Status s = UpdateVolumePhase(volume, phase, message); !s.ok()) return s;
  recorder_.Record(**volume, type, reason, std::move(message));
  return absl::OkStatus();
}

// ---- classes and provisioning

absl::StatusOr<bool> PersistentVolumeController::AssignDefaultStorageClass(const ObjPtr& claim) {
  if (ClaimHasClass(*claim)) return false;
  std::vector<ObjPtr> classes = classes_.List();
  std::vector<const json::value*> views;
  for (const ObjPtr& c : classes) views.push_back(c.get());
  const json::value* default_class = api::kinds::DefaultStorageClass(views);
  if (default_class == nullptr) return false;
  json::value updated = Copy(claim);
  api::EnsureObject(updated, {"spec"})["storageClassName"] = Name(*default_class);
  ObjPtr written = claim;
  if (absl::Status s = WriteClaim(&written, std::move(updated), false); !s.ok()) return s;
  spdlog::info("persistentvolume-binder: claim {} gets the default class {}", ClaimKey(*claim),
               Name(*default_class));
  return true;
}

absl::Status PersistentVolumeController::ProvisionClaim(ObjPtr claim, const ObjPtr& storage_class) {
  std::string class_name = ClaimClass(*claim);
  if (storage_class == nullptr) {
    recorder_.Record(*claim, "Warning", "ProvisioningFailed",
                     api::Cat("storageclass.storage.k8s.io \"", class_name, "\" not found"));
    return absl::OkStatus();  // retried on every sync
  }
  std::string provisioner(api::GetString(*storage_class, {"provisioner"}));
  if (provisioner.starts_with("kubernetes.io/")) {
    // In-tree plugins provision inside the controller; Skiff has none.
    recorder_.Record(*claim, "Warning", "ProvisioningFailed",
                     api::Cat("no volume plugin matched name: ", provisioner));
    return absl::OkStatus();
  }
  // An external provisioner watches claims annotated with its name.
  if (AnnotationValue(*claim, kAnnStorageProvisioner) != provisioner ||
      AnnotationValue(*claim, kAnnBetaStorageProvisioner) != provisioner) {
    json::value updated = Copy(claim);
    SetAnnotation(updated, kAnnBetaStorageProvisioner, provisioner);
    SetAnnotation(updated, kAnnStorageProvisioner, provisioner);
    if (absl::Status s = WriteClaim(&claim, std::move(updated), false); !s.ok()) {
      recorder_.Record(*claim, "Warning", "ProvisioningFailed",
                       api::Cat("Error saving claim: ", std::string(s.message())));
      return s;
    }
  }
  recorder_.Record(*claim, "Normal", "ExternalProvisioning",
                   api::Cat("Waiting for a volume to be created either by the external "
                            "provisioner '",
                            provisioner,
                            "' or manually by the system administrator. If volume creation is "
                            "delayed, please verify that the provisioner is running and "
                            "correctly registered."));
  return absl::OkStatus();
}

void PersistentVolumeController::EmitWaitingForConsumer(const json::value& claim) {
  std::vector<std::string> waiting;
  std::string claim_name = Name(claim);
  for (const ObjPtr& pod : pods_.List(Namespace(claim))) {
    if (IsPodTerminated(*pod) || !api::GetString(*pod, {"spec", "nodeName"}).empty()) continue;
    std::vector<std::string> names = PodClaimNames(*pod);
    if (std::find(names.begin(), names.end(), claim_name) != names.end()) {
      waiting.push_back(Name(*pod));
    }
  }
  if (waiting.empty()) {
    recorder_.Record(claim, "Normal", "WaitForFirstConsumer",
                     "waiting for first consumer to be created before binding");
  } else if (waiting.size() == 1) {
    recorder_.Record(claim, "Normal", "WaitForPodScheduled",
                     api::Cat("waiting for pod ", waiting[0], " to be scheduled"));
  } else {
    recorder_.Record(claim, "Normal", "WaitForPodScheduled",
                     api::Cat("waiting for pods ", api::Join(waiting, ","), " to be scheduled"));
  }
}

}  // namespace skiff::controllers::volume

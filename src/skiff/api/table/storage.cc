// Printers for persistent volumes, persistent volume claims and storage classes, with
// Kubernetes 1.32's columns.

#include <string>
#include <string_view>
#include <vector>

#include "skiff/api/object.h"
#include "skiff/api/table/format.h"
#include "skiff/api/table/printers.h"
#include "skiff/api/text.h"

namespace skiff::api::table {
namespace {

namespace json = boost::json;

constexpr std::string_view kBetaStorageClassAnnotation = "volume.beta.kubernetes.io/storage-class";

bool Deleting(const json::value& obj) {
  const json::value* ts = Find(obj, {"metadata", "deletionTimestamp"});
  return ts != nullptr && !ts->is_null();
}

// The phase, or Terminating once deletion started. Volumes and claims are stored with a phase;
// an unset one is the initial Pending.
std::string VolumePhase(const json::value& obj) {
  if (Deleting(obj)) return "Terminating";
  std::string_view phase = GetString(obj, {"status", "phase"});
  return std::string(phase.empty() ? "Pending" : phase);
}

// The optional string at `path`, or "<unset>" when absent.
std::string OptionalString(const json::value& obj, std::initializer_list<std::string_view> path) {
  const json::value* v = Find(obj, path);
  if (v == nullptr || !v->is_string()) return "<unset>";
  return std::string(v->get_string());
}

// The beta storage-class annotation, when present, wins over spec.storageClassName.
const json::value* BetaClassAnnotation(const json::value& obj) {
  const json::object* annotations = GetObject(obj, {"metadata", "annotations"});
  if (annotations == nullptr) return nullptr;
  auto it = annotations->find(kBetaStorageClassAnnotation);
  return it == annotations->end() ? nullptr : &it->value();
}

std::string StorageClassOf(const json::value& obj) {
  if (const json::value* a = BetaClassAnnotation(obj)) {
    return a->is_string() ? std::string(a->get_string()) : "";
  }
  return std::string(GetString(obj, {"spec", "storageClassName"}));
}

// Volume mode after API defaulting (Filesystem when unset).
std::string VolumeMode(const json::value& obj) {
  std::string_view mode = GetString(obj, {"spec", "volumeMode"});
  return std::string(mode.empty() ? "Filesystem" : mode);
}

json::array PersistentVolumeCells(const json::value& obj, absl::Time now) {
  std::string claim;
  if (GetObject(obj, {"spec", "claimRef"}) != nullptr) {
    claim = Cat(GetString(obj, {"spec", "claimRef", "namespace"}), "/",
                GetString(obj, {"spec", "claimRef", "name"}));
  }
  std::string_view reclaim = GetString(obj, {"spec", "persistentVolumeReclaimPolicy"});
  return json::array{ObjectName(obj),
                     CanonicalQuantity(Find(obj, {"spec", "capacity", "storage"})),
                     AccessModes(Find(obj, {"spec", "accessModes"})),
                     reclaim.empty() ? std::string("Retain") : std::string(reclaim),
                     VolumePhase(obj),
                     claim,
                     StorageClassOf(obj),
                     OptionalString(obj, {"spec", "volumeAttributesClassName"}),
                     GetString(obj, {"status", "reason"}),
                     ObjectAge(obj, now),
                     VolumeMode(obj)};
}

json::array PersistentVolumeClaimCells(const json::value& obj, absl::Time now) {
  std::string_view volume = GetString(obj, {"spec", "volumeName"});
  std::string capacity;
  std::string access_modes;
  if (!volume.empty()) {
    capacity = CanonicalQuantity(Find(obj, {"status", "capacity", "storage"}));
    access_modes = AccessModes(Find(obj, {"status", "accessModes"}));
  }
  return json::array{ObjectName(obj),
                     VolumePhase(obj),
                     volume,
                     capacity,
                     access_modes,
                     StorageClassOf(obj),
                     OptionalString(obj, {"spec", "volumeAttributesClassName"}),
                     ObjectAge(obj, now),
                     VolumeMode(obj)};
}

bool IsDefaultClass(const json::value& obj) {
  return GetString(obj, {"metadata", "annotations",
                         "storageclass.kubernetes.io/is-default-class"}) == "true" ||
         GetString(obj, {"metadata", "annotations",
                         "storageclass.beta.kubernetes.io/is-default-class"}) == "true";
}

json::array StorageClassCells(const json::value& obj, absl::Time now) {
  std::string name = ObjectName(obj);
  if (IsDefaultClass(obj)) name += " (default)";
  std::string_view reclaim = GetString(obj, {"reclaimPolicy"});
  std::string_view binding = GetString(obj, {"volumeBindingMode"});
  return json::array{name,
                     GetString(obj, {"provisioner"}),
                     reclaim.empty() ? std::string("Delete") : std::string(reclaim),
                     binding.empty() ? std::string("Immediate") : std::string(binding),
                     GetBool(obj, {"allowVolumeExpansion"}),
                     ObjectAge(obj, now)};
}

std::vector<Column> PersistentVolumeColumns() {
  return {NameColumn(),
          StringColumn("Capacity", "Storage size of the volume."),
          StringColumn("Access Modes", "Ways the volume can be mounted."),
          StringColumn("Reclaim Policy", "What happens to the volume when its claim goes away."),
          StringColumn("Status", "Phase of the volume."),
          StringColumn("Claim", "The claim bound to the volume, as namespace/name."),
          StringColumn("StorageClass", "Storage class of the volume."),
          StringColumn("VolumeAttributesClass", "Volume attributes class of the volume."),
          StringColumn("Reason", "Why the volume is in its phase."),
          AgeColumn(),
          StringColumn("VolumeMode", "Filesystem or Block.", 1)};
}

std::vector<Column> PersistentVolumeClaimColumns() {
  return {NameColumn(),
          StringColumn("Status", "Phase of the claim."),
          StringColumn("Volume", "The volume bound to the claim."),
          StringColumn("Capacity", "Storage size of the bound volume."),
          StringColumn("Access Modes", "Ways the bound volume can be mounted."),
          StringColumn("StorageClass", "Storage class requested by the claim."),
          StringColumn("VolumeAttributesClass", "Volume attributes class of the claim."),
          AgeColumn(),
          StringColumn("VolumeMode", "Filesystem or Block.", 1)};
}

std::vector<Column> StorageClassColumns() {
  return {NameColumn(),
          StringColumn("Provisioner", "Driver that provisions volumes of this class."),
          StringColumn("ReclaimPolicy", "Reclaim policy of volumes it provisions."),
          StringColumn("VolumeBindingMode", "When claims get bound and provisioned."),
          StringColumn("AllowVolumeExpansion", "Whether claims of this class can grow."),
          AgeColumn()};
}

}  // namespace

std::vector<Printer> StoragePrinters() {
  return {
      {"", "persistentvolumes", PersistentVolumeColumns(), &PersistentVolumeCells},
      {"", "persistentvolumeclaims", PersistentVolumeClaimColumns(), &PersistentVolumeClaimCells},
      {"storage.k8s.io", "storageclasses", StorageClassColumns(), &StorageClassCells},
  };
}

}  // namespace skiff::api::table

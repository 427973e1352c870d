// The storage admission plugins of Kubernetes' default set: DefaultStorageClass and
// StorageObjectInUseProtection.

#include <algorithm>
#include <string_view>

#include "skiff/api/kinds/internal.h"
#include "skiff/api/kinds/kinds.h"
#include "skiff/api/object.h"

namespace skiff::api::kinds {

namespace json = boost::json;

namespace {

constexpr std::string_view kDefaultClassAnnotation = "storageclass.kubernetes.io/is-default-class";
constexpr std::string_view kBetaDefaultClassAnnotation =
    "storageclass.beta.kubernetes.io/is-default-class";
constexpr std::string_view kBetaStorageClassAnnotation = "volume.beta.kubernetes.io/storage-class";

bool IsDefaultClass(const json::value& sc) {
  return GetString(sc, {"metadata", "annotations", kDefaultClassAnnotation}) == "true" ||
         GetString(sc, {"metadata", "annotations", kBetaDefaultClassAnnotation}) == "true";
}

// creationTimestamp: the API server writes UTC with second precision ("2024-05-30T12:00:00Z"),
// so the text orders as the times do.
std::string_view Created(const json::value& obj) {
  return GetString(obj, {"metadata", "creationTimestamp"});
}

void AddFinalizer(json::value& obj, std::string_view finalizer) {
  json::object& meta = EnsureObject(obj, {"metadata"});
  json::value& list = meta["finalizers"];
  if (!list.is_array()) list = json::array();
  for (const auto& f : list.get_array())
    if (f.is_string() && f.get_string() == finalizer) return;
  list.get_array().emplace_back(finalizer);
}

}  // namespace

const json::value* DefaultStorageClass(const std::vector<const json::value*>& classes) {
  const json::value* best = nullptr;
  for (const json::value* sc : classes) {
    if (sc == nullptr || !IsDefaultClass(*sc)) continue;
    if (best == nullptr) {
      best = sc;
      continue;
    }
    std::string_view a = Created(*sc), b = Created(*best);
    if (a > b ||
        (a == b && GetString(*sc, {"metadata", "name"}) < GetString(*best, {"metadata", "name"}))) {
      best = sc;
    }
  }
  return best;
}

void AdmitPersistentVolumeClaim(json::value& pvc,
                                const std::vector<const json::value*>& storage_classes,
                                const StorageAdmissionOptions& options) {
  if (!pvc.is_object()) return;
  if (options.pvc_protection) AddFinalizer(pvc, "kubernetes.io/pvc-protection");
  const json::object* annotations = GetObject(pvc, {"metadata", "annotations"});
  if (annotations != nullptr && annotations->contains(kBetaStorageClassAnnotation)) return;
  const json::value* requested = Find(pvc, {"spec", "storageClassName"});
  if (requested != nullptr && !requested->is_null()) return;  // the user asked for a class
  const json::value* default_class = DefaultStorageClass(storage_classes);
  if (default_class == nullptr) return;
  EnsureObject(pvc, {"spec"})["storageClassName"] = GetString(*default_class, {"metadata", "name"});
}

void AdmitPersistentVolume(json::value& pv, const StorageAdmissionOptions& options) {
  if (pv.is_object() && options.pv_protection) AddFinalizer(pv, "kubernetes.io/pv-protection");
}

}  // namespace skiff::api::kinds

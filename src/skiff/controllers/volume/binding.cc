#include "skiff/controllers/volume/binding.h"

#include <algorithm>
#include <map>
#include <optional>

#include "skiff/api/labels.h"
#include "skiff/api/node_selector.h"
#include "skiff/api/object.h"
#include "skiff/api/quantity.h"
#include "skiff/api/text.h"

namespace skiff::controllers::volume {

namespace json = boost::json;

const json::value* Annotation(const json::value& obj, std::string_view key) {
  const json::object* annotations = api::GetObject(obj, {"metadata", "annotations"});
  if (annotations == nullptr) return nullptr;
  auto it = annotations->find(key);
  return it == annotations->end() ? nullptr : &it->value();
}

bool HasAnnotation(const json::value& obj, std::string_view key) {
  return Annotation(obj, key) != nullptr;
}

std::string AnnotationValue(const json::value& obj, std::string_view key) {
  const json::value* v = Annotation(obj, key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

bool HasFinalizer(const json::value& obj, std::string_view finalizer) {
  if (const json::array* f = api::GetArray(obj, {"metadata", "finalizers"})) {
    for (const auto& v : *f)
      if (v.is_string() && v.get_string() == finalizer) return true;
  }
  return false;
}

bool IsDeleting(const json::value& obj) {
  const json::value* ts = api::Find(obj, {"metadata", "deletionTimestamp"});
  return ts != nullptr && !ts->is_null();
}

void AddFinalizer(json::value& obj, std::string_view finalizer) {
  if (HasFinalizer(obj, finalizer)) return;
  json::value& list = api::EnsureObject(obj, {"metadata"})["finalizers"];
  if (!list.is_array()) list = json::array();
  list.get_array().emplace_back(finalizer);
}

void RemoveFinalizer(json::value& obj, std::string_view finalizer) {
  json::object& meta = api::EnsureObject(obj, {"metadata"});
  auto it = meta.find("finalizers");
  if (it == meta.end() || !it->value().is_array()) return;
  json::array kept;
  for (const auto& f : it->value().get_array())
    if (!(f.is_string() && f.get_string() == finalizer)) kept.push_back(f);
  if (kept.empty()) {
    meta.erase(it);
  } else {
    it->value() = std::move(kept);
  }
}

std::string Name(const json::value& obj) {
  return std::string(api::GetString(obj, {"metadata", "name"}));
}
std::string Namespace(const json::value& obj) {
  return std::string(api::GetString(obj, {"metadata", "namespace"}));
}
std::string Uid(const json::value& obj) {
  return std::string(api::GetString(obj, {"metadata", "uid"}));
}
std::string ClaimKey(const json::value& claim) { return Namespace(claim) + "/" + Name(claim); }

int64_t ResourceVersion(const json::value& obj) {
  int64_t rv = 0;
  if (!api::ParseInt64(api::GetString(obj, {"metadata", "resourceVersion"}), &rv)) return 0;
  return rv;
}

std::string ClaimClass(const json::value& claim) {
  if (const json::value* a = Annotation(claim, kAnnBetaStorageClass)) {
    return a->is_string() ? std::string(a->get_string()) : std::string();
  }
  return std::string(api::GetString(claim, {"spec", "storageClassName"}));
}

bool ClaimHasClass(const json::value& claim) {
  if (HasAnnotation(claim, kAnnBetaStorageClass)) return true;
  const json::value* sc = api::Find(claim, {"spec", "storageClassName"});
  return sc != nullptr && !sc->is_null();
}

std::string VolumeClass(const json::value& volume) {
  if (const json::value* a = Annotation(volume, kAnnBetaStorageClass)) {
    return a->is_string() ? std::string(a->get_string()) : std::string();
  }
  return std::string(api::GetString(volume, {"spec", "storageClassName"}));
}

bool IsVolumeBoundToClaim(const json::value& volume, const json::value& claim) {
  const json::object* ref = api::GetObject(volume, {"spec", "claimRef"});
  if (ref == nullptr) return false;
  const json::value& r = *api::Find(volume, {"spec", "claimRef"});
  if (api::GetString(r, {"name"}) != api::GetString(claim, {"metadata", "name"}) ||
      api::GetString(r, {"namespace"}) != api::GetString(claim, {"metadata", "namespace"})) {
    return false;
  }
  std::string_view uid = api::GetString(r, {"uid"});
  return uid.empty() || uid == api::GetString(claim, {"metadata", "uid"});
}

namespace {

std::set<std::string> AccessModes(const json::value& obj) {
  std::set<std::string> out;
  if (const json::array* modes = api::GetArray(obj, {"spec", "accessModes"})) {
    for (const auto& m : *modes)
      if (m.is_string()) out.emplace(m.get_string());
  }
  return out;
}

bool ContainsAll(const std::set<std::string>& have, const std::set<std::string>& want) {
  return std::includes(have.begin(), have.end(), want.begin(), want.end());
}

std::string_view ModeOf(const json::value& obj) {
  std::string_view mode = api::GetString(obj, {"spec", "volumeMode"});
  return mode.empty() ? std::string_view("Filesystem") : mode;
}

int64_t Bytes(const json::value* q) {
  if (q == nullptr) return 0;
  auto parsed = api::Quantity::FromJson(*q);
  return parsed.ok() ? parsed->Value() : 0;
}

bool IsPhase(const json::value& volume, std::string_view phase) {
  return api::GetString(volume, {"status", "phase"}) == phase;
}

}  // namespace

bool CheckAccessModes(const json::value& claim, const json::value& volume) {
  return ContainsAll(AccessModes(volume), AccessModes(claim));
}

bool VolumeModeMismatch(const json::value& claim, const json::value& volume) {
  return ModeOf(claim) != ModeOf(volume);
}

absl::Status CheckNodeAffinity(const json::value& volume, std::string_view node_name,
                               const json::object* node_labels) {
  const json::value* required = api::Find(volume, {"spec", "nodeAffinity", "required"});
  if (required == nullptr || required->is_null()) return absl::OkStatus();
  if (api::NodeSelector::FromJson(*required).Matches(node_name, node_labels)) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError("no matching NodeSelectorTerms");
}

int64_t RequestedBytes(const json::value& claim) {
  return Bytes(api::Find(claim, {"spec", "resources", "requests", "storage"}));
}

int64_t CapacityBytes(const json::value& volume) {
  return Bytes(api::Find(volume, {"spec", "capacity", "storage"}));
}

std::string CheckVolumeSatisfiesClaim(const json::value& volume, const json::value& claim) {
  if (IsDeleting(volume))
    return api::Cat("the volume is marked for deletion \"", Name(volume), "\"");
  if (CapacityBytes(volume) < RequestedBytes(claim)) return "requested PV is too small";
  if (VolumeClass(volume) != ClaimClass(claim)) return "storageClassName does not match";
  if (VolumeModeMismatch(claim, volume)) return "incompatible volumeMode";
  if (!CheckAccessModes(claim, volume)) return "incompatible accessMode";
  return "";
}

absl::StatusOr<ObjPtr> FindMatchingVolume(const json::value& claim,
                                          const std::vector<ObjPtr>& volumes, const NodeRef* node,
                                          const std::set<std::string>& excluded,
                                          bool delay_binding) {
  const int64_t requested = RequestedBytes(claim);
  const std::string requested_class = ClaimClass(claim);
  std::optional<api::LabelSelector> selector;
  if (const json::value* s = api::Find(claim, {"spec", "selector"});
      s != nullptr && !s->is_null()) {
    auto parsed = api::LabelSelector::FromJson(*s);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          api::Cat("error creating internal label selector for claim: ", ClaimKey(claim), ": ",
                   std::string(parsed.status().message())));
    }
    selector = std::move(*parsed);
  }
  ObjPtr smallest;
  int64_t smallest_bytes = 0;
  for (const ObjPtr& volume : volumes) {
    const json::value& pv = *volume;
    if (excluded.contains(Name(pv))) continue;
    bool bound_here = IsVolumeBoundToClaim(pv, claim);
    if (api::GetObject(pv, {"spec", "claimRef"}) != nullptr && !bound_here) continue;
    int64_t bytes = CapacityBytes(pv);
    if (bytes < requested || VolumeModeMismatch(claim, pv) || IsDeleting(pv)) continue;
    bool affinity_ok = node == nullptr || CheckNodeAffinity(pv, node->name, node->labels).ok();
    if (bound_here) {
      // A pre-bound volume is the claim's, or (on this node) nothing is.
      if (!affinity_ok) return ObjPtr();
      return volume;
    }
    if (node == nullptr && delay_binding) continue;  // the scheduler picks for these claims
    if (!IsPhase(pv, "Available")) continue;
    if (selector && !selector->MatchesObject(pv)) continue;
    if (VolumeClass(pv) != requested_class || !affinity_ok) continue;
    if (node != nullptr && !CheckAccessModes(claim, pv)) continue;
    if (smallest == nullptr || bytes < smallest_bytes) {
      smallest = volume;
      smallest_bytes = bytes;
    }
  }
  return smallest;
}

absl::StatusOr<ObjPtr> FindBestMatchForClaim(const json::value& claim,
                                             const std::vector<ObjPtr>& volumes,
                                             bool delay_binding) {
  std::map<std::set<std::string>, std::vector<ObjPtr>> by_modes;
  for (const ObjPtr& v : volumes) by_modes[AccessModes(*v)].push_back(v);
  std::set<std::string> wanted = AccessModes(claim);
  std::vector<const std::pair<const std::set<std::string>, std::vector<ObjPtr>>*> groups;
  for (const auto& g : by_modes)
    if (ContainsAll(g.first, wanted)) groups.push_back(&g);
  // The narrowest mode set first: a claim for RWO should not take an RWO+RWX volume that an
  // RWX claim could use, when an RWO-only volume fits.
  std::stable_sort(groups.begin(), groups.end(),
                   [](const auto* a, const auto* b) { return a->first.size() < b->first.size(); });
  for (const auto* g : groups) {
    auto found = FindMatchingVolume(claim, g->second, nullptr, {}, delay_binding);
    if (!found.ok()) return found.status();
    if (*found != nullptr) return found;
  }
  return ObjPtr();
}

json::object ClaimReference(const json::value& claim) {
  return json::object{{"kind", "PersistentVolumeClaim"},
                      {"namespace", Namespace(claim)},
                      {"name", Name(claim)},
                      {"uid", Uid(claim)},
                      {"apiVersion", "v1"},
                      {"resourceVersion", api::GetString(claim, {"metadata", "resourceVersion"})}};
}

VolumeBinding BindVolumeToClaim(const json::value& volume, const json::value& claim) {
  VolumeBinding out{volume, false};
  bool by_controller = !IsVolumeBoundToClaim(volume, claim);
  const json::value* ref = api::Find(volume, {"spec", "claimRef"});
  if (ref == nullptr || !ref->is_object() ||
      api::GetString(*ref, {"name"}) != api::GetString(claim, {"metadata", "name"}) ||
      api::GetString(*ref, {"namespace"}) != api::GetString(claim, {"metadata", "namespace"}) ||
      api::GetString(*ref, {"uid"}) != api::GetString(claim, {"metadata", "uid"})) {
    api::EnsureObject(out.volume, {"spec"})["claimRef"] = ClaimReference(claim);
    out.dirty = true;
  }
  if (by_controller && !HasAnnotation(out.volume, kAnnBoundByController)) {
    api::EnsureObject(out.volume, {"metadata", "annotations"})[kAnnBoundByController] = "yes";
    out.dirty = true;
  }
  return out;
}

bool IsDelayBindingMode(const json::value* storage_class) {
  return storage_class != nullptr &&
         api::GetString(*storage_class, {"volumeBindingMode"}) == kWaitForFirstConsumer;
}

std::vector<std::string> PodClaimNames(const json::value& pod) {
  std::vector<std::string> out;
  if (const json::array* vols = api::GetArray(pod, {"spec", "volumes"})) {
    for (const auto& v : *vols) {
      std::string_view claim = api::GetString(v, {"persistentVolumeClaim", "claimName"});
      if (!claim.empty()) out.emplace_back(claim);
    }
  }
  return out;
}

bool IsPodTerminated(const json::value& pod) {
  std::string_view phase = api::GetString(pod, {"status", "phase"});
  return phase == "Succeeded" || phase == "Failed";
}

}  // namespace skiff::controllers::volume

#include "skiff/controllers/statefulset/claims.h"

#include "skiff/api/object.h"
#include "skiff/controllers/common/controller_ref.h"
#include "skiff/controllers/statefulset/identity.h"

namespace skiff::controllers::statefulset {

namespace json = boost::json;

namespace {

constexpr std::string_view kSetApiVersion = "apps/v1";
constexpr std::string_view kSetKind = "StatefulSet";
constexpr std::string_view kPodApiVersion = "v1";
constexpr std::string_view kPodKind = "Pod";

std::string_view Name(const json::value& obj) { return api::GetString(obj, {"metadata", "name"}); }
std::string_view Uid(const json::value& obj) { return api::GetString(obj, {"metadata", "uid"}); }

const json::array& OwnerRefs(const json::value& obj) {
  static const json::array kEmpty;
  const json::array* refs = api::GetArray(obj, {"metadata", "ownerReferences"});
  return refs == nullptr ? kEmpty : *refs;
}

// The reference names an object of this kind (apiVersion, kind and name; not the UID).
bool MatchesRef(const json::value& ref, std::string_view api_version, std::string_view kind,
                std::string_view name) {
  return api::GetString(ref, {"apiVersion"}) == api_version &&
         api::GetString(ref, {"kind"}) == kind && api::GetString(ref, {"name"}) == name;
}
bool MatchesSet(const json::value& ref, const json::value& set) {
  return MatchesRef(ref, kSetApiVersion, kSetKind, Name(set));
}
bool MatchesPod(const json::value& ref, const json::value& pod) {
  return MatchesRef(ref, kPodApiVersion, kPodKind, Name(pod));
}

bool HasOwnerRef(const json::value& claim, const json::value& owner) {
  std::string_view uid = Uid(owner);
  for (const auto& ref : OwnerRefs(claim)) {
    if (api::GetString(ref, {"uid"}) == uid) return true;
  }
  return false;
}

// The pod or set is an owner but not the controller.
bool HasNonControllerOwner(const json::value& claim, const json::value& set,
                           const json::value& pod) {
  for (const auto& ref : OwnerRefs(claim)) {
    std::string_view uid = api::GetString(ref, {"uid"});
    if ((uid == Uid(set) || uid == Uid(pod)) && !api::GetBool(ref, {"controller"})) return true;
  }
  return false;
}

void AddControllerRef(json::array& refs, std::string_view api_version, std::string_view kind,
                      const json::value& owner) {
  for (const auto& ref : refs) {
    if (api::GetString(ref, {"uid"}) == Uid(owner)) return;
  }
  refs.push_back(NewControllerRef(api_version, kind, Name(owner), Uid(owner)));
}

}  // namespace

RetentionPolicy RetentionPolicyOf(const json::value& set) {
  const json::value* p = api::Find(set, {"spec", "persistentVolumeClaimRetentionPolicy"});
  RetentionPolicy out;
  if (p == nullptr) return out;
  out.delete_when_deleted = api::GetString(*p, {"whenDeleted"}) == "Delete";
  out.delete_when_scaled = api::GetString(*p, {"whenScaled"}) == "Delete";
  return out;
}

std::vector<json::object> ClaimsForOrdinal(const json::value& set, int ordinal) {
  std::vector<json::object> claims;
  const json::array* templates = api::GetArray(set, {"spec", "volumeClaimTemplates"});
  if (templates == nullptr) return claims;
  const json::object* match = api::GetObject(set, {"spec", "selector", "matchLabels"});
  for (const auto& t : *templates) {
    if (!t.is_object()) continue;
    json::object claim = t.get_object();
    claim["apiVersion"] = "v1";
    claim["kind"] = "PersistentVolumeClaim";
    claim.erase("status");
    json::value claim_value(std::move(claim));
    json::object& meta = api::EnsureObject(claim_value, {"metadata"});
    std::string name = ClaimName(Name(t), Name(set), ordinal);
    meta["name"] = name;
    meta["namespace"] = api::GetString(set, {"metadata", "namespace"});
    json::object& labels = api::EnsureObject(claim_value, {"metadata", "labels"});
    if (match != nullptr) {
      for (const auto& kv : *match) labels[kv.key()] = kv.value();
    }
    if (labels.empty()) meta.erase("labels");
    claims.push_back(std::move(claim_value.as_object()));
  }
  return claims;
}

bool HasStaleOwnerRef(const json::value& claim, std::string_view api_version, std::string_view kind,
                      std::string_view name, std::string_view uid) {
  for (const auto& ref : OwnerRefs(claim)) {
    if (MatchesRef(ref, api_version, kind, name)) return api::GetString(ref, {"uid"}) != uid;
  }
  return false;
}

bool HasUnexpectedController(const json::value& claim, const json::value& set,
                             const json::value& pod) {
  RetentionPolicy policy = RetentionPolicyOf(set);
  if (!policy.delete_when_scaled && !policy.delete_when_deleted) return false;
  for (const auto& ref : OwnerRefs(claim)) {
    std::string_view uid = api::GetString(ref, {"uid"});
    if (MatchesSet(ref, set)) {
      if (uid != Uid(set)) return true;
      continue;
    }
    if (MatchesPod(ref, pod)) {
      if (uid != Uid(pod)) return true;
      continue;
    }
    if (api::GetBool(ref, {"controller"})) return true;
  }
  return false;
}

bool IsClaimOwnerUpToDate(const json::value& claim, const json::value& set,
                          const json::value& pod) {
  if (HasStaleOwnerRef(claim, kSetApiVersion, kSetKind, Name(set), Uid(set)) ||
      HasStaleOwnerRef(claim, kPodApiVersion, kPodKind, Name(pod), Uid(pod))) {
    // Managed by an earlier, presumably deleted, set or pod: not ours to touch.
    return true;
  }
  if (HasUnexpectedController(claim, set, pod)) {
    // Our own references next to another controller must go; otherwise leave it alone.
    return !(HasOwnerRef(claim, set) || HasOwnerRef(claim, pod));
  }
  if (HasNonControllerOwner(claim, set, pod)) return false;
  RetentionPolicy policy = RetentionPolicyOf(set);
  bool scaled_down = !PodInOrdinalRange(pod, set);
  bool set_ref = HasOwnerRef(claim, set);
  bool pod_ref = HasOwnerRef(claim, pod);
  if (!policy.delete_when_scaled && !policy.delete_when_deleted) return !set_ref && !pod_ref;
  if (!policy.delete_when_scaled) return set_ref && !pod_ref;
  if (!policy.delete_when_deleted) return !set_ref && scaled_down == pod_ref;
  return scaled_down != set_ref && scaled_down == pod_ref;
}

json::array ClaimOwnerRefsForPolicy(const json::value& claim, const json::value& set,
                                    const json::value& pod) {
  bool unexpected = HasUnexpectedController(claim, set, pod);
  json::array refs;
  for (const auto& ref : OwnerRefs(claim)) {
    if (!MatchesSet(ref, set) && !MatchesPod(ref, pod)) refs.push_back(ref);
  }
  if (unexpected) return refs;
  RetentionPolicy policy = RetentionPolicyOf(set);
  bool scaled_down = !PodInOrdinalRange(pod, set);
  if (policy.delete_when_deleted && !(policy.delete_when_scaled && scaled_down)) {
    AddControllerRef(refs, kSetApiVersion, kSetKind, set);
  }
  if (policy.delete_when_scaled && scaled_down) {
    AddControllerRef(refs, kPodApiVersion, kPodKind, pod);
  }
  return refs;
}

}  // namespace skiff::controllers::statefulset

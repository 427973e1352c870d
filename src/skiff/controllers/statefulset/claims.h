// The PersistentVolumeClaims of StatefulSet pods and the ownerReferences the
// persistentVolumeClaimRetentionPolicy puts on them (Kubernetes' stateful_set_utils.go):
//   whenScaled Retain, whenDeleted Retain: no reference from the set or the pod;
//   whenScaled Retain, whenDeleted Delete: a controller reference to the set;
//   whenScaled Delete, whenDeleted Retain: a controller reference to the pod, for condemned
//     (scaled-down) ordinals only;
//   Delete / Delete: the set for ordinals in range, the pod for condemned ones.
// Claims with stale references (same name, other UID) or another controller are left alone.
// Pure functions; safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <string_view>
#include <vector>

namespace skiff::controllers::statefulset {

struct RetentionPolicy {
  bool delete_when_deleted = false;
  bool delete_when_scaled = false;
};
// spec.persistentVolumeClaimRetentionPolicy; Retain for anything but "Delete".
RetentionPolicy RetentionPolicyOf(const boost::json::value& set);

// The claims of the pod with `ordinal`, one per volumeClaimTemplate in order: the template with
// the ordinal's name, the set's namespace, and labels = template labels + selector matchLabels.
std::vector<boost::json::object> ClaimsForOrdinal(const boost::json::value& set, int ordinal);

// A reference on `claim` to an object of this kind and name whose UID is not `uid`.
bool HasStaleOwnerRef(const boost::json::value& claim, std::string_view api_version,
                      std::string_view kind, std::string_view name, std::string_view uid);
// A controller other than the set or the pod, under a non-Retain/Retain policy (a UID-mismatched
// reference to the set or pod counts as one).
bool HasUnexpectedController(const boost::json::value& claim, const boost::json::value& set,
                             const boost::json::value& pod);
// The claim's references agree with the policy for this pod (see the table above).
bool IsClaimOwnerUpToDate(const boost::json::value& claim, const boost::json::value& set,
                          const boost::json::value& pod);
// The claim's ownerReferences made to agree with the policy: references to the set and pod are
// dropped, then the policy's controller references added (none when another controller owns it).
boost::json::array ClaimOwnerRefsForPolicy(const boost::json::value& claim,
                                           const boost::json::value& set,
                                           const boost::json::value& pod);

}  // namespace skiff::controllers::statefulset

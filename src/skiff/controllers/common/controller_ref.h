// Controller references shared by the workload controllers: the controller ownerReference of an
// object, the decision Kubernetes' ControllerRefManager makes for each candidate object (keep,
// adopt an orphan, release a no-longer-matching one, or leave it alone) and the strategic-merge
// patches that adopt and release. Pure functions; safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

namespace skiff::controllers {

enum class ClaimAction {
  kIgnore,   // controlled by another owner, or not ours to touch now
  kKeep,     // already ours and still matching
  kAdopt,    // an orphan that matches: take it
  kRelease,  // ours but no longer matching: let it go
};

// The ownerReference with controller: true, or nullptr. (A value, not an object: the api::Get*
// helpers take values, and an object argument would be copied into a temporary.)
const boost::json::value* ControllerRefOf(const boost::json::value& obj);

// `matches`: the object's labels match the owner's selector. `owner_deleting`: the owner has a
// deletionTimestamp (it then neither adopts nor releases, but keeps what it owns).
ClaimAction DecideClaim(const boost::json::value& obj, std::string_view owner_uid, bool matches,
                        bool owner_deleting);

// metav1.NewControllerRef: {apiVersion, kind, name, uid, controller: true,
// blockOwnerDeletion: true}.
boost::json::object NewControllerRef(std::string_view api_version, std::string_view kind,
                                     std::string_view name, std::string_view uid);

// Strategic-merge patch adding `controller_ref`; the object's uid guards against a re-created
// namesake.
std::string AdoptPatch(const boost::json::object& controller_ref, std::string_view obj_uid);
// Strategic-merge patch deleting the ownerReference with `owner_uid`.
std::string ReleasePatch(std::string_view owner_uid, std::string_view obj_uid);

}  // namespace skiff::controllers

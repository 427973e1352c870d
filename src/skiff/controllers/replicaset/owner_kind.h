// What differs between the two kinds the ReplicaSet engine serves: apps/v1 ReplicaSet (a
// metav1.LabelSelector) and v1 ReplicationController (a plain label map), their ownerReference
// apiVersion/kind, and the component name their events carry. Immutable; safe from any thread.
#pragma once

#include <boost/json.hpp>
#include <string_view>

#include "absl/status/statusor.h"
#include "skiff/api/labels.h"
#include "skiff/api/resources.h"

namespace skiff::controllers::replicaset {

struct OwnerKind {
  const api::ResourceInfo* resource;
  std::string_view kind;         // "ReplicaSet"
  std::string_view api_version;  // "apps/v1", the controller reference's apiVersion
  std::string_view component;    // event source and field manager
  // The owner's pod selector; an error when it is malformed. A missing or empty selector
  // yields one that selects nothing (see UsableSelector).
  absl::StatusOr<api::LabelSelector> (*selector)(const boost::json::value& owner);
};

const OwnerKind& ReplicaSetKind();
const OwnerKind& ReplicationControllerKind();

// A selector that may claim pods: Kubernetes never lets an empty or nil selector match all.
inline bool UsableSelector(const api::LabelSelector& s) {
  return !s.Empty() && !s.MatchesNothing();
}

}  // namespace skiff::controllers::replicaset

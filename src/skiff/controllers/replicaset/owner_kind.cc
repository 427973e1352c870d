#include "skiff/controllers/replicaset/owner_kind.h"

#include "skiff/api/object.h"
#include "skiff/client/client.h"

namespace skiff::controllers::replicaset {

namespace {

absl::StatusOr<api::LabelSelector> ReplicaSetSelector(const boost::json::value& owner) {
  return api::LabelSelector::FromJson(api::Find(owner, {"spec", "selector"}));
}

absl::StatusOr<api::LabelSelector> ReplicationControllerSelector(const boost::json::value& owner) {
  return api::LabelSelector::FromMap(api::Find(owner, {"spec", "selector"}));
}

}  // namespace

const OwnerKind& ReplicaSetKind() {
  static const OwnerKind kKind{&client::ReplicaSets(), "ReplicaSet", "apps/v1",
                               "replicaset-controller", &ReplicaSetSelector};
  return kKind;
}

const OwnerKind& ReplicationControllerKind() {
  static const OwnerKind kKind{&client::ReplicationControllers(), "ReplicationController", "v1",
                               "replication-controller", &ReplicationControllerSelector};
  return kKind;
}

}  // namespace skiff::controllers::replicaset

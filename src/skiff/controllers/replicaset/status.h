// The status a ReplicaSet or ReplicationController reports (Kubernetes' calculateStatus):
// replica counts over the pods it owns, observedGeneration, and the ReplicaFailure condition
// while creating or deleting pods fails. Pure functions; called by controller workers and tests.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "skiff/client/informer.h"

namespace skiff::controllers::replicaset {

// `pods`: the active pods the owner controls. `manage_error`: the result of this sync's
// creations/deletions. Returns the whole new `status` object (fields other than the ones
// computed here are kept; zero counts are omitted as Kubernetes' JSON omits them, except
// `replicas`).
boost::json::object CalculateStatus(const boost::json::value& owner,
                                    const std::vector<client::ObjPtr>& pods,
                                    const absl::Status& manage_error, absl::Time now);

// True when `new_status` differs from the owner's current status.
bool StatusChanged(const boost::json::value& owner, const boost::json::object& new_status);

// The earliest time from `now` at which a pod that is ready but not yet available (it has not
// been ready for minReadySeconds) becomes available; nullopt when none is waiting.
std::optional<absl::Duration> NextAvailableIn(const std::vector<client::ObjPtr>& pods,
                                              int64_t min_ready_seconds, absl::Time now);

}  // namespace skiff::controllers::replicaset
